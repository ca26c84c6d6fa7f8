"""Open the briefings at some paths as a ready index, using the cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from index.analysis import Analyzer
from index.cache import open_index
from index.chunking import DEFAULT_MAX_TOKENS, Chunker
from index.loading import BRIEFING_SUFFIXES, BriefingsNotFoundError, load_briefings
from index.search import Index, Progress
from index.tokens import load_encoding


def open_catalog(
    paths: Iterable[Path],
    cache_dir: Path | None,
    warn: Callable[[str], None],
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    progress: Progress = iter,
) -> Index:
    """Load, chunk and index every briefing under ``paths``; bad files are warned of.

    Raises BriefingsNotFoundError when no path holds a briefing that loads.
    """
    paths = list(paths)
    loaded = load_briefings(paths)
    for skipped in loaded.skipped:
        warn(str(skipped))
    if not loaded.briefings:
        where = ", ".join(str(path) for path in paths)
        kinds = ", ".join(BRIEFING_SUFFIXES)
        raise BriefingsNotFoundError(f"no briefing ({kinds} file) in {where} could be loaded")
    chunker = Chunker(load_encoding(), max_tokens)
    return open_index(loaded.briefings, Analyzer(), chunker, cache_dir, warn, progress)
