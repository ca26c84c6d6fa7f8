"""Fit the refusal decision (``index/refusal.py``) and write ``index/data/refusal.json``.

    pip install -e '.[bench]'
    python bench/fit_refusal.py                 # fit, print figures, write the model
    python bench/fit_refusal.py --dry-run       # fit and print, write nothing

The decision is a logistic model over ``index.refusal.Evidence``. It learns
what real readers' unanswerable questions look like: questions about topics
and names that the loaded briefings do not cover. The development data is
read in place (never copied):

- answerable: SQuAD 2.0's answerable questions (``squad2-sample``), asked
  with all of its briefings loaded, and with only their own article loaded
  (one briefing, as most servers run);
- not answerable: the same questions with their own article left out (the
  reader asks about something no loaded briefing covers), and asked of one
  other article alone; the same questions asked of their own article with
  their most specific word (by IDF) swapped for a word of another article
  that theirs lacks, a name for a name ("Who founded Fresno?" becomes "Who
  founded Geneva?": a near-topic question); and SciFact's claims asked of
  the bundled briefing and of the SQuAD articles (off-topic).

The operating point is the highest threshold at which at most
``--false-refusals`` of the answerable training questions are refused. The
figures printed are leave-one-article-out (each article's questions are
scored by a model fitted without them), then the precision-recall curve of
the final model on questions it was not fitted on: SQuAD 2.0's adversarial
unanswerable questions and the project's own set.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from index.analysis import Analyzer  # noqa: E402
from index.answering import evidence_for  # noqa: E402
from index.chat import Intent  # noqa: E402
from index.chunking import Chunker  # noqa: E402
from index.evaluation import parse_cases  # noqa: E402
from index.loading import load_briefings  # noqa: E402
from index.question import read_question  # noqa: E402
from index.refusal import FEATURES, RefusalModel  # noqa: E402
from index.search import Index  # noqa: E402
from index.tokens import load_encoding  # noqa: E402

SHARED = ROOT.parent / "shared"
SCIFACT_CLAIMS = 400
THRESHOLDS = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7)


@dataclass(frozen=True)
class Example:
    """One question's features, whether it is answerable, and its group (article)."""

    features: tuple[float, ...] | None  # None: not a question the engine searches
    answerable: bool
    group: str


def main() -> int:
    args = _arguments()
    squad = args.squad
    analyzer, chunker = Analyzer(), Chunker(load_encoding())
    all_squad = load_briefings([squad / "briefings"]).briefings
    full = Index.build(all_squad, analyzer, chunker)
    cases = parse_cases((squad / "eval.jsonl").read_text(encoding="utf-8").splitlines())
    answerable = [c for c in cases if c.answerable]
    by_id = {b.id: b for b in all_squad}
    articles = sorted({c.briefing_id or "" for c in answerable})
    examples = [Example(_features(full, c.question), True, c.briefing_id or "") for c in answerable]
    for number, article in enumerate(articles):
        asked = [c for c in answerable if c.briefing_id == article]
        rest = Index.build([b for b in all_squad if b.id != article], analyzer, chunker)
        alone = Index.build([by_id[article]], analyzer, chunker)
        other = Index.build([by_id[articles[(number + 1) % len(articles)]]], analyzer, chunker)
        for index, right in ((alone, True), (rest, False), (other, False)):
            examples += [Example(_features(index, c.question), right, article) for c in asked]
        words = _foreign_words(alone, other)
        for case in asked:
            if swapped := _swapped(alone, case.question, words, random.Random(case.question)):
                examples.append(Example(_features(alone, swapped), False, article))
    bundled = Index.build(load_briefings([ROOT / "briefings"]).briefings, analyzer, chunker)
    for number, claim in enumerate(_claims(args.scifact)):
        index = bundled if number % 2 else full
        examples.append(Example(_features(index, claim), False, f"scifact-{number % 7}"))
    examples = [e for e in examples if e.features is not None]
    x = np.array([e.features for e in examples])
    y = np.array([e.answerable for e in examples])
    print(f"training: {int(y.sum())} answerable, {int((~y).sum())} not, {len(FEATURES)} features")
    _cross_validate(examples, args.false_refusals)
    fitted = _fit(x, y)
    threshold = _operating_point(fitted, x[y], args.false_refusals)
    model = RefusalModel(tuple(fitted.coef_[0].tolist()), float(fitted.intercept_[0]), threshold)
    print(
        "\nweights: "
        + ", ".join(f"{n} {w:+.2f}" for n, w in zip(FEATURES, model.weights, strict=True))
    )
    print(f"bias {model.bias:+.2f}, threshold {threshold:.3f}")
    _curves(model, full, cases, bundled)
    if not args.dry_run:
        args.out.write_text(_as_json(model, int(y.sum()), int((~y).sum()), args), "utf-8")
        print(f"\nwrote {args.out.relative_to(ROOT)}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--squad", type=Path, default=SHARED / "datasets" / "squad2-sample")
    parser.add_argument("--scifact", type=Path, default=SHARED / "datasets" / "scifact")
    parser.add_argument("--own", type=Path, default=ROOT / "tests" / "data" / "eval.jsonl")
    parser.add_argument("--out", type=Path, default=ROOT / "index" / "data" / "refusal.json")
    parser.add_argument("--false-refusals", type=float, default=0.02)
    parser.add_argument("--dry-run", action="store_true")
    return parser.parse_args()


def _features(index: Index, question: str) -> tuple[float, ...] | None:
    """The evidence for ``question`` against ``index``; no match at all is all zeros.

    None for a message the engine does not search (chat, help, no words).
    """
    read = read_question(question, index.analyzer)
    if read.intent is not Intent.QUESTION or not read.words:
        return None
    evidence = evidence_for(index, read)
    return evidence.vector() if evidence else (0.0,) * len(FEATURES)


