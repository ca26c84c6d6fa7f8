"""The on-disk index cache: a directory of numpy arrays and a checksummed manifest.

A cache is a directory ``index-<key>/`` holding the postings (``index.postings``),
the vocabulary and the chunk table (``index.chunktable``) as ``.npy`` files (read with
``allow_pickle=False``), and ``manifest.json``: the format version, the key,
BM25's parameters, the briefing ids and each file's SHA-256. Loading reads
arrays and slices chunk texts out of the briefings; nothing is re-analysed.

The key covers the briefings' content hashes, the analyzer, the chunker and
BM25's parameters, so any change to them makes a new directory. It is written
in a hidden sibling directory, manifest last, and renamed into place, so a
crash never leaves a half-written cache where it would be read. A cache
that is truncated, garbled or of another format is discarded and rebuilt,
and so is one whose checksums match but whose contents do not fit the
briefings (a tampered or buggy writer): every field read is checked, and any
failure to load, of any kind, means a warning and a rebuild.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import BinaryIO

import numpy as np

from index.analysis import Analyzer
from index.briefing import Briefing
from index.chunking import Chunker
from index.chunktable import ChunkTable
from index.postings import ARRAY_DTYPES, Postings
from index.scoring import DEFAULT_B, DEFAULT_K1
from index.search import Index, Progress

CACHE_FORMAT = 4
MANIFEST = "manifest.json"
_PREFIX = "index-"
# Leftovers of a crashed write older than this are removed when a cache is saved.
_STALE_SECONDS = 3600
# Every array a cache holds, as files named <name>.npy.
_ARRAY_NAMES = ("chunk_rows", "vocabulary", "vocabulary_offsets", *ARRAY_DTYPES)


class CacheError(ValueError):
    """A cache exists but cannot be used; the message says why."""


def cache_key(briefings: tuple[Briefing, ...], analyzer: Analyzer, chunker: Chunker) -> str:
    """A digest of everything the cached index depends on."""
    parts = [CACHE_FORMAT, analyzer.version, chunker.version, DEFAULT_K1, DEFAULT_B]
    parts += sorted([briefing.id, briefing.digest] for briefing in briefings)
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


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
) -> Index:
    """The index for ``briefings``: from the cache if valid, else built and saved."""
    if directory is None:
        return Index.build(briefings, analyzer, chunker, progress)
    key = cache_key(briefings, analyzer, chunker)
    path = cache_path(directory, key)
    if path.exists():
        try:
            return load_index(path, key, briefings, analyzer)
        except Exception as error:  # noqa: BLE001 - whatever is wrong with it, it is rebuilt
            warn(f"discarding the index cache {path}: {_reason(error)}; rebuilding it")
    index = Index.build(briefings, analyzer, chunker, progress)
    try:
        save_index(index, path, key)
    except OSError as error:
        warn(
            f"could not write the index cache to {directory} ({error.strerror or error}); "
            "the index is kept in memory only"
        )
    return index


def save_index(index: Index, path: Path, key: str) -> None:
    """Write the index to the directory ``path`` atomically; remove older caches beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=path.parent, prefix=f".{path.name}."))
    try:
        digests = {
            f"{name}.npy": _write_array(staging / f"{name}.npy", array)
            for name, array in _arrays(index).items()
        }
        manifest = {
            "format": CACHE_FORMAT,
            "key": key,
            "k1": index.postings.k1,
            "b": index.postings.b,
            "briefings": [briefing.id for briefing in index.briefings],
            "sha256": digests,
        }
        _write_file(staging / MANIFEST, json.dumps(manifest, indent=1).encode())
        _fsync_directory(staging)
        _install(staging, path)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_directory(path.parent)
    _remove_stale(path)


def load_index(path: Path, key: str, briefings: tuple[Briefing, ...], analyzer: Analyzer) -> Index:
    """Read a cached index; CacheError if it is damaged or not for these briefings."""
    manifest = _read_manifest(path / MANIFEST)
    if manifest.get("key") != key:
        raise CacheError("it was built from other briefings")
    digests = manifest.get("sha256")
    if not isinstance(digests, dict) or not all(f"{n}.npy" in digests for n in _ARRAY_NAMES):
        raise CacheError("its manifest does not list every file")
    arrays = {name: _read_array(path, name, digests[f"{name}.npy"]) for name in _ARRAY_NAMES}
    try:
        return _index_from(arrays, manifest, briefings, analyzer)
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
    return arrays | {"vocabulary_offsets": offsets} | index.postings.arrays()


