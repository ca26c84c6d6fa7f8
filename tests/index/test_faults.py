"""Index cache faults, through ``open_index`` and ``open_catalog`` only.

A cache that is truncated, garbled, of another format or missing a file is
discarded with a warning and rebuilt, and the answers stay the same; a cache
directory that cannot be written (read-only, under a file, on a full disk)
gives a warning and the index answers from memory. The tests know nothing of
the cache's layout beyond "files under the cache directory", so they hold for
any format. Last, nothing shipped reads files with pickle or eval.
"""

from __future__ import annotations

import ast
import io
import json
import os
import re
import shutil
import signal
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import render_answer
from index.answering import answer
from index.cache import CACHE_FORMAT, open_index
from index.catalog import open_catalog
from index.npyfiles import checksum
from index.parsing import parse_briefing
from index.search import Index
from tests.conftest import BRIEFINGS, PROJECT

QUESTIONS = [
    "Who is Russia's top security official visiting Pyongyang?",
    "Where did Pyongyang test-launch cruise missiles?",
    "When did North Korea attack its neighbour?",
    "Where did the zeppelin land?",
    "What did China say?",
    "missile test",
]
SECOND = "The zeppelin landed in Wonsan on Saturday, KCNA reported.\n\nNo one was hurt.\n"


class Rebuilt(Exception):  # noqa: N818 - a signal, not an error
    """Raised by the progress callback: the cache was not used."""


@dataclass
class Opened:
    index: Index | None
    warnings: list[str]
    built: bool


@pytest.fixture(scope="module")
def briefings(bundled):
    return (bundled, parse_briefing(SECOND, "zeppelin"))


@pytest.fixture(scope="module")
def expected(briefings, analyzer, chunker) -> list[str]:
    return replies(Index.build(briefings, analyzer, chunker))


@pytest.fixture
def opener(briefings, analyzer, chunker) -> Callable[..., Opened]:
    def open_(directory: Path | None, *, abort: bool = False) -> Opened:
        warnings: list[str] = []
        built = False

        def progress(items):
            nonlocal built
            built = True
            if abort:
                raise Rebuilt
            return iter(items)

        try:
            index = open_index(briefings, analyzer, chunker, directory, warnings.append, progress)
        except Rebuilt:
            index = None
        return Opened(index, warnings, built)

    return open_


def replies(index: Index) -> list[str]:
    return [render_answer(answer(index, question)) for question in QUESTIONS]


def cache_files(directory: Path) -> list[Path]:
    """The files of the cache, leaving out hidden leftovers of writes."""
    return sorted(
        path
        for path in directory.rglob("*")
        if path.is_file() and not any(p.startswith(".") for p in path.relative_to(directory).parts)
    )


def check_one_line_warnings(warnings: list[str], *words: str) -> None:
    assert warnings
    for warning in warnings:
        assert "\n" not in warning
    for word in words:
        assert any(word in warning for warning in warnings), (word, warnings)


def check_detected(opener, directory: Path) -> None:
    """Opening warns and rebuilds instead of using the damaged cache."""
    opened = opener(directory, abort=True)
    assert opened.built, "a damaged cache was used"
    check_one_line_warnings(opened.warnings, "cache")


def check_rebuilt(opener, directory: Path, expected: list[str]) -> None:
    """Opening warns, rebuilds with the same answers, and the next open is clean."""
    opened = opener(directory)
    assert opened.built
    check_one_line_warnings(opened.warnings, "cache", "rebuild")
    assert replies(opened.index) == expected
    again = opener(directory)
    assert (again.built, again.warnings) == (False, [])
    assert replies(again.index) == expected


@pytest.fixture
def cached(opener, tmp_path) -> Path:
    directory = tmp_path / "cache"
    first = opener(directory)
    assert (first.built, first.warnings) == (True, [])
    assert cache_files(directory)
    return directory


def damaged(files: list[Path], damage: Callable[[bytes], bytes]) -> Iterator[Path]:
    """Damage each file in turn, yielding it; put it back afterwards."""
    for file in files:
        original = file.read_bytes()
        file.write_bytes(damage(original))
        try:
            yield file
        finally:
            file.write_bytes(original)


def test_a_valid_cache_is_read_without_rebuilding(opener, cached, expected):
    opened = opener(cached)
    assert (opened.built, opened.warnings) == (False, [])
    assert replies(opened.index) == expected


