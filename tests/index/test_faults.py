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
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from index.answering import answer
from index.cache import CACHE_FORMAT, open_index
from index.catalog import open_catalog
from index.parsing import parse_briefing
from index.render import render_answer
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
