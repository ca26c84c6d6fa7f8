"""The on-disk index cache: versioned JSON, checksummed, written atomically.

A cache file is a header line (format, key, SHA-256 of the payload) and a
JSON payload with each chunk's offsets and analysed terms, so loading skips
chunking and analysis. The key covers the briefings' content hashes, the
analyzer and the chunker, so any change to them makes a new file. A file
that is truncated, garbled or of another format is discarded and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from index.analysis import Analyzer
from index.briefing import Briefing
from index.chunking import Chunk, Chunker
from index.search import Index, Progress

CACHE_FORMAT = 1
_PREFIX = "index-"


class CacheError(ValueError):
    """A cache file exists but cannot be used; the message says why."""


def cache_key(briefings: tuple[Briefing, ...], analyzer: Analyzer, chunker: Chunker) -> str:
    """A digest of everything the cached index depends on."""
    parts = [CACHE_FORMAT, analyzer.version, chunker.version]
    parts += sorted([briefing.id, briefing.digest] for briefing in briefings)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def cache_path(directory: Path, key: str) -> Path:
    """Where the index for ``key`` lives in ``directory``."""
    return directory / f"{_PREFIX}{key[:32]}.json"


def open_index(
    briefings: tuple[Briefing, ...],
    analyzer: Analyzer,
    chunker: Chunker,
    directory: Path | None,
    warn: Callable[[str], None],
    progress: Progress = iter,
) -> Index:
    """The index for ``briefings``: from the cache if valid, else built and saved."""
    if directory is None:
        return Index.build(briefings, analyzer, chunker, progress)
    key = cache_key(briefings, analyzer, chunker)
    path = cache_path(directory, key)
    if path.exists():
        try:
            return load_index(path, key, briefings, analyzer)
        except (CacheError, OSError) as error:
            warn(f"discarding the index cache {path}: {error}; rebuilding it")
    index = Index.build(briefings, analyzer, chunker, progress)
    try:
        save_index(index, path, key)
    except OSError as error:
        warn(f"could not write the index cache to {directory} ({error.strerror or error}); "
             "the index is kept in memory only")
    return index


def save_index(index: Index, path: Path, key: str) -> None:
    """Write the index to ``path`` atomically and remove older cache files beside it."""
    payload = json.dumps(
        {
            "chunks": [[c.briefing_id, c.paragraph, c.start, c.end, c.tokens] for c in index.chunks],
            "terms": [" ".join(terms) for terms in index.chunk_terms],
        },
        separators=(",", ":"),
    ).encode()
    header = {"format": CACHE_FORMAT, "key": key, "sha256": hashlib.sha256(payload).hexdigest()}
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, json.dumps(header).encode() + b"\n" + payload)
    for stale in path.parent.glob(f"{_PREFIX}*.json"):
        if stale != path:
            stale.unlink(missing_ok=True)


def load_index(path: Path, key: str, briefings: tuple[Briefing, ...], analyzer: Analyzer) -> Index:
    """Read a cached index; CacheError if it is damaged or not for these briefings."""
    header_line, _, payload = path.read_bytes().partition(b"\n")
    try:
        header = json.loads(header_line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise CacheError("its header is unreadable") from None
    if not isinstance(header, dict) or header.get("format") != CACHE_FORMAT:
        raise CacheError(f"it is not format {CACHE_FORMAT}")
    if header.get("key") != key:
        raise CacheError("it was built from other briefings")
    if header.get("sha256") != hashlib.sha256(payload).hexdigest():
        raise CacheError("its checksum does not match (truncated or damaged)")
    try:
        data = json.loads(payload)
        return _index_from(data, briefings, analyzer)
    except (ValueError, KeyError, TypeError, IndexError) as error:
        raise CacheError(f"its contents are inconsistent ({error})") from None


def _index_from(data: dict, briefings: tuple[Briefing, ...], analyzer: Analyzer) -> Index:
    bodies = {briefing.id: briefing.body for briefing in briefings}
    chunks = []
    for briefing_id, paragraph, start, end, tokens in data["chunks"]:
        body = bodies[briefing_id]
        if not 0 <= start < end <= len(body):
            raise ValueError(f"chunk offsets {start}:{end} are outside {briefing_id}")
        chunks.append(Chunk(briefing_id, paragraph, start, end, body[start:end], tokens))
    terms = tuple(tuple(line.split()) for line in data["terms"])
    if len(terms) != len(chunks):
        raise ValueError("chunk and term counts differ")
    return Index.from_parts(briefings, tuple(chunks), terms, analyzer)


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never part."""
    handle = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False)
    try:
        with handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(handle.name).replace(path)
    except BaseException:
        Path(handle.name).unlink(missing_ok=True)
        raise