def _foreign_words(index: Index, other: Index) -> tuple[list[str], list[str]]:
    """Words of ``other`` that ``index`` lacks: (capitalised, lower-case)."""
    found: dict[str, None] = {}
    for briefing in other.briefings:
        for token in re.findall(r"[A-Za-z]{4,}", briefing.body):
            term = index.analyzer.term(token.casefold())
            if term and not index.knows(term):
                found.setdefault(token)
    return [w for w in found if w[0].isupper()], [w for w in found if w.islower()]


def _swapped(
    index: Index, question: str, words: tuple[list[str], list[str]], chance: random.Random
) -> str | None:
    """``question`` with its most specific word swapped for one ``index`` lacks.

    A near-topic question: "Who founded Fresno?" becomes "Who founded Geneva?".
    """
    read = read_question(question, index.analyzer)
    known = [w for w in read.words if index.knows(w.term)]
    if not known:
        return None
    word = max(known, key=lambda w: index.idf(w.term))
    pool = words[0] if word.typed[:1].isupper() else words[1]
    if not pool or word.typed not in question:
        return None
    return question.replace(word.typed, chance.choice(pool), 1)


def _claims(scifact: Path) -> list[str]:
    lines = (scifact / "queries.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["text"] for line in lines[:SCIFACT_CLAIMS]]


def _fit(x: np.ndarray, y: np.ndarray) -> LogisticRegression:
    return LogisticRegression(class_weight="balanced", max_iter=1000).fit(x, y)


def _operating_point(fitted: LogisticRegression, positives: np.ndarray, rate: float) -> float:
    """The highest threshold that refuses at most ``rate`` of the answerable questions."""
    scores = np.sort(fitted.predict_proba(positives)[:, 1])
    return float(scores[int(np.floor(rate * len(scores)))])


def _cross_validate(examples: list[Example], rate: float) -> None:
    """Leave one article out: refusals of its answerable and off-topic questions."""
    groups = sorted({e.group for e in examples if e.answerable})
    false_refusals = refused = off_topic = answerable = 0
    for group in groups:
        train = [e for e in examples if e.group != group]
        test = [e for e in examples if e.group == group]
        x, y = np.array([e.features for e in train]), np.array([e.answerable for e in train])
        fitted = _fit(x, y)
        threshold = _operating_point(fitted, x[y], rate)
        p = fitted.predict_proba(np.array([e.features for e in test]))[:, 1]
        for example, probability in zip(test, p, strict=True):
            answerable += example.answerable
            off_topic += not example.answerable
            false_refusals += example.answerable and probability < threshold
            refused += not example.answerable and probability < threshold
    print(
        f"leave one article out: false refusals {false_refusals}/{answerable} "
        f"({false_refusals / answerable:.1%}), off-topic refused {refused}/{off_topic} "
        f"({refused / off_topic:.1%})"
    )


def _curves(model: RefusalModel, full: Index, squad: list, bundled: Index) -> None:
    """Precision and recall of refusal at several thresholds, on held-out questions."""
    own = parse_cases(Path(_arguments().own).read_text(encoding="utf-8").splitlines())
    sets = {
        "squad2 (adversarial unanswerable)": (full, squad),
        "own set (near-topic + unrelated)": (bundled, own),
    }
    for name, (index, cases) in sets.items():
        p = np.array([_probability(model, index, c.question) for c in cases])
        truth = np.array([not c.answerable for c in cases])
        print(f"\n{name}: {int(truth.sum())} unanswerable of {len(cases)}")
        print("threshold  refusal precision  refusal recall  false refusals")
        for threshold in sorted({*THRESHOLDS, round(model.threshold, 3)}):
            refused = p < threshold
            precision = (refused & truth).sum() / max(refused.sum(), 1)
            recall = (refused & truth).sum() / max(truth.sum(), 1)
            false = (refused & ~truth).sum() / max((~truth).sum(), 1)
            mark = "  <- shipped" if threshold == round(model.threshold, 3) else ""
            print(f"{threshold:9.3f}  {precision:17.3f}  {recall:14.3f}  {false:14.1%}{mark}")


def _probability(model: RefusalModel, index: Index, question: str) -> float:
    """The model's probability of answering; 1 for a message that is not a question."""
    read = read_question(question, index.analyzer)
    if read.intent is not Intent.QUESTION or not read.words:
        return 1.0
    evidence = evidence_for(index, read)
    return model.probability(evidence) if evidence else 0.0


def _as_json(model: RefusalModel, positives: int, negatives: int, args: argparse.Namespace) -> str:
    import sklearn

    data = {
        "features": list(FEATURES),
        "weights": dict(zip(FEATURES, model.weights, strict=True)),
        "bias": model.bias,
        "threshold": model.threshold,
        "operating_point": (
            f"refuses at most {args.false_refusals:.0%} of the answerable training questions"
        ),
        "fitted_on": {
            "answerable": positives,
            "not_answerable": negatives,
            "data": (
                "squad2-sample answerable questions: answerable with all 27 articles and with "
                "their own article alone; not answerable with their own article left out, with "
                "one other article alone, and with their most specific word swapped for another "
                "article's; SciFact claims (not answerable) over the bundled briefing and the "
                "articles"
            ),
        },
        "fitted_with": f"scikit-learn {sklearn.__version__} LogisticRegression, balanced classes",
    }
    return json.dumps(data, indent=2) + "\n"


if __name__ == "__main__":
    raise SystemExit(main())
