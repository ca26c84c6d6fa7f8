"""The BM25 variant on tiny corpora, where rank-bm25's own variants misbehave."""

import numpy as np
from rank_bm25 import BM25Okapi, BM25Plus

from index.reference import LuceneBM25
from index.scoring import lucene_idf

# "missile" is in exactly half of the four chunks.
CORPUS = [["missile", "test"], ["missile", "launch"], ["summit", "talk"], ["treaty"]]


def test_okapi_scores_everything_zero_for_a_term_in_half_the_chunks():
    # The trap that rules Okapi out (rank_bm25 issues 29, 39, 43).
    assert not BM25Okapi(CORPUS).get_scores(["missile"]).any()


def test_plus_scores_chunks_without_the_term():
    assert BM25Plus(CORPUS).get_scores(["missile"])[2] > 0


def test_lucene_idf_ranks_a_term_in_half_the_chunks_above_zero_and_only_there():
    scores = LuceneBM25(CORPUS).get_scores(["missile"])
    assert scores[0] > 0 and scores[1] > 0
    assert scores[2] == scores[3] == 0


def test_rarer_terms_weigh_more_and_idf_is_never_negative():
    model = LuceneBM25(CORPUS)
    assert model.idf["treaty"] > model.idf["missile"] > 0
    assert lucene_idf(4, 4) > 0
    scores = model.get_scores(["missile", "launch"])
    assert int(np.argmax(scores)) == 1


def test_repeated_query_terms_count_and_unknown_terms_do_not():
    model = LuceneBM25(CORPUS)
    once, twice = model.get_scores(["test"]), model.get_scores(["test", "test"])
    assert np.allclose(twice, 2 * once)
    assert np.array_equal(model.get_scores(["test", "nowhere"]), once)


def test_a_corpus_of_empty_chunks_scores_zero_instead_of_dividing_by_zero():
    assert not LuceneBM25([[], []]).get_scores(["anything"]).any()
