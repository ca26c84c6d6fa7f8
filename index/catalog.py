"""Open the briefings at some paths as a ready index, using the cache."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from index.analysis import Analyzer
from index.answering import load_defaults
from index.cache import open_listing
from index.chunking import DEFAULT_MAX_TOKENS, Chunker
from index.eviction import DEFAULT_MAX_BYTES
from index.listing import list_files
from index.loading import BRIEFING_SUFFIXES, BriefingsNotFoundError
from index.search import Index, Progress
from index.tokens import LazyEncoding


def open_catalog(
    paths: Iterable[Path],
    cache_dir: Path | None,
    warn: Callable[[str], None],
    *,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    progress: Progress = iter,
    max_cache_bytes: int = DEFAULT_MAX_BYTES,
    workers: int | None = None,
    note: Callable[[str], None] = lambda _: None,
    refresh: bool = False,
) -> Index:
    """Load, chunk and index every briefing under ``paths``; bad files are warned of.

    With a valid cache no briefing file is read here: the listing of the
    files keys the cache, and each briefing's text is read when first
    needed. A build indexes the files on ``workers`` processes (None: one
    per core for a large folder); ``note`` is told whether the cache was
    used; ``refresh`` builds even over a cache for the same listing. The
    analyzer and the answering defaults (chat lexicon, aliases,
    refusal model) are loaded before returning, so the first question does
    not pay for them. Raises
    BriefingsNotFoundError when no path holds a briefing that loads.
    """
    paths = list(paths)
    listing = list_files(paths)
    where = ", ".join(str(path) for path in paths)
    kinds = ", ".join(BRIEFING_SUFFIXES)
    if not len(listing):
        for unreadable in listing.unreadable:
            warn(str(unreadable))
        raise BriefingsNotFoundError(f"no briefing ({kinds} file) in {where} could be loaded")
    chunker = Chunker(LazyEncoding(), max_tokens)
    analyzer = Analyzer()
    try:
        index = open_listing(
            listing,
            analyzer,
            chunker,
            cache_dir,
            warn,
            progress,
            max_cache_bytes,
            workers,
            note,
            refresh=refresh,
        )
    except BriefingsNotFoundError:
        raise BriefingsNotFoundError(
            f"no briefing ({kinds} file) in {where} could be loaded"
        ) from None
    analyzer.warm()
    load_defaults()
    return index
