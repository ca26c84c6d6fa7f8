"""The postings score exactly as rank-bm25's exhaustive walk does, on any corpus."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index import postings as postings_module
from index.postings import Postings
from index.reference import LuceneBM25

# A small vocabulary, so generated chunks share terms and queries hit them.
WORDS = [f"w{i}" for i in range(12)]
chunk_terms = st.lists(st.sampled_from(WORDS), max_size=15)
corpora = st.lists(chunk_terms, min_size=1, max_size=40)
# Queries mix known terms, repeats and terms no chunk holds.
queries = st.lists(st.sampled_from([*WORDS, "unknown", "absent"]), max_size=8)


@settings(max_examples=200, deadline=None)
@given(corpus=corpora, query=queries)
def test_scores_equal_lucene_bm25_for_every_chunk(corpus, query):
    expected = LuceneBM25(corpus).get_scores(query)
    actual = Postings.build(corpus).scores(query)
    assert actual.shape == expected.shape
    assert np.max(np.abs(actual - expected), initial=0.0) <= 1e-9


# b < 1: at b = 1 an empty chunk's length norm is 0, and the exhaustive reference
# divides 0 by 0 (NaN) for it where the postings never touch it (score 0).
@settings(max_examples=50, deadline=None)
@given(
    corpus=corpora,
    k1=st.floats(0.1, 3.0),
    b=st.floats(0.0, 1.0, exclude_max=True),
    query=queries,
)
def test_scores_equal_lucene_bm25_for_any_parameters(corpus, k1, b, query):
    expected = LuceneBM25(corpus, k1=k1, b=b).get_scores(query)
    actual = Postings.build(corpus, k1=k1, b=b).scores(query)
    assert np.max(np.abs(actual - expected), initial=0.0) <= 1e-9


def test_a_larger_generated_corpus_scores_the_same():
    rng = np.random.default_rng(7)
    vocabulary = np.array([f"t{i}" for i in range(2000)])
    # Zipf-like: a few terms in most chunks, most terms in a few.
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    weights /= weights.sum()
    corpus = [
        rng.choice(vocabulary, size=int(rng.integers(0, 80)), p=weights).tolist()
        for _ in range(600)
    ]
    reference, postings = LuceneBM25(corpus), Postings.build(corpus)
    for _ in range(50):
        query = rng.choice(vocabulary, size=int(rng.integers(1, 7)), p=weights).tolist()
        query += ["never-seen"]
        assert np.max(np.abs(postings.scores(query) - reference.get_scores(query))) <= 1e-9


def test_idf_and_lengths_match_the_reference():
    corpus = [["missile", "test", "test"], ["missile", "launch"], ["summit"], []]
    reference, postings = LuceneBM25(corpus), Postings.build(corpus)
    for term, idf in reference.idf.items():
        assert postings.idf[postings.term_id(term)] == idf
    assert postings.lengths.tolist() == reference.doc_len
    assert postings.term_id("treaty") is None


def test_terms_of_a_chunk_are_its_distinct_terms():
    postings = Postings.build([["a", "b", "a"], [], ["c"]])
    assert postings.terms_of(0) == {"a", "b"}
    assert postings.terms_of(1) == frozenset()
    assert postings.terms_of(2) == {"c"}


def test_each_terms_chunks_are_ascending_and_distinct():
    postings = Postings.build([["a", "b", "a"], ["b"], ["a", "c"], ["a"]])
    a = postings.term_id("a")
    assert postings.chunks[postings.starts[a] : postings.starts[a + 1]].tolist() == [0, 2, 3]


def test_from_arrays_round_trips():
    postings = Postings.build([["a", "b", "a"], ["b", "c"]])
    again = Postings.from_arrays(postings.terms, postings.arrays(), postings.k1, postings.b)
    assert np.array_equal(again.scores(["a", "c", "b"]), postings.scores(["a", "c", "b"]))


def test_from_arrays_rejects_arrays_that_do_not_fit():
    postings = Postings.build([["a", "b", "a"], ["b", "c"]])
    arrays = postings.arrays()
    with pytest.raises(ValueError, match="chunks"):
        Postings.from_arrays(postings.terms, arrays | {"chunks": arrays["chunks"] + 5}, 1.2, 0.75)
    with pytest.raises(ValueError, match="weights"):
        Postings.from_arrays(postings.terms, arrays | {"weights": arrays["weights"][:1]}, 1.2, 0.75)
    single = arrays["idf"].astype(np.float32)
    with pytest.raises(ValueError, match="float64"):
        Postings.from_arrays(postings.terms, arrays | {"idf": single}, 1.2, 0.75)
    with pytest.raises(ValueError, match="repeats"):
        Postings.from_arrays(("a", "a", "c"), arrays, 1.2, 0.75)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("chunks", -1, "chunks holds a number outside 0 to 1"),
        ("chunks", 2, "chunks holds a number outside 0 to 1"),
        ("chunk_terms", -(2**31), "chunk_terms holds a number outside 0 to 2"),
        ("chunk_terms", 3, "chunk_terms holds a number outside 0 to 2"),
        ("counts", 0, "term counts"),
        ("counts", -1, "term counts"),
    ],
)
def test_from_arrays_rejects_numbers_out_of_range(name, value, message):
    postings = Postings.build([["a", "b", "a"], ["b", "c"]])
    arrays = postings.arrays()
    changed = arrays[name].copy()
    changed[-1] = value
    with pytest.raises(ValueError, match=message):
        Postings.from_arrays(postings.terms, arrays | {name: changed}, 1.2, 0.75)


def test_weights_computed_in_blocks_are_the_same(monkeypatch):
    corpus = [["a", "b", "a"], ["b", "c"], ["c", "c", "d"], ["a"]] * 5
    whole = Postings.build(corpus)
    monkeypatch.setattr(postings_module, "_BLOCK", 3)
    assert np.array_equal(Postings.build(corpus).weights, whole.weights)


def test_a_vocabulary_beyond_sixteen_bits_keeps_each_terms_chunks_in_order():
    # Term ids past 65,535 are sorted on their high bits too (``_term_major``).
    rng = np.random.default_rng(11)
    corpus = [
        [f"t{i}" for i in rng.integers(0, 200_000, size=int(rng.integers(0, 60)))]
        for _ in range(4000)
    ]
    postings = Postings.build(corpus)
    assert len(postings.terms) > 1 << 16
    holders: dict[str, list[int]] = {}
    for position, terms in enumerate(corpus):
        for term in dict.fromkeys(terms):
            holders.setdefault(term, []).append(position)
    assert postings.terms == tuple(holders)
    for term, positions in holders.items():
        assert postings.chunks_with(term).tolist() == positions
