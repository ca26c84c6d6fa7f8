"""Index.search ranks as rank-bm25's exhaustive scoring does, through the postings."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25

from index.briefing import Briefing, Paragraph
from index.chunking import Chunk
from index.loading import read_briefing
from index.reference import LuceneBM25
from index.scoring import lucene_idf
from index.search import Index
from tests.index.assembly import index_from_parts

WORDS = ["missile", "test", "kim", "moscow", "treaty", "launch", "summit"]


def make_index(analyzer, *briefings: list[list[str]]) -> Index:
    """An index of briefings whose chunks hold exactly the given terms, one per paragraph."""
    made, chunks, terms = [], [], []
    for number, paragraphs in enumerate(briefings):
        body, spans = "", []
        for words in paragraphs:
            start = len(body)
            body += " ".join(words) or "-"
            spans.append(Paragraph(len(spans) + 1, start, len(body)))
            body += "\n"
        briefing = Briefing(f"b{number}", body, tuple(spans), digest=f"d{number}")
        made.append(briefing)
        for span, words in zip(spans, paragraphs, strict=True):
            text = body[span.start : span.end]
            chunks.append(Chunk(briefing.id, span.number, span.start, span.end, text, len(words)))
            terms.append(tuple(words))
    return index_from_parts(tuple(made), tuple(chunks), tuple(terms), analyzer)


def reference_ranking(index, corpus, query, k, briefing_id=None):
    """What search returned when it scored every chunk with rank-bm25."""
    scores = LuceneBM25(corpus).get_scores(query)
    if briefing_id is not None:
        inside = np.array([c.briefing_id == briefing_id for c in index.chunks])
        scores = np.where(inside, scores, 0.0)
    matching = np.flatnonzero(scores > 0)
    order = matching[np.lexsort((matching, -scores[matching]))][:k]
    return [(int(i), float(scores[i])) for i in order]


paragraphs = st.lists(st.lists(st.sampled_from(WORDS), max_size=10), min_size=1, max_size=12)


@settings(max_examples=150, deadline=None)
@given(
    first=paragraphs,
    second=paragraphs,
    query=st.lists(st.sampled_from([*WORDS, "nowhere"]), max_size=6),
    k=st.integers(1, 30),
    briefing_id=st.sampled_from([None, "b0", "b1", "b9"]),
)
def test_search_returns_the_reference_ranking(analyzer, first, second, query, k, briefing_id):
    index = make_index(analyzer, first, second)
    corpus = [list(words) for words in [*first, *second]]
    hits = index.search(query, k, briefing_id)
    expected = reference_ranking(index, corpus, query, k, briefing_id)
    assert [hit.position for hit in hits] == [position for position, _ in expected]
    for hit, (_, score) in zip(hits, expected, strict=True):
        assert hit.score == pytest.approx(score, abs=1e-9)
        assert hit.chunk == index.chunks[hit.position]


def test_the_bundled_briefing_ranks_as_before(bundled_index):
    corpus = [bundled_index.analyzer.analyze(chunk.text) for chunk in bundled_index.chunks]
    for question in ["Who visited Pyongyang?", "What missile system was tested?", "Ukraine troops"]:
        terms = bundled_index.analyzer.analyze(question)
        hits = bundled_index.search(terms, 5)
        expected = reference_ranking(bundled_index, corpus, terms, 5)
        assert hits
        assert [hit.position for hit in hits] == [position for position, _ in expected]
        assert [hit.score for hit in hits] == pytest.approx([s for _, s in expected], abs=1e-9)


def test_equal_scores_keep_reading_order(analyzer):
    index = make_index(analyzer, [["kim"], ["moscow"], ["kim"], ["kim"]])
    hits = index.search(["kim"], 2)
    assert [hit.position for hit in hits] == [0, 2]
    assert hits[0].score == hits[1].score > 0


def test_only_chunks_holding_a_query_term_are_returned(analyzer):
    index = make_index(analyzer, [["kim", "test"], ["moscow"], ["treaty"]])
    assert {hit.position for hit in index.search(["kim", "treaty"], 10)} == {0, 2}
    assert index.search(["nowhere"], 10) == []
    assert index.search([], 10) == []


def test_a_briefing_filter_keeps_that_briefings_chunks(analyzer):
    index = make_index(analyzer, [["kim"], ["moscow"]], [["kim", "kim"], ["kim"]])
    assert {hit.chunk.briefing_id for hit in index.search(["kim"], 10, "b1")} == {"b1"}
    assert [hit.position for hit in index.search(["kim"], 10, "b0")] == [0]
    assert index.search(["kim"], 10, "no-such-briefing") == []


def test_chunk_count_counts_a_briefings_chunks(analyzer):
    index = make_index(analyzer, [["kim"], ["moscow"]], [["kim"], ["kim"], ["test"]])
    assert index.chunk_count("b0") == 2
    assert index.chunk_count("b1") == 3
    assert index.chunk_count("nowhere") == 0


def test_idf_knows_and_terms_in_agree_with_the_reference(bundled_index):
    corpus = [bundled_index.analyzer.analyze(chunk.text) for chunk in bundled_index.chunks]
    reference = LuceneBM25(corpus)
    for term, idf in reference.idf.items():
        assert bundled_index.idf(term) == idf
        assert bundled_index.knows(term)
    assert not bundled_index.knows("zanzibar")
    assert bundled_index.idf("zanzibar") == lucene_idf(len(corpus), 0)
    assert bundled_index.idf("zanzibar") > max(reference.idf.values())
    for position, terms in enumerate(corpus):
        assert bundled_index.terms_in(position) == frozenset(terms)


def test_build_equals_from_parts(bundled, analyzer, chunker, bundled_index):
    chunks = chunker.chunk(bundled)
    terms = tuple(tuple(analyzer.analyze(chunk.text)) for chunk in chunks)
    assembled = index_from_parts((bundled,), chunks, terms, analyzer)
    assert assembled == bundled_index
    query = analyzer.analyze("Shoigu greetings Putin")
    assert assembled.search(query, 5) == bundled_index.search(query, 5)


def test_no_chunks_is_an_error(bundled, analyzer):
    with pytest.raises(ValueError, match="no text"):
        index_from_parts((bundled,), (), (), analyzer)


def test_the_index_does_not_keep_rank_bm25s_per_chunk_dicts(bundled_index):
    assert not any(isinstance(value, BM25) for value in vars(bundled_index).values())


@settings(max_examples=60, deadline=None)
@given(first=paragraphs, second=paragraphs, query=st.lists(st.sampled_from(WORDS), max_size=6))
def test_held_by_is_the_chunks_terms_among_those_asked(analyzer, first, second, query):
    index = make_index(analyzer, first, second)
    for position in range(len(index.chunks)):
        assert index.held_by(position, query) == index.terms_in(position) & set(query)


def test_previous_stays_within_a_briefing(analyzer):
    index = make_index(analyzer, [["kim"], ["test"]], [["treaty"], ["summit"]])
    assert [index.previous(p) for p in range(4)] == [None, 0, None, 2]
    # One chunk to a paragraph: none continues a paragraph.
    assert not any(index.continues_paragraph(p) for p in range(4))


def test_a_long_paragraph_is_continued_by_its_later_chunks(analyzer, chunker):
    sentences = " ".join(f"Sentence {n} says something about missiles." for n in range(60))
    index = Index.build(
        [read_briefing(f"Lede.\n\n{sentences}".encode(), "long")], analyzer, chunker
    )
    paragraphs = [chunk.paragraph for chunk in index.chunks]
    assert paragraphs[:2] == [1, 2] and len(paragraphs) > 3
    assert [index.continues_paragraph(p) for p in range(len(paragraphs))] == [
        False,
        False,
        *[True] * (len(paragraphs) - 2),
    ]


@settings(max_examples=60, deadline=None)
@given(first=paragraphs, second=paragraphs, term=st.sampled_from(WORDS))
def test_one_occurrence_weighs_what_the_postings_score_it(analyzer, first, second, term):
    index = make_index(analyzer, first, second)
    for hit in index.search([term], len(index.chunks)):
        if hit.chunk.text.split().count(term) == 1:
            expected = index.occurrence_weight(hit.position, index.idf(term))
            assert hit.score == pytest.approx(expected, rel=1e-12)
