"""Whether the best passage answers the question: one decision, fitted on data.

The evidence is a few numbers about the question and its best passage; a
logistic model, fitted by ``bench/fit_refusal.py`` on development data and
shipped as ``index/data/refusal.json``, turns them into the probability that
the passage answers the question. Below the model's threshold (its operating
point, chosen on that data and written in the file) the question is refused.
"""

from __future__ import annotations

import functools
import json
import math
import operator
from dataclasses import dataclass, fields

from index import DATA


@dataclass(frozen=True)
class Evidence:
    """What the decision sees of a question and its best passage."""

    coverage: float  # share of the question's weight that the best passage holds (half for
    # a term it carries on from the passage before: "He also hailed" is Shoigu's)
    sentence: float  # share of the question's weight that its best sentence holds
    matched: float  # share of the question's words (unweighted) it holds or carries on from
    rarity: float  # mean IDF of the matched terms over the highest IDF there is
    unknown: float  # share of the question's weight in words the index lacks
    unknown_name: float  # 1 if a name is missing from the answering briefing
    top_score: float  # the best score over the most the question's terms could score
    margin: float  # how far the best score leads the second, relative to the best
    length: float  # log(1 + the number of content words)

    def vector(self) -> tuple[float, ...]:
        """The features, in the order of ``FEATURES``."""
        # Not dataclasses.astuple: it deep-copies each number, a tenth of an answer's time.
        return _features_of(self)


FEATURES: tuple[str, ...] = tuple(field.name for field in fields(Evidence))
_features_of = operator.attrgetter(*FEATURES)


@dataclass(frozen=True)
class RefusalModel:
    """A fitted logistic model and its operating point."""

    weights: tuple[float, ...]
    bias: float
    threshold: float

    def __post_init__(self) -> None:
        if len(self.weights) != len(FEATURES):
            raise ValueError(f"{len(self.weights)} weights for {len(FEATURES)} features")

    def probability(self, evidence: Evidence) -> float:
        """The fitted probability that the best passage answers the question."""
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence.vector(), strict=True))
        return 1 / (1 + math.exp(-max(-60.0, min(60.0, z))))

    def answers(self, evidence: Evidence) -> bool:
        """Whether to answer (True) or refuse."""
        return self.probability(evidence) >= self.threshold

    @classmethod
    def from_json(cls, text: str) -> RefusalModel:
        """The model as ``bench/fit_refusal.py`` writes it; ValueError if it does not fit."""
        data = json.loads(text)
        if tuple(data["features"]) != FEATURES:
            raise ValueError(f"the model is of features {data['features']}, not {FEATURES}")
        weights = tuple(float(data["weights"][name]) for name in FEATURES)
        return cls(weights, float(data["bias"]), float(data["threshold"]))


@functools.cache
def default_model() -> RefusalModel:
    """The model shipped with briefbot."""
    path = DATA / "refusal.json"
    return RefusalModel.from_json(path.read_text(encoding="utf-8"))
