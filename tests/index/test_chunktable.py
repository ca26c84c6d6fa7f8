"""The chunk table reads like the tuple of chunks it stores as integers."""

import numpy as np
import pytest

from index.chunking import Chunk
from index.chunktable import ChunkTable


@pytest.fixture(scope="module")
def chunks(bundled, chunker):
    return chunker.chunk(bundled)


def test_a_table_reads_back_the_chunks_it_was_made_of(bundled, chunks):
    table = ChunkTable.of([bundled], chunks)
    assert len(table) == len(chunks)
    assert [table[i] for i in range(len(table))] == list(chunks)
    assert table[-1] == chunks[-1]
    assert table[1:3] == chunks[1:3]
    assert tuple(table) == chunks
    assert table == chunks and chunks == table
    assert hash(table) == hash(ChunkTable.of([bundled], chunks))


def test_every_chunk_is_a_slice_of_its_briefing(bundled, chunks):
    for chunk in ChunkTable.of([bundled], chunks):
        assert bundled.body[chunk.start : chunk.end] == chunk.text


def test_owners_are_positions_in_the_briefings(bundled, chunks):
    table = ChunkTable.of([bundled], chunks)
    assert table.owners.tolist() == [0] * len(chunks)


def test_a_chunk_that_is_not_its_text_is_refused(bundled, chunks):
    first = chunks[0]
    forged = Chunk(first.briefing_id, 1, first.start, first.end, "something else", 3)
    with pytest.raises(ValueError, match="not the text"):
        ChunkTable.of([bundled], [forged])


def test_a_chunk_of_a_briefing_not_indexed_is_refused(bundled, chunks):
    stray = Chunk("elsewhere", 1, 0, 4, "date", 1)
    with pytest.raises(ValueError, match="elsewhere"):
        ChunkTable.of([bundled], [*chunks, stray])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([1, 1, 0, 10, 3], "not indexed"),
        ([0, 1, 10, 10, 3], "outside"),
        ([0, 1, -1, 10, 3], "outside"),
        ([0, 1, 0, 10**9, 3], "outside"),
    ],
)
def test_rows_outside_the_bodies_are_refused(bundled, row, message):
    with pytest.raises(ValueError, match=message):
        ChunkTable([bundled], np.array([row], dtype=np.int64))


def test_rows_of_the_wrong_shape_are_refused(bundled):
    with pytest.raises(ValueError, match="columns"):
        ChunkTable([bundled], np.zeros((2, 3), dtype=np.int64))
