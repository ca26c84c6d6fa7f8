"""Segments searched together score exactly as one index of all their briefings would."""

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.reference import LuceneBM25
from index.search import Index
from index.segments import Segments
from tests.index.assembly import index_from_parts
from tests.index.test_search import WORDS, make_index, reference_ranking

paragraphs = st.lists(st.lists(st.sampled_from(WORDS), max_size=10), min_size=1, max_size=8)
# Briefings, and where the list is cut into segments.
libraries = st.lists(paragraphs, min_size=1, max_size=5).flatmap(
    lambda briefings: st.tuples(
        st.just(briefings),
        st.lists(st.integers(1, len(briefings)), max_size=3).map(sorted),
    )
)


def split(analyzer, briefings, cuts) -> tuple[Segments, Index]:
    """The briefings cut into segments at ``cuts``, and one index of them all."""
    whole = make_index(analyzer, *briefings)
    bounds = [0, *dict.fromkeys(c for c in cuts if c < len(briefings)), len(briefings)]
    segments = []
    for low, high in itertools.pairwise(bounds):
        kept = whole.briefings[low:high]
        ids = {briefing.id for briefing in kept}
        positions = [i for i, chunk in enumerate(whole.chunks) if chunk.briefing_id in ids]
        chunks = [whole.chunks[i] for i in positions]
        # make_index writes each chunk's terms as its text ("-" when it has none).
        terms = [[] if chunk.text == "-" else chunk.text.split() for chunk in chunks]
        segments.append(index_from_parts(kept, chunks, terms, analyzer))
    return Segments(segments), whole


@settings(max_examples=150, deadline=None)
@given(
    library=libraries,
    query=st.lists(st.sampled_from([*WORDS, "nowhere"]), max_size=6),
    k=st.integers(1, 30),
    briefing_id=st.sampled_from([None, "b0", "b2", "b9"]),
)
def test_segments_rank_as_rank_bm25_over_their_union(analyzer, library, query, k, briefing_id):
    briefings, cuts = library
    segments, whole = split(analyzer, briefings, cuts)
    corpus = [list(words) for paragraphs in briefings for words in paragraphs]
    # The same operations in the same order: equal to the last bit, not just close.
    np.testing.assert_array_equal(segments.scores(query), LuceneBM25(corpus).get_scores(query))
    hits = segments.search(query, k, briefing_id)
    expected = reference_ranking(whole, corpus, query, k, briefing_id)
    assert [hit.position for hit in hits] == [position for position, _ in expected]
    for hit, (position, score) in zip(hits, expected, strict=True):
        assert hit.score == pytest.approx(score, abs=1e-9)
        assert hit.chunk == whole.chunks[position]


@settings(max_examples=50, deadline=None)
@given(library=libraries, term=st.sampled_from([*WORDS, "nowhere"]))
def test_statistics_are_those_of_the_union(analyzer, library, term):
    briefings, cuts = library
    segments, whole = split(analyzer, briefings, cuts)
    assert segments.idf(term) == whole.idf(term)
    assert segments.knows(term) == whole.knows(term)
    assert segments.briefings == whole.briefings
    assert tuple(segments.chunks) == tuple(whole.chunks)
    for position in range(len(whole.chunks)):
        assert segments.terms_in(position) == whole.terms_in(position)
        assert segments.held_by(position, [term]) == whole.held_by(position, [term])
        assert segments.previous(position) == whole.previous(position)
        assert segments.continues_paragraph(position) == whole.continues_paragraph(position)
        assert segments.occurrence_weight(position, 2.0) == pytest.approx(
            whole.occurrence_weight(position, 2.0)
        )
    assert segments.first_chunks_with(term, 3) == whole.first_chunks_with(term, 3)
    assert segments.unseen_idf == whole.unseen_idf
    assert set(segments.postings.terms) == set(whole.postings.terms)
    assert segments.postings.document_frequency(term) == whole.postings.document_frequency(term)
    assert segments.postings.chunks_with(term).tolist() == whole.postings.chunks_with(term).tolist()
    for position in range(len(whole.chunks)):
        held = whole.terms_in(position)
        assert segments.sentences_of(position, held) == whole.sentences_of(position, held)
    for briefing in whole.briefings:
        assert segments.briefing_knows(briefing.id, term) == whole.briefing_knows(briefing.id, term)
        assert segments.opening(briefing.id) == whole.opening(briefing.id)
        assert segments.chunk_count(briefing.id) == whole.chunk_count(briefing.id)
        assert segments.briefing(briefing.id) == briefing


def test_two_segments_cannot_hold_the_same_briefing(analyzer):
    one = make_index(analyzer, [["kim"]])
    with pytest.raises(ValueError, match="two segments hold a briefing named b0"):
        Segments([one, one])


def test_one_segment_searches_as_its_index(bundled_index):
    segments = Segments([bundled_index])
    terms = bundled_index.analyzer.analyze("Shoigu visited Pyongyang")
    assert segments.search(terms, 3) == bundled_index.search(terms, 3)
    assert segments.idf("shoigu") == bundled_index.idf("shoigu")
