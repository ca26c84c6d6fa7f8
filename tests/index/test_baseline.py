"""The naive baseline is rank-bm25's BM25Okapi over paragraphs, and never refuses."""

from rank_bm25 import BM25Okapi

from index.baseline import evaluate_baseline, tokens
from index.evaluation import Case


def test_the_baseline_ranks_paragraphs_as_bm25okapi_does(bundled):
    question = "Who hailed a strategic partnership treaty?"
    texts = [bundled.text(p) for p in bundled.paragraphs]
    scores = BM25Okapi([tokens(t) for t in texts]).get_scores(tokens(question))
    best = max(range(len(texts)), key=lambda i: (scores[i], -i)) + 1
    report = evaluate_baseline([bundled], [Case(question, (best,), "treaty")])
    (outcome,) = report.outcomes
    assert outcome.rank == 1 and outcome.phrase_in_reply
    assert outcome.reply == texts[best - 1]


def test_the_baseline_never_refuses(bundled):
    cases = [Case("What is the capital of Peru?"), Case("Shoigu?", (4,), "Shoigu")]
    report = evaluate_baseline([bundled], cases)
    assert report.refused == 0 and report.refusal_recall == 0.0