def _index_from(
    arrays: Mapping[str, np.ndarray],
    manifest: dict,
    briefings: tuple[Briefing, ...],
    analyzer: Analyzer,
) -> Index:
    """The index the arrays describe, checked against the briefings they claim to index."""
    if (manifest["k1"], manifest["b"]) != (DEFAULT_K1, DEFAULT_B):
        raise ValueError("it was built with other BM25 parameters")
    if manifest["briefings"] != [briefing.id for briefing in briefings]:
        raise ValueError("it lists other briefings, or lists them in another order")
    chunks = ChunkTable(briefings, arrays["chunk_rows"])
    terms = _terms(arrays["vocabulary"], arrays["vocabulary_offsets"])
    postings = Postings.from_arrays(terms, arrays, DEFAULT_K1, DEFAULT_B)
    return Index(briefings, chunks, analyzer, postings)


def _terms(vocabulary: np.ndarray, offsets: np.ndarray) -> tuple[str, ...]:
    if vocabulary.dtype != np.uint8 or offsets.dtype != np.int64 or len(offsets) < 1:
        raise ValueError("the vocabulary has the wrong type")
    if offsets[0] != 0 or offsets[-1] != len(vocabulary) or np.any(np.diff(offsets) < 0):
        raise ValueError("the vocabulary offsets do not fit the vocabulary")
    data = vocabulary.tobytes()
    bounds = offsets.tolist()
    return tuple(data[a:b].decode() for a, b in itertools.pairwise(bounds))


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


def _read_array(directory: Path, name: str, digest: object) -> np.ndarray:
    data = (directory / f"{name}.npy").read_bytes()
    if hashlib.sha256(data).hexdigest() != digest:
        raise CacheError(f"the checksum of {name}.npy does not match (truncated or damaged)")
    try:
        return _npy_view(data)
    except ValueError as error:
        raise CacheError(f"{name}.npy is not a numpy array ({error})") from None


def _npy_view(data: bytes) -> np.ndarray:
    """The array in ``.npy`` bytes, read-only and without a copy; never unpickles."""
    stream = io.BytesIO(data)
    version = np.lib.format.read_magic(stream)
    if version == (1, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_1_0(stream)
    elif version == (2, 0):
        shape, fortran_order, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"format version {version} is not supported")
    if dtype.hasobject:
        raise ValueError("it holds Python objects")
    count = math.prod(shape)
    if any(size < 0 for size in shape) or count * dtype.itemsize != len(data) - stream.tell():
        raise ValueError(f"its header's shape {shape} does not fit its data")
    flat = np.frombuffer(data, dtype=dtype, count=count, offset=stream.tell())
    return flat.reshape(shape, order="F" if fortran_order else "C")


def _write_array(path: Path, array: np.ndarray) -> str:
    """Save one array without pickle; return its file's SHA-256."""
    with path.open("wb") as handle:
        writer = _Hashing(handle)
        np.save(writer, array, allow_pickle=False)
        handle.flush()
        os.fsync(handle.fileno())
    return writer.digest.hexdigest()


class _Hashing:
    """A file wrapper that hashes what is written, so no array is copied to hash it."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        return self.handle.write(data)


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


def _remove_stale(path: Path) -> None:
    """Remove other caches beside ``path``, and leftovers of writes that crashed."""
    now = time.time()
    for entry in path.parent.iterdir():
        stale = entry.name.startswith(_PREFIX) and entry != path
        leftover = entry.name.startswith(f".{_PREFIX}") and _age(entry, now) > _STALE_SECONDS
        if stale or leftover:
            _remove(entry)


def _age(entry: Path, now: float) -> float:
    try:
        return now - entry.lstat().st_mtime
    except OSError:
        return 0.0


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        entry.unlink(missing_ok=True)
