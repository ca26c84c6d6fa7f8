"""The index: every chunk of every briefing, analysed and scored with BM25."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from index.analysis import Analyzer
from index.briefing import Briefing
from index.chunking import Chunk, Chunker
from index.scoring import LuceneBM25, lucene_idf

# Wraps the briefings being indexed, to report progress (rich.progress.track fits).
Progress = Callable[[Sequence[Briefing]], Iterable[Briefing]]


@dataclass(frozen=True)
class Hit:
    """A chunk that matched a query, with its BM25 score."""

    chunk: Chunk
    score: float
    position: int


@dataclass(frozen=True)
class Index:
    """Briefings, their chunks and the BM25 model built over the chunks' terms."""

    briefings: tuple[Briefing, ...]
    chunks: tuple[Chunk, ...]
    chunk_terms: tuple[tuple[str, ...], ...]
    analyzer: Analyzer
    scorer: LuceneBM25 = field(repr=False, compare=False)
    _by_id: dict[str, Briefing] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {briefing.id: briefing for briefing in self.briefings})

    @classmethod
    def build(
        cls,
        briefings: Iterable[Briefing],
        analyzer: Analyzer,
        chunker: Chunker,
        progress: Progress = iter,
    ) -> Index:
        """Chunk and analyse every briefing; raise ValueError if there is no text."""
        briefings = tuple(briefings)
        chunks = tuple(
            chunk for briefing in progress(briefings) for chunk in chunker.chunk(briefing)
        )
        terms = tuple(tuple(analyzer.analyze(chunk.text)) for chunk in chunks)
        return cls.from_parts(briefings, chunks, terms, analyzer)

    @classmethod
    def from_parts(
        cls,
        briefings: tuple[Briefing, ...],
        chunks: tuple[Chunk, ...],
        chunk_terms: tuple[tuple[str, ...], ...],
        analyzer: Analyzer,
    ) -> Index:
        """Assemble an index from already analysed chunks (as the cache does)."""
        if not chunks:
            raise ValueError("there is no text to index")
        return cls(briefings, chunks, chunk_terms, analyzer, LuceneBM25(chunk_terms))

    def briefing(self, briefing_id: str) -> Briefing:
        """The briefing with this id; KeyError if there is none."""
        return self._by_id[briefing_id]

    def idf(self, term: str) -> float:
        """The term's IDF over all chunks; a term found nowhere gets the highest."""
        return self.scorer.idf.get(term) or lucene_idf(len(self.chunks), 0)

    def terms_in(self, position: int) -> frozenset[str]:
        """The distinct terms of the chunk at ``position``."""
        return frozenset(self.chunk_terms[position])

    def knows(self, term: str) -> bool:
        """Whether any chunk contains the term."""
        return term in self.scorer.idf

    def search(self, terms: Sequence[str], k: int, briefing_id: str | None = None) -> list[Hit]:
        """The ``k`` best chunks that contain a query term, best first."""
        scores = self.scorer.get_scores(list(terms))
        if briefing_id is not None:
            scores = np.where(self._in_briefing(briefing_id), scores, 0.0)
        matching = np.flatnonzero(scores > 0)
        # Best score first; equal scores keep reading order.
        order = matching[np.lexsort((matching, -scores[matching]))][:k]
        return [Hit(self.chunks[i], float(scores[i]), int(i)) for i in order]

    def _in_briefing(self, briefing_id: str) -> np.ndarray:
        return np.fromiter(
            (chunk.briefing_id == briefing_id for chunk in self.chunks), bool, len(self.chunks)
        )
