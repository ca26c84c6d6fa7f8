"""Indexes and chunk tables assembled from hand-made chunks and terms, for tests.

Production code builds both from briefings (``Index.build``); tests also
need indexes whose chunks hold exactly the terms they choose.
"""

from collections.abc import Iterable, Sequence

import numpy as np

from index.analysis import Analyzer
from index.briefing import Briefing
from index.chunking import Chunk
from index.chunktable import COLUMNS, ChunkTable
from index.postings import Postings
from index.search import Index


def chunk_table_of(briefings: Sequence[Briefing], chunks: Iterable[Chunk]) -> ChunkTable:
    """The table of ``chunks``, each checked to be the text at its offsets."""
    ordinals = {briefing.id: number for number, briefing in enumerate(briefings)}
    rows = []
    for chunk in chunks:
        briefing = briefings[ordinals[chunk.briefing_id]]
        assert briefing.body[chunk.start : chunk.end] == chunk.text
        owner = ordinals[chunk.briefing_id]
        rows.append((owner, chunk.paragraph, chunk.start, chunk.end, chunk.tokens))
    return ChunkTable(briefings, np.array(rows, dtype=np.int64).reshape(-1, len(COLUMNS)))


def index_from_parts(
    briefings: tuple[Briefing, ...],
    chunks: Sequence[Chunk],
    chunk_terms: Iterable[Sequence[str]],
    analyzer: Analyzer,
) -> Index:
    """An index of already analysed chunks; ValueError if there are none."""
    if not chunks:
        raise ValueError("there is no text to index")
    table = chunk_table_of(briefings, chunks)
    return Index(tuple(briefings), table, analyzer, Postings.build(chunk_terms))