def test_the_catalog_uses_the_cache_too(tmp_path):
    warnings: list[str] = []
    first = open_catalog([BRIEFINGS], tmp_path / "cache", warnings.append)
    second = open_catalog([BRIEFINGS], tmp_path / "cache", warnings.append)
    assert warnings == []
    assert replies(first) == replies(second)


TRUNCATIONS = {
    "emptied": lambda data: b"",
    "halved": lambda data: data[: len(data) // 2],
    "one-byte-short": lambda data: data[:-1],
    "trailing-junk": lambda data: data + b"x",
}


@pytest.mark.parametrize("cut", TRUNCATIONS.values(), ids=TRUNCATIONS.keys())
def test_a_truncated_or_overlong_cache_file_is_detected(opener, cached, cut):
    for _ in damaged(cache_files(cached), cut):
        check_detected(opener, cached)


def garble_middle(data: bytes) -> bytes:
    """Flip every bit of up to 16 bytes in the middle; the length is unchanged."""
    start = max(0, len(data) // 2 - 8)
    end = min(len(data), start + 16)
    return data[:start] + bytes(b ^ 0xFF for b in data[start:end]) + data[end:]


def test_a_garbled_cache_file_is_detected(opener, cached):
    for _ in damaged(cache_files(cached), garble_middle):
        check_detected(opener, cached)


@pytest.mark.parametrize(
    "damage", [garble_middle, TRUNCATIONS["halved"]], ids=["garbled", "truncated"]
)
def test_a_damaged_cache_is_rebuilt_with_the_same_answers(opener, cached, expected, damage):
    for file in cache_files(cached):
        file.write_bytes(damage(file.read_bytes()))
    check_rebuilt(opener, cached, expected)


def is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def single_bit_flips(data: bytes) -> Iterator[int]:
    """Every position of a text file; the start and a sample of a binary one."""
    if is_text(data):
        yield from range(len(data))
    else:
        yield from range(min(len(data), 128))
        yield from range(128, len(data), 61)


def test_any_single_bit_flip_in_the_cache_is_detected(opener, cached):
    # Text files (headers, manifests) first: a flip there keeps them well-formed.
    for file in sorted(cache_files(cached), key=lambda f: not is_text(f.read_bytes())):
        original = file.read_bytes()
        for position in single_bit_flips(original):
            flipped = bytearray(original)
            flipped[position] ^= 1
            file.write_bytes(bytes(flipped))
            context = original[max(0, position - 12) : position + 12]
            assert opener(cached, abort=True).built, f"{file.name}@{position}: {context!r}"
        file.write_bytes(original)


def test_a_missing_cache_file_is_detected(opener, cached, expected):
    files = cache_files(cached)
    if len(files) == 1:
        pytest.skip("a one-file cache is either there or not")
    for file in files:
        original = file.read_bytes()
        file.unlink()
        check_detected(opener, cached)
        file.write_bytes(original)
    cache_files(cached)[0].unlink()
    check_rebuilt(opener, cached, expected)


def test_a_cache_of_another_format_version_is_detected_and_rebuilt(opener, cached, expected):
    marker = re.compile(rb'("format"\s*:\s*)' + str(CACHE_FORMAT).encode() + rb"\b")
    stamped = [file for file in cache_files(cached) if marker.search(file.read_bytes())]
    assert stamped, "no cache file records its format version"
    for file in stamped:
        file.write_bytes(marker.sub(rb"\g<1>" + str(CACHE_FORMAT + 1).encode(), file.read_bytes()))
    opened = opener(cached)
    check_one_line_warnings(opened.warnings, "cache", "format")
    assert replies(opened.index) == expected
    assert opener(cached).warnings == []


def test_a_cache_entry_of_the_wrong_kind_is_survived(opener, cached, expected):
    # Where the cache holds a file put a folder, and where a folder a file.
    for entry in [e for e in cached.iterdir() if not e.name.startswith(".")]:
        if entry.is_dir():
            shutil.rmtree(entry)
            entry.write_bytes(b"not a cache")
        else:
            entry.unlink()
            (entry / "inner").mkdir(parents=True)
    opened = opener(cached)
    check_one_line_warnings(opened.warnings, "cache")
    assert replies(opened.index) == expected


def test_leftovers_and_strangers_in_the_cache_folder_are_harmless(opener, tmp_path, expected):
    directory = tmp_path / "cache"
    directory.mkdir()
    (directory / ".index-0123.tmp").write_bytes(b"\x00" * 100)
    (directory / ".index-4567").mkdir()
    (directory / ".index-4567" / "manifest.json").write_text("{")
    (directory / "index-00000000000000000000000000000000").write_bytes(b"junk")
    (directory / "index-00000000000000000000000000000000.json").write_bytes(b"junk")
    (directory / "README").write_text("not ours")
    first = opener(directory)
    assert first.warnings == []
    assert replies(first.index) == expected
    assert (directory / "README").exists()
    second = opener(directory)
    assert (second.built, second.warnings) == (False, [])


# -- a tampered cache: checksums consistent, contents not ------------------------------
#
# Whoever can write the data folder can also make the checksums match. These
# tests change the manifest and the arrays and then fix the checksums up, so
# only the checks on what the cache says can notice.


def cache_folder(directory: Path) -> Path:
    [folder] = [p for p in directory.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return folder


def write_consistently(folder: Path, manifest: bytes | None = None, **arrays: bytes) -> None:
    """Replace the manifest and/or arrays, with the manifest's checksums made to match."""
    for name, data in arrays.items():
        (folder / f"{name}.npy").write_bytes(data)
    text = manifest if manifest is not None else (folder / "manifest.json").read_bytes()
    if arrays:
        listed = json.loads(text)
        for name, data in arrays.items():
            listed["checksums"][f"{name}.npy"] = checksum(data)
        text = json.dumps(listed).encode()
    (folder / "manifest.json").write_bytes(text)


def npy_header(descr: str, fortran_order: bool, shape: tuple[int, ...]) -> bytes:
    """A version 1.0 ``.npy`` header saying what it is told to, padded as numpy pads it."""
    text = f"{{'descr': {descr!r}, 'fortran_order': {fortran_order}, 'shape': {shape!r}, }}"
    size = 10 + len(text) + 1
    text += " " * (-size % 64) + "\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin-1")


def npy_body(data: bytes) -> bytes:
    """What follows the header in ``.npy`` bytes."""
    (length,) = struct.unpack("<H", data[8:10])
    return data[10 + length :]


def with_rows(original: bytes, change: Callable[[np.ndarray], None]) -> bytes:
    rows = np.load(io.BytesIO(original), allow_pickle=False).copy()
    change(rows)
    out = io.BytesIO()
    np.save(out, rows, allow_pickle=False)
    return out.getvalue()


def check_tampering_detected(opener, directory: Path) -> None:
    """Opening warns in one line and rebuilds; nothing escapes."""
    opened = opener(directory, abort=True)
    assert opened.built, "a tampered cache was used"
    check_one_line_warnings(opened.warnings, "cache", "rebuilding")


def set_cell(row: int, column: int, value: int) -> Callable[[np.ndarray], None]:
    def change(rows: np.ndarray) -> None:
        rows[row, column] = value

    return change


def swap_rows(first: int, second: int) -> Callable[[np.ndarray], None]:
    def change(rows: np.ndarray) -> None:
        rows[[first, second]] = rows[[second, first]]

    return change


MANIFEST_TAMPERING = {
    "nested-100000-deep": lambda m: m.replace(
        b'"k1"', b'"deep": ' + b"[" * 100_000 + b"]" * 100_000 + b', "k1"'
    ),
    "a-5000-digit-number": lambda m: m.replace(b'"k1"', b'"big": ' + b"9" * 5000 + b', "k1"'),
    "k1-1e400": lambda m: re.sub(rb'"k1": [^,]+', b'"k1": 1e400', m),
    "k1-nan": lambda m: re.sub(rb'"k1": [^,]+', b'"k1": NaN', m),
    "briefings-not-a-count": lambda m: re.sub(rb'"briefings": \d+', b'"briefings": {"a": 1}', m),
    "briefings-one-less": lambda m: re.sub(rb'"briefings": \d+', b'"briefings": 1', m),
    "briefings-a-float": lambda m: re.sub(rb'"briefings": \d+', b'"briefings": 2.0', m),
    "not-an-object": lambda m: b"[" + m + b"]",
    "briefings-lone-surrogate": lambda m: re.sub(
        rb'"briefings": \d+', lambda _: b'"briefings": "\\ud800"', m
    ),
}


@pytest.mark.parametrize("tamper", MANIFEST_TAMPERING.values(), ids=MANIFEST_TAMPERING.keys())
def test_a_tampered_manifest_is_discarded_and_rebuilt(opener, cached, expected, tamper):
    folder = cache_folder(cached)
    original = (folder / "manifest.json").read_bytes()
    tampered = tamper(original)
    assert tampered != original, "the tampering found nothing to change"
    write_consistently(folder, tampered)
    check_tampering_detected(opener, cached)
    check_rebuilt(opener, cached, expected)


@pytest.mark.parametrize("shape", [(2**40, 2**40), (2**62,), (-1, 5), (0,), (3, -2)], ids=str)
def test_an_array_header_that_lies_about_its_shape_is_discarded(opener, cached, expected, shape):
    folder = cache_folder(cached)
    original = (folder / "chunk_rows.npy").read_bytes()
    lying = npy_header("<i8", False, shape) + npy_body(original)
    write_consistently(folder, chunk_rows=lying)
    check_tampering_detected(opener, cached)
    check_rebuilt(opener, cached, expected)


# The chunk table's columns: briefing, paragraph, start, end, tokens.
ROW_TAMPERING = {
    "paragraph-1000000000": set_cell(0, 1, 1_000_000_000),
    "paragraph-minus-3": set_cell(0, 1, -3),
    "paragraph-0": set_cell(0, 1, 0),
    "paragraph-of-another-span": set_cell(0, 1, 2),
    "start-before-its-paragraph": set_cell(3, 2, 0),
    "end-past-the-body": set_cell(0, 3, 10**12),
    "tokens-negative": set_cell(0, 4, -1),
    "tokens-more-than-bytes": set_cell(0, 4, 10**9),
    "briefing-minus-1": set_cell(0, 0, -1),
    "two-chunks-swapped": swap_rows(2, 5),
}


@pytest.mark.parametrize("change", ROW_TAMPERING.values(), ids=ROW_TAMPERING.keys())
def test_a_chunk_row_that_does_not_fit_its_briefing_is_discarded(opener, cached, expected, change):
    folder = cache_folder(cached)
    rows = with_rows((folder / "chunk_rows.npy").read_bytes(), change)
    write_consistently(folder, chunk_rows=rows)
    check_tampering_detected(opener, cached)
    check_rebuilt(opener, cached, expected)


@pytest.mark.parametrize("value", [np.inf, np.nan, -1.0, 0.0])
@pytest.mark.parametrize("name", ["idf", "weights"])
def test_scores_that_are_not_positive_numbers_are_discarded(opener, cached, name, value):
    folder = cache_folder(cached)
    array = np.load(folder / f"{name}.npy", allow_pickle=False).copy()
    array[0] = value
    out = io.BytesIO()
    np.save(out, array, allow_pickle=False)
    write_consistently(folder, **{name: out.getvalue()})
    check_tampering_detected(opener, cached)


def test_a_tampered_cache_still_answers_through_the_harness(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["index", "build", "--briefings", str(BRIEFINGS)]) == 0
    folder = cache_folder(tmp_path / "data" / "cache")
    write_consistently(
        folder, MANIFEST_TAMPERING["nested-100000-deep"]((folder / "manifest.json").read_bytes())
    )
    capsys.readouterr()
    question = "Who is Russia's top security official visiting Pyongyang?"
    assert main(["ask", "--briefings", str(BRIEFINGS), question]) == 0
    captured = capsys.readouterr()
    assert "Sergei Shoigu" in captured.out
    [warning] = captured.err.splitlines()
    assert warning.startswith("briefbot: warning: discarding the index cache")


# -- fuzzing the manifest and the array headers -----------------------------------------

JSON_LEAVES = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=8,
)
DEPTHS = st.one_of(st.integers(1, 50), st.sampled_from([1_000, 100_000]))
# Fragments json.dumps would never write, spliced in as raw text.
RAW_VALUES = st.one_of(
    DEPTHS.map(lambda n: "[" * n + "]" * n),
    DEPTHS.map(lambda n: '{"a":' * n + "1" + "}" * n),
    st.sampled_from([4_300, 4_301, 5_000]).map(lambda n: "9" * n),
    st.sampled_from(["1e400", "-1e400", "NaN", "Infinity", "-0", '"\\ud800"', "[", "}", ""]),
)
PLACEHOLDER = "\u2063placeholder\u2063"


@st.composite
def tampered_manifests(draw, original: dict) -> bytes:
    manifest = json.loads(json.dumps(original))
    for _ in range(draw(st.integers(1, 3))):
        keys = [*manifest, "checksums", "briefings", "extra"]
        key = draw(st.sampled_from(keys))
        action = draw(st.sampled_from(["set", "raw", "delete", "inner"]))
        if action == "delete":
            manifest.pop(key, None)
        elif action == "inner" and isinstance(manifest.get(key), dict | list) and manifest[key]:
            inner = manifest[key]
            slot = draw(
                st.sampled_from(list(inner) if isinstance(inner, dict) else range(len(inner)))
            )
            inner[slot] = draw(JSON_VALUES)
        elif action == "raw":
            manifest[key] = PLACEHOLDER
        else:
            manifest[key] = draw(JSON_VALUES)
    text = json.dumps(manifest)
    for _ in range(text.count(json.dumps(PLACEHOLDER))):
        text = text.replace(json.dumps(PLACEHOLDER), draw(RAW_VALUES), 1)
    return text.encode()


DESCRS = ["<i8", "<i4", ">i8", "<u8", "<f8", "<f4", "|u1", "|b1", "<U4", "|V8", "<c16", "|O", "<m8"]
SIZES = st.one_of(
    st.integers(-3, 70), st.integers(0, 2**63 - 1), st.sampled_from([2**40, 2**31, 2**32])
)
HEADERS = st.tuples(st.sampled_from(DESCRS), st.booleans(), st.lists(SIZES, max_size=3).map(tuple))
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def check_tampered_open(opener, directory: Path, expected: list[str]) -> None:
    """Either the cache still says exactly what it said, or it is discarded with a warning."""
    opened = opener(directory, abort=True)
    if opened.built:
        check_one_line_warnings(opened.warnings, "cache", "rebuilding")
    else:
        assert opened.warnings == []
        assert replies(opened.index) == expected


def test_fuzzed_manifests_are_used_unchanged_or_discarded(opener, cached, expected):
    folder = cache_folder(cached)
    original = (folder / "manifest.json").read_bytes()

    @FUZZ
    @given(data=st.data())
    def check(data):
        try:
            write_consistently(folder, data.draw(tampered_manifests(json.loads(original))))
            check_tampered_open(opener, cached, expected)
        finally:
            (folder / "manifest.json").write_bytes(original)

    check()


def test_fuzzed_array_headers_are_used_unchanged_or_discarded(opener, cached, expected):
    folder = cache_folder(cached)
    files = sorted(p.stem for p in folder.glob("*.npy"))
    originals = {name: (folder / f"{name}.npy").read_bytes() for name in files}
    manifest = (folder / "manifest.json").read_bytes()

    @FUZZ
    @given(name=st.sampled_from(files), header=HEADERS)
    def check(name, header):
        try:
            lying = npy_header(*header) + npy_body(originals[name])
            write_consistently(folder, **{name: lying})
            check_tampered_open(opener, cached, expected)
        finally:
            (folder / f"{name}.npy").write_bytes(originals[name])
            (folder / "manifest.json").write_bytes(manifest)

    check()


def test_fuzzed_chunk_rows_are_checked_against_their_briefings(opener, cached):
    folder = cache_folder(cached)
    original = (folder / "chunk_rows.npy").read_bytes()
    manifest = (folder / "manifest.json").read_bytes()
    rows = np.load(io.BytesIO(original), allow_pickle=False)
    values = st.one_of(st.integers(-(2**63), 2**63 - 1), st.integers(-5, 5000))

    @FUZZ
    @given(
        cells=st.lists(
            st.tuples(st.integers(0, rows.shape[0] - 1), st.integers(0, rows.shape[1] - 1), values),
            min_size=1,
            max_size=3,
        )
    )
    def check(cells):
        def change(table: np.ndarray) -> None:
            for row, column, value in cells:
                table[row, column] = value

        try:
            write_consistently(folder, chunk_rows=with_rows(original, change))
            opened = opener(cached, abort=True)
            if opened.built:
                check_one_line_warnings(opened.warnings, "cache", "rebuilding")
                return
            for chunk in opened.index.chunks:
                briefing = opened.index.briefing(chunk.briefing_id)
                paragraph = briefing.paragraph(chunk.paragraph)
                assert paragraph.start <= chunk.start < chunk.end <= paragraph.end
                assert briefing.body[chunk.start : chunk.end] == chunk.text
        finally:
            (folder / "chunk_rows.npy").write_bytes(original)
            (folder / "manifest.json").write_bytes(manifest)

    check()


def check_in_memory_only(opener, directory: Path, expected: list[str]) -> None:
    opened = opener(directory)
    check_one_line_warnings(opened.warnings, "could not write", "memory")
    assert replies(opened.index) == expected


def test_a_cache_folder_inside_a_file_leaves_the_index_in_memory(opener, tmp_path, expected):
    (tmp_path / "data").write_text("a file where a folder should be")
    check_in_memory_only(opener, tmp_path / "data" / "cache", expected)


def test_a_cache_folder_that_is_a_file_leaves_the_index_in_memory(opener, tmp_path, expected):
    (tmp_path / "cache").write_text("a file where a folder should be")
    check_in_memory_only(opener, tmp_path / "cache", expected)
    assert (tmp_path / "cache").read_text() == "a file where a folder should be"


def read_only(directory: Path) -> None:
    """Make ``directory`` read-only, or skip where that stops nothing (as root)."""
    directory.chmod(0o500)
    probe = directory / "probe"
    try:
        probe.write_bytes(b"")
    except PermissionError:
        return
    probe.unlink()
    directory.chmod(0o700)
    pytest.skip("permissions do not stop this user writing (root?)")


@pytest.mark.parametrize("state", ["empty", "damaged"])
def test_a_read_only_cache_folder_leaves_the_index_in_memory(opener, tmp_path, expected, state):
    directory = tmp_path / "cache"
    if state == "empty":
        directory.mkdir()
    else:
        opener(directory)
        for file in cache_files(directory):
            file.write_bytes(garble_middle(file.read_bytes()))
    read_only(directory)
    try:
        check_in_memory_only(opener, directory, expected)
    finally:
        directory.chmod(0o700)


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="no file size limits here")
def test_a_full_disk_leaves_the_index_in_memory_and_no_half_written_cache(
    opener, tmp_path, expected
):
    # Under RLIMIT_FSIZE a write past the limit fails (EFBIG) as it would on a
    # full disk (ENOSPC); ignoring SIGXFSZ makes it an error, not a kill.
    import resource

    directory = tmp_path / "cache"
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64, limits[1]))
    try:
        opened = opener(directory)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, handler)
    check_one_line_warnings(opened.warnings, "could not write", "memory")
    assert replies(opened.index) == expected
    # What the failed write left is never taken for a cache.
    after = opener(directory)
    assert (after.built, after.warnings) == (True, [])
    assert replies(after.index) == expected


