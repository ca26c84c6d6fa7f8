"""The index cache: numpy arrays and a manifest, checked, rebuilt when damaged."""

import json
import mmap
import os

import numpy as np
import pytest

from index import cache
from index.cache import (
    CACHE_FORMAT,
    MANIFEST,
    CacheError,
    cache_key,
    cache_path,
    load_index,
    open_index,
    write_atomically,
)
from index.chunking import Chunker
from index.npyfiles import checksum

QUESTIONS = ["Who visited Pyongyang?", "What did KCNA say about the missile?", "Ukraine"]


class Warnings(list):
    def __call__(self, message: str) -> None:
        self.append(message)


class Builds:
    """A progress callback that counts how often the index is built from text."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, briefings):
        self.count += 1
        return iter(briefings)


def open_cached(bundled, analyzer, chunker, directory, warn=None, builds=None):
    warn = Warnings() if warn is None else warn
    builds = Builds() if builds is None else builds
    return open_index((bundled,), analyzer, chunker, directory, warn, builds)


def cached_files(directory):
    [path] = [entry for entry in directory.iterdir() if entry.name.startswith("index-")]
    return path


def assert_same_index(loaded, built):
    assert loaded == built
    assert loaded.chunks == built.chunks
    for question in QUESTIONS:
        terms = built.analyzer.analyze(question)
        assert loaded.search(terms, 5) == built.search(terms, 5)
    for position in range(len(built.chunks)):
        assert loaded.terms_in(position) == built.terms_in(position)
        terms = built.terms_in(position)
        assert loaded.sentences_of(position, terms) == built.sentences_of(position, terms)
    for term in ["kim", "missil", "nowhere"]:
        assert loaded.idf(term) == built.idf(term)
        assert loaded.knows(term) == built.knows(term)


def test_a_saved_index_loads_without_rebuilding(bundled, analyzer, chunker, tmp_path):
    builds = Builds()
    built = open_cached(bundled, analyzer, chunker, tmp_path, builds=builds)
    loaded = open_cached(bundled, analyzer, chunker, tmp_path, builds=builds)
    assert builds.count == 1
    assert_same_index(loaded, built)


def test_the_cache_is_numpy_files_and_a_versioned_manifest(bundled, analyzer, chunker, tmp_path):
    open_cached(bundled, analyzer, chunker, tmp_path)
    path = cached_files(tmp_path)
    key = cache_key((bundled,), analyzer, chunker)
    assert path == cache_path(tmp_path, key)
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["format"] == CACHE_FORMAT and manifest["key"] == key
    files = [p.name for p in path.glob("*.npy")] + ["briefings.json"]
    assert sorted(manifest["checksums"]) == sorted(files)
    for file in path.glob("*.npy"):
        np.load(file, allow_pickle=False)
    json.loads((path / "briefings.json").read_text())
    assert not [entry for entry in tmp_path.iterdir() if entry.name.startswith(".")]


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda path: _truncate(path / "chunks.npy"), "checksum"),
        (lambda path: _flip_a_byte(path / "idf.npy"), "checksum"),
        (lambda path: (path / "weights.npy").unlink(), "weights.npy"),
        (lambda path: (path / MANIFEST).write_text("{not json"), "unreadable"),
        (lambda path: _truncate(path / MANIFEST), "unreadable"),
        (lambda path: _edit_manifest(path, format=CACHE_FORMAT + 1), f"not {CACHE_FORMAT}"),
        (lambda path: _edit_manifest(path, key="0" * 64), "other briefings"),
        (lambda path: _edit_manifest(path, checksums={}), "every file"),
        (lambda path: _edit_manifest(path, k1=1.3), "other BM25 parameters"),
    ],
)
def test_a_damaged_cache_is_rebuilt_with_a_warning(
    bundled, analyzer, chunker, tmp_path, damage, reason
):
    built = open_cached(bundled, analyzer, chunker, tmp_path)
    damage(cached_files(tmp_path))
    warnings, builds = Warnings(), Builds()
    rebuilt = open_cached(bundled, analyzer, chunker, tmp_path, warnings, builds)
    assert builds.count == 1
    assert len(warnings) == 1 and "rebuilding" in warnings[0] and reason in warnings[0]
    assert_same_index(rebuilt, built)
    # The rebuilt cache is whole again and loads silently.
    warnings = Warnings()
    assert_same_index(open_cached(bundled, analyzer, chunker, tmp_path, warnings), built)
    assert warnings == []


def test_arrays_that_pass_the_checksum_but_do_not_fit_are_refused(
    bundled, analyzer, chunker, tmp_path
):
    open_cached(bundled, analyzer, chunker, tmp_path)
    path = cached_files(tmp_path)
    rows = np.load(path / "chunk_rows.npy")
    rows[0, 3] = len(bundled.body) + 10
    _rewrite_array(path, "chunk_rows", rows)
    key = cache_key((bundled,), analyzer, chunker)
    with pytest.raises(CacheError, match="outside"):
        load_index(path, key, (bundled,), analyzer)


def test_sentences_that_pass_the_checksum_but_do_not_fit_are_refused(
    bundled, analyzer, chunker, tmp_path
):
    open_cached(bundled, analyzer, chunker, tmp_path)
    path = cached_files(tmp_path)
    masks = np.load(path / "sentence_masks.npy")
    masks[0] = 255  # names sentences the first chunk does not have
    _rewrite_array(path, "sentence_masks", masks)
    key = cache_key((bundled,), analyzer, chunker)
    with pytest.raises(CacheError, match="sentence"):
        load_index(path, key, (bundled,), analyzer)


@pytest.mark.parametrize(
    ("write", "message"),
    [
        (lambda path: np.save(path, np.array([{}], dtype=object), allow_pickle=True), "objects"),
        (lambda path: path.write_bytes(b"not an npy file"), "not a numpy array"),
    ],
)
def test_a_file_that_is_not_a_plain_array_is_refused_even_with_its_checksum(
    bundled, analyzer, chunker, tmp_path, write, message
):
    open_cached(bundled, analyzer, chunker, tmp_path)
    path = cached_files(tmp_path)
    write(path / "idf.npy")
    _rehash(path, "idf")
    key = cache_key((bundled,), analyzer, chunker)
    with pytest.raises(CacheError, match=message):
        load_index(path, key, (bundled,), analyzer)


def test_a_crash_while_saving_leaves_no_cache_to_read(
    bundled, analyzer, chunker, tmp_path, monkeypatch
):
    def crash(staging, path):
        raise OSError("disk full")

    monkeypatch.setattr(cache, "_install", crash)
    warnings = Warnings()
    index = open_cached(bundled, analyzer, chunker, tmp_path, warnings)
    assert index.search(analyzer.analyze("Shoigu"), 1)
    assert "kept in memory only" in warnings[0]
    assert list(tmp_path.iterdir()) == []


def test_saving_removes_caches_it_cannot_read_and_old_leftovers(
    bundled, analyzer, chunker, tmp_path
):
    (tmp_path / "index-0123.json").write_text("format 1")
    (tmp_path / "index-4567").mkdir()
    leftover = tmp_path / ".index-89ab.crashed"
    leftover.mkdir()
    fresh = tmp_path / ".index-cdef.writing"
    fresh.mkdir()
    old = 1_000_000_000
    os.utime(leftover, (old, old))
    open_cached(bundled, analyzer, chunker, tmp_path)
    names = sorted(entry.name for entry in tmp_path.iterdir())
    assert names == [fresh.name, cached_files(tmp_path).name]


def test_another_chunker_gets_another_cache(bundled, analyzer, chunker, encoding, tmp_path):
    open_cached(bundled, analyzer, chunker, tmp_path)
    builds = Builds()
    smaller = Chunker(encoding, max_tokens=40)
    index = open_cached(bundled, analyzer, smaller, tmp_path, builds=builds)
    assert builds.count == 1
    assert all(chunk.tokens <= 40 for chunk in index.chunks)


def test_without_a_directory_nothing_is_cached(bundled, analyzer, chunker):
    builds = Builds()
    open_cached(bundled, analyzer, chunker, None, builds=builds)
    assert builds.count == 1


def test_write_atomically_replaces_a_single_file(tmp_path):
    target = tmp_path / "settings.json"
    write_atomically(target, b"first")
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert [entry.name for entry in tmp_path.iterdir()] == ["settings.json"]


def _truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF
    path.write_bytes(bytes(data))


def _edit_manifest(path, **changes):
    manifest = json.loads((path / MANIFEST).read_text())
    (path / MANIFEST).write_text(json.dumps(manifest | changes))


def _rewrite_array(path, name, array):
    np.save(path / f"{name}.npy", array, allow_pickle=False)
    _rehash(path, name)


def _rehash(path, name):
    manifest = json.loads((path / MANIFEST).read_text())
    data = (path / f"{name}.npy").read_bytes()
    manifest["checksums"][f"{name}.npy"] = checksum(data)
    (path / MANIFEST).write_text(json.dumps(manifest))


def caches(directory):
    return {entry for entry in directory.iterdir() if entry.name.startswith("index-")}


def test_caches_are_kept_side_by_side_until_the_size_bound(bundled, analyzer, encoding, tmp_path):
    chunkers = [Chunker(encoding, max_tokens=size) for size in (40, 80, 160)]
    for chunker in chunkers:
        open_index((bundled,), analyzer, chunker, tmp_path, Warnings(), max_bytes=10**9)
    assert len(caches(tmp_path)) == 3
    builds = Builds()
    for chunker in chunkers:
        open_index((bundled,), analyzer, chunker, tmp_path, Warnings(), builds, 10**9)
    assert builds.count == 0


def test_the_least_recently_used_caches_go_first_beyond_the_bound(
    bundled, analyzer, encoding, tmp_path
):
    small, medium, large = (Chunker(encoding, max_tokens=size) for size in (40, 80, 160))

    def open_(chunker, max_bytes=10**9, builds=None):
        open_index(
            (bundled,), analyzer, chunker, tmp_path, Warnings(), builds or Builds(), max_bytes
        )
        return cache_path(tmp_path, cache_key((bundled,), analyzer, chunker))

    first, second = open_(small), open_(medium)
    open_(small)  # used again: now ``second`` is the least recently used
    sizes = {path: sum(f.stat().st_size for f in path.iterdir()) for path in (first, second)}
    third = cache_path(tmp_path, cache_key((bundled,), analyzer, large))
    # Room for two of the three: the one used longest ago goes.
    bound = sizes[first] + sizes[second] + 1000
    open_(large, bound)
    assert caches(tmp_path) == {first, third}
    # The cache just written stays even when it alone is over the bound.
    open_(medium, 1)
    assert caches(tmp_path) == {second}
    builds = Builds()
    open_(medium, 1, builds)
    assert builds.count == 0


def test_cache_arrays_are_mapped_read_only_not_copied(bundled, analyzer, chunker, tmp_path):
    built = open_cached(bundled, analyzer, chunker, tmp_path)
    loaded = open_cached(bundled, analyzer, chunker, tmp_path)
    assert loaded.sentence_table is not None
    mapped = [*loaded.postings.arrays().values(), *loaded.sentence_table.arrays().values()]
    for array in [loaded.chunks.rows, *mapped]:
        assert not array.flags.writeable and not array.flags.owndata
        assert isinstance(_root(array), mmap.mmap)
    with pytest.raises(ValueError, match="read-only"):
        loaded.postings.weights[0] = 1.0
    # The maps outlive the files: an index keeps answering after its cache is removed.
    for entry in cached_files(tmp_path).iterdir():
        entry.unlink()
    assert_same_index(loaded, built)


@pytest.mark.parametrize("name", ["weights", "chunk_rows", "vocabulary", "paragraph_spans"])
def test_a_tampered_mapped_file_is_discarded_and_rebuilt(
    bundled, analyzer, chunker, tmp_path, name
):
    built = open_cached(bundled, analyzer, chunker, tmp_path)
    _flip_a_byte(cached_files(tmp_path) / f"{name}.npy")
    warnings, builds = Warnings(), Builds()
    rebuilt = open_cached(bundled, analyzer, chunker, tmp_path, warnings, builds)
    assert builds.count == 1
    assert len(warnings) == 1 and f"checksum of {name}.npy" in warnings[0]
    assert_same_index(rebuilt, built)
    again = open_cached(bundled, analyzer, chunker, tmp_path, Warnings(), builds)
    assert builds.count == 1
    assert_same_index(again, built)


def _root(array):
    """What an array's memory finally belongs to."""
    while isinstance(array, np.ndarray) and array.base is not None:
        array = array.base
    return array.obj if isinstance(array, memoryview) else array


@pytest.mark.parametrize("cached", [False, True])
def test_a_file_name_that_is_not_utf8_is_indexed_and_quoted(tmp_path, cached):
    from index.answering import answer
    from index.catalog import open_catalog

    folder = tmp_path / "briefings"
    folder.mkdir()
    latin1 = folder / os.fsdecode(b"caf\xe9.txt")  # a Latin-1 name, as an old disk may hold
    latin1.write_bytes(b"The cafe reopened on Monday, Reuters reported.\n")
    for _ in range(2):  # built, then (with a cache folder) read back
        index = open_catalog([folder], tmp_path / "cache" if cached else None, Warnings())
        assert answer(index, "When did the cafe reopen?").best.paragraph == 1


def test_a_briefing_named_by_dots_alone_is_quoted_from_a_fresh_cache(tmp_path):
    from index.answering import answer
    from index.catalog import open_catalog

    path = tmp_path / "..txt"
    path.write_text("The cafe reopened on Monday, Reuters reported.\n")
    for _ in range(2):
        index = open_catalog([path], tmp_path / "cache", Warnings())
        assert answer(index, "When did the cafe reopen?").best.text.startswith("The cafe")
