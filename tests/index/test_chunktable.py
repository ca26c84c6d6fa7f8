"""The chunk table reads like the tuple of chunks it stores as integers."""

import numpy as np
import pytest

from index.chunktable import ChunkTable
from tests.index.assembly import chunk_table_of


@pytest.fixture(scope="module")
def chunks(bundled, chunker):
    return chunker.chunk(bundled)


def test_a_table_reads_back_the_chunks_it_was_made_of(bundled, chunks):
    table = chunk_table_of([bundled], chunks)
    assert len(table) == len(chunks)
    assert [table[i] for i in range(len(table))] == list(chunks)
    assert table[-1] == chunks[-1]
    assert table[1:3] == chunks[1:3]
    assert tuple(table) == chunks
    assert table == chunks and chunks == table
    assert hash(table) == hash(chunk_table_of([bundled], chunks))


def test_every_chunk_is_a_slice_of_its_briefing(bundled, chunks):
    for chunk in chunk_table_of([bundled], chunks):
        assert bundled.body[chunk.start : chunk.end] == chunk.text


def test_owners_are_positions_in_the_briefings(bundled, chunks):
    table = chunk_table_of([bundled], chunks)
    assert table.owners.tolist() == [0] * len(chunks)


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
