"""Terms numbered by several workers' vocabularies become exactly the index's own term ids."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.parsing import parse_briefing
from index.postings import PostingsBuilder
from index.sentencetable import (
    MAX_SENTENCES,
    AnalysedChunk,
    SentenceTableBuilder,
    analyse_chunk,
)
from index.vocabulary import Translation, Vocabulary
from tests.index.test_sentencetable import AWKWARD

WORDS = [f"w{i}" for i in range(15)]


@st.composite
def analysed_chunks(draw: st.DrawFn) -> AnalysedChunk[str]:
    """A chunk's terms, cut into kept sentences or not (none kept, as for a long chunk)."""
    terms = draw(st.lists(st.sampled_from(WORDS), max_size=20))
    cuts = draw(st.lists(st.integers(0, len(terms)), max_size=MAX_SENTENCES - 1))
    kept = draw(st.booleans())
    ends = [*sorted(cuts), len(terms)] if kept else []
    return AnalysedChunk(terms, [], ends)


# Each file: its chunks, the worker that indexes it, and whether it is left out.
files = st.lists(
    st.tuples(st.lists(analysed_chunks(), max_size=4), st.integers(0, 2), st.booleans()),
    max_size=12,
)


def encoded(vocabulary: Vocabulary, chunks: list[AnalysedChunk[str]]):
    numbered = [
        AnalysedChunk([vocabulary.number(term) for term in chunk.terms], [], chunk.ends)
        for chunk in chunks
    ]
    return vocabulary.encode(numbered)


@settings(max_examples=300, deadline=None)
@given(files=files)
def test_workers_terms_translate_to_the_ids_and_masks_of_one_builder(analyzer, files):
    vocabularies = [Vocabulary(analyzer) for _ in range(3)]
    translated = PostingsBuilder()
    translation = Translation(translated)
    masks = SentenceTableBuilder()
    expected = PostingsBuilder()
    expected_masks = SentenceTableBuilder()
    for chunks, worker, left_out in files:
        chunks_encoded = encoded(vocabularies[worker], chunks)
        if left_out:
            translation.skip(chunks_encoded)
            continue
        translation.add(chunks_encoded)
        masks.add([], chunks_encoded.masks.tobytes())
        for chunk in chunks:
            expected.add(chunk.terms)
            expected_masks.add([], chunk.masks)
    if not len(expected._lengths):
        return  # no chunk added: nothing to build
    one, other = expected.build(), translated.build()
    assert one.terms == other.terms
    for name, array in one.arrays().items():
        assert np.array_equal(array, other.arrays()[name]), name
    assert np.array_equal(expected_masks.build().masks, masks.build().masks)


def test_chunks_taken_out_of_the_order_they_were_encoded_in_are_refused(analyzer):
    vocabulary = Vocabulary(analyzer)
    first = encoded(vocabulary, [AnalysedChunk(["w1", "w2"], [], [])])
    second = encoded(vocabulary, [AnalysedChunk(["w3"], [], [])])
    translation = Translation(PostingsBuilder())
    with pytest.raises(ValueError, match="order"):
        translation.add(second)
    translation.add(first)
    translation.add(second)


def test_a_vocabulary_analyses_a_chunk_as_the_analyzer_does(analyzer, chunker, bundled):
    vocabulary = Vocabulary(analyzer)
    awkward = parse_briefing(AWKWARD, "awkward")
    for briefing in (bundled, awkward):
        for chunk in chunker.chunk(briefing):
            as_ids = vocabulary.analyse_chunk(briefing.body, chunk.start, chunk.end)
            as_terms = analyse_chunk(analyzer, briefing.body, chunk.start, chunk.end)
            assert as_ids.terms == [vocabulary.number(term) for term in as_terms.terms]
            assert (as_ids.spans, as_ids.ends) == (as_terms.spans, as_terms.ends)
