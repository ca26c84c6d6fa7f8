r"""The naive baseline every evaluation figure is read beside.

rank-bm25's ``BM25Okapi`` over whole paragraphs, with lower-cased ``\\w+``
tokens, no stemming, no stopwords and no refusal: the first thing anyone
would build. Its "reply" is the best paragraph's text, so its
answer-in-reply rate is measured as briefbot's is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi

from index.briefing import Briefing
from index.evaluation import EVAL_DEPTH, Case, Outcome, Report

_TOKEN = re.compile(r"\w+")


def tokens(text: str) -> list[str]:
    r"""Lower-cased ``\\w+`` tokens."""
    return _TOKEN.findall(text.lower())


def evaluate_baseline(briefings: Sequence[Briefing], cases: Iterable[Case]) -> Report:
    """Score the naive baseline on ``cases`` over every paragraph of ``briefings``."""
    paragraphs = [(b, p.number, b.text(p)) for b in briefings for p in b.paragraphs]
    bm25 = BM25Okapi([tokens(text) for _, _, text in paragraphs])
    outcomes = []
    for case in cases:
        scores = bm25.get_scores(tokens(case.question))
        best = [paragraphs[i] for i in np.argsort(-scores, kind="stable")[:EVAL_DEPTH]]
        rank = next(
            (
                n
                for n, (b, number, _) in enumerate(best, 1)
                if case.briefing_id in (None, b.id) and number in case.paragraphs
            ),
            None,
        )
        reply = best[0][2] if best else ""
        found = bool(case.phrase) and case.phrase in reply
        outcomes.append(Outcome(case, True, rank, found, reply))
    return Report(tuple(outcomes))
