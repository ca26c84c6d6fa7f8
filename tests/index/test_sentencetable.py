"""Each chunk's sentences, kept at build: the same sentences and terms an answer would split out."""

from __future__ import annotations

import numpy as np
import pytest

from bot.render import render_answer
from index.answering import answer
from index.chunking import Chunker
from index.parsing import parse_briefing
from index.search import Index
from index.sentencetable import MAX_SENTENCES, SentenceTable, analyse_chunk

# Sentence ends beside possessives, quotes, accents, soft hyphens and odd spaces: the
# places where analysing each sentence alone could differ from analysing the chunk.
AWKWARD = (
    "The bosses' plan failed. James' allies said 'no.' Then Kim's aide left!\n\n"
    "Café owners in Zürich said so… “Prices rose,” one said.\u00a0"
    "Others dis\u00adagreed (loudly).\n\n"
    "A.B. Smith met Dr. Jones at 5 p.m. on Jan. 3. They talked. "
    "He asked: why?! Nobody knew. The U.S. envoy left. So did the U.N. one.\n\n"
    # The word that marks sentence ends in one call to the analyzer, used by the text itself.
    "They wrote xqzsentencexqzbreakxqz. Nobody knew why.\n\n"
    "Uno. Dos. Tres. Cuatro. Cinco. Seis. Siete. Ocho is the eighth sentence.\n\n"
    "One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten. Eleven words end here.\n\n"
    "   \n"
)


def test_a_chunk_analysed_by_sentence_has_the_terms_of_the_whole_chunk(bundled, analyzer, chunker):
    awkward = parse_briefing(AWKWARD, "awkward")
    for briefing in (bundled, awkward):
        for chunk in chunker.chunk(briefing):
            analysed = analyse_chunk(analyzer, briefing.body, chunk.start, chunk.end)
            assert analysed.terms == analyzer.analyze(chunk.text)
            assert len(analysed.masks) == len(set(analysed.terms))


def test_the_kept_sentences_are_those_an_answer_would_split_out(bundled, analyzer, chunker):
    awkward = parse_briefing(AWKWARD, "awkward")
    kept = Index.build([bundled, awkward], analyzer, chunker)
    assert kept.sentence_table is not None
    split = Index(kept.briefings, kept.chunks, analyzer, kept.postings)
    counts = np.diff(kept.sentence_table.starts)
    assert counts.max() == MAX_SENTENCES  # most chunks keep their sentences...
    assert np.count_nonzero(counts == 0) == 1  # ...but the one of eleven is split when asked
    for position in range(len(kept.chunks)):
        terms = [*sorted(kept.terms_in(position)), "absent"]
        assert kept.sentences_of(position, terms) == split.sentences_of(position, terms)
        assert kept.sentences_of(position, terms[:2]) == split.sentences_of(position, terms[:2])


def test_answers_are_the_same_with_kept_sentences_or_split_ones(bundled, analyzer, chunker):
    kept = Index.build([bundled], analyzer, chunker)
    split = Index(kept.briefings, kept.chunks, analyzer, kept.postings)
    questions = [
        "Who visited Pyongyang?",
        "What did KCNA say about the missile?",
        "who is shoigu",
        "When was the cruise missile test?",
    ]
    for question in questions:
        assert render_answer(answer(kept, question)) == render_answer(answer(split, question))
        assert answer(kept, question) == answer(split, question)


def test_saved_arrays_are_taken_back_and_checked(bundled, analyzer, chunker):
    index = Index.build([bundled], analyzer, chunker)
    table = index.sentence_table
    assert table is not None
    lengths = index.chunks.rows[:, 3] - index.chunks.rows[:, 2]
    starts = index.postings.chunk_starts
    again = SentenceTable.from_arrays(table.arrays(), lengths, starts)
    for name, array in table.arrays().items():
        assert np.array_equal(again.arrays()[name], array)
    none = SentenceTable.none_kept(len(index.chunks), int(starts[-1]))
    assert SentenceTable.from_arrays(none.arrays(), lengths, starts).spans_of(0) == []


def _damaged(table: SentenceTable, name: str, change) -> dict[str, np.ndarray]:
    arrays = {key: value.copy() for key, value in table.arrays().items()}
    change(arrays[name])
    return arrays


@pytest.mark.parametrize(
    ("name", "change", "message"),
    [
        ("sentence_spans", lambda spans: spans.__setitem__((0, 1), 60_000), "outside its chunk"),
        (
            "sentence_spans",
            lambda spans: spans.__setitem__((0, 0), spans[0, 1]),
            "outside its chunk",
        ),
        ("sentence_masks", lambda masks: masks.__setitem__(0, 255), "does not have"),
        ("sentence_masks", lambda masks: masks.__setitem__(0, 0), "in no sentence"),
        ("sentence_starts", lambda starts: starts.__setitem__(1, 10**6), "offsets"),
    ],
)
def test_arrays_that_do_not_fit_the_chunks_are_refused(
    bundled, analyzer, chunker, name, change, message
):
    index = Index.build([bundled], analyzer, chunker)
    assert index.sentence_table is not None
    lengths = index.chunks.rows[:, 3] - index.chunks.rows[:, 2]
    arrays = _damaged(index.sentence_table, name, change)
    with pytest.raises(ValueError, match=message):
        SentenceTable.from_arrays(arrays, lengths, index.postings.chunk_starts)


def test_arrays_of_the_wrong_type_are_refused(bundled, analyzer, chunker):
    index = Index.build([bundled], analyzer, chunker)
    assert index.sentence_table is not None
    arrays = index.sentence_table.arrays() | {"sentence_masks": np.zeros(3, dtype=np.int64)}
    lengths = index.chunks.rows[:, 3] - index.chunks.rows[:, 2]
    with pytest.raises(ValueError, match="sentence_masks"):
        SentenceTable.from_arrays(arrays, lengths, index.postings.chunk_starts)


def test_a_chunk_too_long_for_its_offsets_is_split_when_asked(analyzer, encoding):
    long = parse_briefing("Short one. " + "word " * 14_000 + "ends. Last one.\n", "long")
    index = Index.build([long], analyzer, Chunker(encoding, max_tokens=50_000))
    assert len(index.chunks) == 1 and index.chunks[0].end - index.chunks[0].start > 65_535
    assert index.sentence_table is not None and index.sentence_table.spans_of(0) == []
    terms = sorted(index.terms_in(0))
    split = Index(index.briefings, index.chunks, analyzer, index.postings)
    assert index.sentences_of(0, terms) == split.sentences_of(0, terms)
    assert len(index.sentences_of(0, terms)) == 2  # "word" opens no sentence