def test_without_a_cache_folder_nothing_is_written(opener, tmp_path, expected):
    opened = opener(None)
    assert (opened.built, opened.warnings) == (True, [])
    assert replies(opened.index) == expected


# What would let a file run code when read: unpickling, eval/exec, unsafe YAML.
_UNSAFE_MODULES = {"pickle", "cPickle", "_pickle", "dill", "marshal", "shelve", "joblib"}
_SAFE_YAML_LOADERS = {"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"}


def unsafe_calls(tree: ast.AST) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names = [alias.name for alias in node.names]
            modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else names
            for module in modules:
                if module.split(".")[0] in _UNSAFE_MODULES:
                    yield node.lineno, f"imports {module}"
        if not isinstance(node, ast.Call):
            continue
        name = ast.unparse(node.func)
        if name in {"eval", "exec", "__import__", "builtins.eval", "builtins.exec"}:
            yield node.lineno, f"calls {name}"
        if name.endswith(("yaml.unsafe_load", "yaml.full_load", "read_pickle", "torch.load")):
            yield node.lineno, f"calls {name}"
        if name.endswith("yaml.load"):
            loader = next((k.value for k in node.keywords if k.arg == "Loader"), None)
            if loader is None or ast.unparse(loader).split(".")[-1] not in _SAFE_YAML_LOADERS:
                yield node.lineno, "calls yaml.load with an unsafe loader"
        for keyword in node.keywords:
            if keyword.arg == "allow_pickle" and not (
                isinstance(keyword.value, ast.Constant) and keyword.value.value is False
            ):
                yield node.lineno, "passes allow_pickle other than False"


def test_unsafe_calls_are_found():
    found = list(
        unsafe_calls(
            ast.parse(
                "import pickle\nfrom marshal import loads\neval('1')\nyaml.load(x)\n"
                "np.load(f, allow_pickle=True)\nyaml.load(x, Loader=yaml.BaseLoader)\n"
                "np.load(f, allow_pickle=False)\nre.compile('x').match('y')\n"
            )
        )
    )
    assert [line for line, _ in found] == [1, 2, 3, 4, 5]


@pytest.mark.parametrize("package", ["index", "bot"])
def test_nothing_shipped_unpickles_or_evaluates(package):
    problems = []
    for path in sorted((PROJECT / package).rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        problems += [
            f"{path.relative_to(PROJECT)}:{line} {what}" for line, what in unsafe_calls(tree)
        ]
    assert problems == []
    assert os.path.isdir(PROJECT / package)  # noqa: PTH112 - the scan did look somewhere
