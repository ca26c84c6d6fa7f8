"""The on-disk index cache: a directory of numpy arrays and a checksummed manifest.

A cache is a directory ``index-<key>/`` holding the postings (``index.postings``),
the vocabulary, the chunk table (``index.chunktable``) and the briefings'
paragraphs as ``.npy`` files, the briefings' metadata, column by column, in
``briefings.json`` (``index.briefingtable``), and ``manifest.json``: the
format version, the key, BM25's parameters, the number of briefings and each
file's checksum. Loading maps the arrays read-only (``index.npyfiles``), so
processes on one machine share their pages, makes a briefing only when it is
read, and slices chunk texts out of the briefings; nothing is re-analysed,
not even for the sentences an answer quotes (their spans and terms are
arrays too, ``index.sentencetable``).

Briefings read from files (``open_listing``) are keyed by the listing of
their files (paths, sizes, modification times), so a valid cache opens
without reading any briefing: each briefing's text is read, and checked
against the digest the cache was built from, when a reply first needs it.
Briefings given as text (``open_index``) are keyed by their content.
Either key also covers the analyzer, the chunker and BM25's parameters, so
any change to them makes a new directory. A cache is written in a hidden
sibling directory, manifest last, and renamed into place, so a crash never
leaves a half-written cache where it would be read. Several caches are kept
side by side, the least recently used removed beyond a size bound
(``index.eviction``). A cache that is truncated, garbled or of another
format is discarded and rebuilt, and so is one whose checksums match but
whose contents do not fit the briefings (a tampered or buggy writer): every
field read is checked, against the briefings when they are given and
against the listing (and, once read, each briefing's text) otherwise; any
failure to load, of any kind, means a warning and a rebuild.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import numpy as np

from index.analysis import Analyzer
from index.briefing import Briefing
from index.briefingtable import (
    BriefingTable,
    check_columns,
    check_files,
    describe,
    read_columns,
    skipped_files,
)
from index.chunking import Chunker
from index.chunktable import ChunkTable
from index.eviction import DEFAULT_MAX_BYTES, PREFIX, evict, remove, touch
from index.listing import ListedFile, Listing
from index.loading import MAX_BRIEFING_BYTES, UNREADABLE, BriefingsNotFoundError, Skipped
from index.npyfiles import ArrayFileError, checksum, read_array, write_array
from index.postings import ARRAY_DTYPES, Postings
from index.scoring import DEFAULT_B, DEFAULT_K1
from index.search import Index, Progress
from index.sentencetable import ARRAY_DTYPES as SENTENCE_ARRAYS
from index.sentencetable import SentenceTable
from index.stored import KeptTexts

CACHE_FORMAT = 9
MANIFEST = "manifest.json"
BRIEFINGS = "briefings.json"
_PREFIX = PREFIX
# Every array a cache holds, as files named <name>.npy.
_ARRAY_NAMES = (
    "chunk_rows",
    "vocabulary",
    "vocabulary_offsets",
    "paragraph_spans",
    "paragraph_counts",
    *ARRAY_DTYPES,
    *SENTENCE_ARRAYS,
)
_FILES = (*(f"{name}.npy" for name in _ARRAY_NAMES), BRIEFINGS)


class CacheError(ValueError):
    """A cache exists but cannot be used; the message says why."""


def cache_key(briefings: tuple[Briefing, ...], analyzer: Analyzer, chunker: Chunker) -> str:
    """A digest of everything the cached index of briefings given as text depends on."""
    parts = [CACHE_FORMAT, analyzer.version, chunker.version, DEFAULT_K1, DEFAULT_B]
    parts += sorted([briefing.id, briefing.digest] for briefing in briefings)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def listing_key(listing: Listing, analyzer: Analyzer, chunker: Chunker) -> str:
    """A digest of everything the cached index of the listed files depends on."""
    parts: list[object] = [CACHE_FORMAT, "files", analyzer.version, chunker.version]
    parts += [DEFAULT_K1, DEFAULT_B, MAX_BRIEFING_BYTES, len(listing.roots)]
    digest = hashlib.sha256(json.dumps(parts).encode())
    digest.update(b"\n" + listing.signature)
    return digest.hexdigest()


def cache_path(directory: Path, key: str) -> Path:
    """The directory the index for ``key`` lives in, inside ``directory``."""
    return directory / f"{_PREFIX}{key[:32]}"


def open_index(
    briefings: tuple[Briefing, ...],
    analyzer: Analyzer,
    chunker: Chunker,
    directory: Path | None,
    warn: Callable[[str], None],
    progress: Progress = iter,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Index:
    """The index for ``briefings``: from the cache if valid, else built and saved."""
    if directory is None:
        return Index.build(briefings, analyzer, chunker, progress)
    key = cache_key(briefings, analyzer, chunker)
    path = cache_path(directory, key)
    if path.exists():
        try:
            index = load_index(path, key, briefings, analyzer)
        except Exception as error:  # noqa: BLE001 - whatever is wrong with it, it is rebuilt
            warn(f"discarding the index cache {path}: {_reason(error)}; rebuilding it")
        else:
            touch(path / MANIFEST)
            return index
    index = Index.build(briefings, analyzer, chunker, progress)
    _save_or_warn(index, path, key, warn, max_bytes=max_bytes)
    return index


def open_listing(
    listing: Listing,
    analyzer: Analyzer,
    chunker: Chunker,
    directory: Path | None,
    warn: Callable[[str], None],
    progress: Progress = iter,
    max_bytes: int = DEFAULT_MAX_BYTES,
    workers: int | None = None,
    note: Callable[[str], None] = lambda _: None,
    refresh: bool = False,
) -> Index:
    """The index of the listed files: from the cache if valid, else read, built and saved.

    Files that do not load are warned of (from the cache's record of them
    when it is used). A build runs on ``workers`` processes (None: one per
    core for a large folder; ``index.building``). ``note`` is told whether the
    cache was used. ``refresh`` builds even if a cache for the listing exists
    (a file changed without changing its size or time, and the stale cache
    could not be removed). The cache is not used either when a file it
    records as unreadable can be read now. Raises BriefingsNotFoundError
    when none loads.
    """
    for unreadable in listing.unreadable:
        warn(str(unreadable))
    key = listing_key(listing, analyzer, chunker)
    path = cache_path(directory, key) if directory is not None else None
    if path is not None and path.exists() and not refresh:
        try:
            index, skipped = load_listed(path, key, listing, analyzer)
        except Exception as error:  # noqa: BLE001 - whatever is wrong with it, it is rebuilt
            warn(f"discarding the index cache {path}: {_reason(error)}; rebuilding it")
        else:
            readable = _readable_again(skipped)
            if readable is None:
                touch(path / MANIFEST)
                for skip in skipped:
                    warn(str(skip))
                note(f"index cache used: {path}")
                return index
            note(f"{readable} can be read now: indexing again")
    written: dict[str, dict] = {}

    def stale() -> None:
        if path is not None and "manifest" in written:
            _discard_if_same(path, written["manifest"])

    from index.building import build_listed  # its process pool is not needed to load a cache

    built = build_listed(listing, analyzer, chunker, stale, progress, workers)
    for file, reason in built.skipped:
        warn(str(Skipped(str(file.path), reason)))
    if built.index is None:
        raise BriefingsNotFoundError("no briefing file could be loaded")
    if path is not None:
        manifest = _save_or_warn(
            built.index, path, key, warn, built.files, built.skipped, max_bytes
        )
        if manifest is not None:
            written["manifest"] = manifest
            note(f"index built and cached: {path}")
    else:
        note("index built (no cache folder)")
    return built.index


def save_index(
    index: Index,
    path: Path,
    key: str,
    files: Sequence[ListedFile] | None = None,
    skipped: Sequence[tuple[ListedFile, str]] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict:
    """Write the index to the directory ``path`` atomically; return its manifest.

    ``files`` and ``skipped`` say where briefings read from a listing came
    from. Other caches beside it are then removed, least recently used
    first, until all of them together fit in ``max_bytes``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        record, paragraphs = describe(index.briefings, files, skipped)
        digests = {
            f"{name}.npy": write_array(staging / f"{name}.npy", array)
            for name, array in (_arrays(index) | paragraphs).items()
        }
        _write_file(staging / BRIEFINGS, record)
        digests[BRIEFINGS] = checksum(record)
        manifest = {
            "format": CACHE_FORMAT,
            "key": key,
            "k1": index.postings.k1,
            "b": index.postings.b,
            "briefings": len(index.briefings),
            "checksums": digests,
        }
        _write_file(staging / MANIFEST, json.dumps(manifest, indent=1).encode())
        _fsync_directory(staging)
        _install(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(path.parent)
    touch(path / MANIFEST)  # by the clock that stamps every use: the kernel's is coarser
    evict(path.parent, path, max_bytes, _is_cache)
    return manifest


def load_index(path: Path, key: str, briefings: tuple[Briefing, ...], analyzer: Analyzer) -> Index:
    """Read a cached index; CacheError if it is damaged or not for these briefings."""
    manifest, arrays, record = _read_files(path, key)
    try:
        columns = read_columns(record, arrays["paragraph_spans"], arrays["paragraph_counts"])
        check_columns(columns, briefings)
        return _index_from(arrays, manifest, briefings, analyzer)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as error:
        raise CacheError(f"its contents are inconsistent ({_one_line(error)})") from None


def load_listed(
    path: Path, key: str, listing: Listing, analyzer: Analyzer
) -> tuple[Index, tuple[Skipped, ...]]:
    """Read a cached index of the listed files, and the files it skipped; no briefing is read.

    CacheError if it is damaged or does not fit the listing. A briefing
    whose file turns out to have changed when it is read discards this cache
    (``index.stored``), unless it has been replaced meanwhile.
    """
    manifest, arrays, record = _read_files(path, key)

    def stale() -> None:
        _discard_if_same(path, manifest)

    try:
        columns = read_columns(record, arrays["paragraph_spans"], arrays["paragraph_counts"])
        check_files(columns, listing)
        briefings = BriefingTable(columns, listing, stale, KeptTexts())
        return _index_from(arrays, manifest, briefings, analyzer), skipped_files(columns, listing)
    except (ValueError, KeyError, TypeError, IndexError, OverflowError) as error:
        raise CacheError(f"its contents are inconsistent ({_one_line(error)})") from None


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the new, never part."""
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        temporary = Path(handle.name)
    try:
        _write_file(temporary, data)
        temporary.replace(path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _arrays(index: Index) -> dict[str, np.ndarray]:
    """Everything saved besides the manifest, by file name stem."""
    encoded = [term.encode() for term in index.postings.terms]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    np.cumsum([len(term) for term in encoded], out=offsets[1:])
    vocabulary = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    arrays = {"chunk_rows": index.chunks.rows, "vocabulary": vocabulary}
    arrays |= {"vocabulary_offsets": offsets} | index.postings.arrays()
    table = index.sentence_table or SentenceTable.none_kept(
        len(index.chunks), len(index.postings.chunk_terms)
    )
    return arrays | table.arrays()


def _index_from(
    arrays: Mapping[str, np.ndarray],
    manifest: dict,
    briefings: Sequence[Briefing],
    analyzer: Analyzer,
) -> Index:
    """The index the arrays describe, checked against the briefings they claim to index."""
    if (manifest["k1"], manifest["b"]) != (DEFAULT_K1, DEFAULT_B):
        raise ValueError("it was built with other BM25 parameters")
    count = manifest["briefings"]
    if type(count) is not int or count != len(briefings):
        raise ValueError("it counts another number of briefings")
    chunks = ChunkTable(briefings, arrays["chunk_rows"])
    terms = _terms(arrays["vocabulary"], arrays["vocabulary_offsets"])
    postings = Postings.from_arrays(terms, arrays, DEFAULT_K1, DEFAULT_B)
    lengths = chunks.rows[:, 3] - chunks.rows[:, 2]
    sentences = SentenceTable.from_arrays(arrays, lengths, postings.chunk_starts)
    return Index(briefings, chunks, analyzer, postings, sentences)


def _terms(vocabulary: np.ndarray, offsets: np.ndarray) -> tuple[str, ...]:
    if vocabulary.dtype != np.uint8 or offsets.dtype != np.int64 or len(offsets) < 1:
        raise ValueError("the vocabulary has the wrong type")
    if offsets[0] != 0 or offsets[-1] != len(vocabulary) or np.any(np.diff(offsets) < 0):
        raise ValueError("the vocabulary offsets do not fit the vocabulary")
    data = vocabulary.tobytes()
    bounds = offsets.tolist()
    return tuple(data[a:b].decode() for a, b in itertools.pairwise(bounds))


def _save_or_warn(
    index: Index,
    path: Path,
    key: str,
    warn: Callable[[str], None],
    files: Sequence[ListedFile] | None = None,
    skipped: Sequence[tuple[ListedFile, str]] = (),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict | None:
    """Save the index and return its manifest; warn and return None if it cannot be written."""
    try:
        return save_index(index, path, key, files, skipped, max_bytes)
    except OSError as error:
        warn(
            f"could not write the index cache to {path.parent} ({error.strerror or error}); "
            "the index is kept in memory only"
        )
        return None


def _read_files(path: Path, key: str) -> tuple[dict, dict[str, np.ndarray], bytes]:
    """The manifest, the arrays (memory-mapped) and ``briefings.json``, checksums checked."""
    manifest = _read_manifest(path / MANIFEST)
    if manifest.get("key") != key:
        raise CacheError("it was built from other briefings")
    digests = manifest.get("checksums")
    if not isinstance(digests, dict) or not all(name in digests for name in _FILES):
        raise CacheError("its manifest does not list every file")
    try:
        arrays = {
            name: read_array(path / f"{name}.npy", digests[f"{name}.npy"]) for name in _ARRAY_NAMES
        }
    except ArrayFileError as error:
        raise CacheError(str(error)) from None
    record = (path / BRIEFINGS).read_bytes()
    if checksum(record) != digests[BRIEFINGS]:
        raise CacheError(f"the checksum of {BRIEFINGS} does not match (truncated or damaged)")
    return manifest, arrays, record


def _readable_again(skipped: Sequence[Skipped]) -> str | None:
    """The first file the cache records as unreadable that opens now, if any."""
    for skip in skipped:
        if skip.reason.startswith(UNREADABLE):
            try:
                Path(skip.path).open("rb").close()
            except OSError:
                continue
            return skip.path
    return None


def _discard_if_same(path: Path, manifest: dict) -> None:
    """Remove the cache at ``path`` if it is still the one whose manifest was read.

    A briefing's file changed under it; a cache rebuilt there since is left alone.
    """
    try:
        current = json.loads((path / MANIFEST).read_bytes())
    except (OSError, ValueError, RecursionError):
        return
    if current == manifest:
        remove(path)


def _is_cache(entry: Path) -> bool:
    """Whether ``entry`` is a cache this version can read (else it is removed when saving)."""
    try:
        _read_manifest(entry / MANIFEST)
    except (OSError, CacheError):
        return False
    return True


def _reason(error: Exception) -> str:
    """Why a cache was not used, in one line of bounded length."""
    if isinstance(error, CacheError | OSError):
        return _one_line(error)
    return f"it is damaged ({type(error).__name__}: {_one_line(error)})"


def _one_line(error: BaseException, limit: int = 200) -> str:
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _read_manifest(path: Path) -> dict:
    try:
        manifest = json.loads(path.read_bytes())
    except (ValueError, RecursionError):  # bad JSON or UTF-8, huge numbers, deep nesting
        raise CacheError("its manifest is unreadable") from None
    if not isinstance(manifest, dict) or manifest.get("format") != CACHE_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise CacheError(f"it is format {found}, not {CACHE_FORMAT}")
    return manifest


def _write_file(path: Path, data: bytes) -> None:
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _fsync_directory(path: Path) -> None:
    """Make a rename inside ``path`` durable (a no-op where directories cannot be opened)."""
    try:
        descriptor = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _install(staging: Path, path: Path) -> None:
    """Rename the finished ``staging`` directory to ``path``, moving any older one aside."""
    if path.exists() or path.is_symlink():
        trash = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}.old."))
        path.replace(trash / "old")
        shutil.rmtree(trash, ignore_errors=True)
    try:
        staging.replace(path)
    except OSError:
        if not (path / MANIFEST).exists():
            raise
        # Another process installed the same index first; theirs is as good as ours.
        shutil.rmtree(staging, ignore_errors=True)
