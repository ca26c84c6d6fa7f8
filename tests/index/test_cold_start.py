"""Opening an archive through the cache: keyed by the file listing, briefings read when quoted."""

from __future__ import annotations

import builtins
import gc
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from bot.render import render_answer
from index.answering import answer
from index.catalog import open_catalog
from index.npyfiles import checksum
from index.stored import StaleBriefingError, StoredBriefing
from tests.conftest import BRIEFINGS, BUNDLED_ID, PROJECT

ZEPPELIN = "The zeppelin landed in Wonsan on Saturday, KCNA reported.\n\nNo one was hurt.\n"
SHOIGU = "Who is Russia's top security official visiting Pyongyang?"


def edit_unseen(path: Path) -> None:
    """Move the zeppelin's landing, keeping the file's size and times: no listing can tell."""
    status = path.stat()
    path.write_text(ZEPPELIN.replace("Wonsan", "Kaesng"))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size


class Builds:
    """A progress callback that counts how often an index is built from text."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, briefings):
        self.count += 1
        return iter(briefings)


class Opens:
    """Records every file opened through ``open``, ``io.open`` or ``Path.open``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.paths: list[Path] = []
        real = io.open

        def counting(file, *args, **kwargs):
            if isinstance(file, str | os.PathLike):
                self.paths.append(Path(file).resolve())
            return real(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", counting)
        monkeypatch.setattr(io, "open", counting)

    def under(self, folder: Path) -> list[Path]:
        return [path for path in self.paths if path.is_relative_to(folder.resolve())]


@pytest.fixture
def folder(tmp_path) -> Path:
    """An archive of two briefings: the bundled one and a short one."""
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    (folder / "zeppelin.txt").write_text(ZEPPELIN)
    return folder


def open_(folder: Path, cache: Path, warnings: list[str] | None = None, builds=None):
    warnings = [] if warnings is None else warnings
    return open_catalog([folder], cache, warnings.append, progress=builds or Builds())


def test_a_cold_start_with_a_valid_cache_opens_no_briefing_file(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    expected = render_answer(answer(open_(folder, cache), SHOIGU))
    opens = Opens(monkeypatch)
    builds, warnings = Builds(), []
    index = open_(folder, cache, warnings, builds)
    assert (builds.count, warnings) == (0, [])
    assert opens.under(folder) == []
    assert all(isinstance(b, StoredBriefing) and not b.loaded for b in index.briefings)
    # What lists and autocompletes briefings needs no text either.
    assert [b.name for b in index.briefings] == ["North Korea weapons test", "Zeppelin"]
    assert opens.under(folder) == []
    # A reply reads the briefing it quotes, once, and no other.
    assert render_answer(answer(index, SHOIGU)) == expected
    answer(index, SHOIGU)
    assert opens.under(folder) == [(folder / f"{BUNDLED_ID}.txt").resolve()]
    assert not index.briefing("zeppelin").loaded


def briefings_alive() -> int:
    gc.collect()
    return sum(isinstance(thing, StoredBriefing) for thing in gc.get_objects())


def test_a_cold_start_makes_only_the_briefings_a_reply_reads(folder, tmp_path):
    cache = tmp_path / "cache"
    open_(folder, cache)
    before = briefings_alive()
    index = open_(folder, cache)
    assert len(index.briefings) == 2 and index.briefings.ids == (BUNDLED_ID, "zeppelin")
    assert briefings_alive() == before  # opened from the columns: none made
    answer(index, SHOIGU)
    assert briefings_alive() == before + 1
    assert index.briefing(BUNDLED_ID).loaded


def test_opening_says_whether_the_cache_was_used(folder, tmp_path):
    cache = tmp_path / "cache"
    notes: list[str] = []
    open_catalog([folder], cache, lambda _: None, note=notes.append)
    open_catalog([folder], cache, lambda _: None, note=notes.append)
    open_catalog([folder], None, lambda _: None, note=notes.append)
    (path,) = [entry for entry in cache.iterdir() if entry.name.startswith("index-")]
    assert notes == [
        f"index built and cached: {path}",
        f"index cache used: {path}",
        "index built (no cache folder)",
    ]


def test_a_file_changed_in_size_or_time_rebuilds(folder, tmp_path):
    cache = tmp_path / "cache"
    open_(folder, cache)
    (folder / "zeppelin.txt").write_text(ZEPPELIN.replace("Wonsan", "Hamhung"))
    builds = Builds()
    index = open_(folder, cache, builds=builds)
    assert builds.count == 1
    assert "Hamhung" in render_answer(answer(index, "Where did the zeppelin land?"))


def test_a_briefing_edited_under_a_valid_listing_is_never_quoted_from_the_stale_index(
    folder, tmp_path
):
    cache = tmp_path / "cache"
    open_(folder, cache)
    edited = folder / "zeppelin.txt"
    # Same size, same modification time: the listing cannot tell.
    edit_unseen(edited)
    builds = Builds()
    stale = open_(folder, cache, builds=builds)
    assert builds.count == 0
    with pytest.raises(StaleBriefingError, match="zeppelin changed since it was indexed"):
        answer(stale, "Where did the zeppelin land?")
    # Asked again, it refuses again: it never falls back to the old offsets.
    with pytest.raises(StaleBriefingError):
        answer(stale, "Where did the zeppelin land?")
    # The stale cache is gone, so the next open indexes the new text.
    builds = Builds()
    fresh = open_(folder, cache, builds=builds)
    assert builds.count == 1
    reply = render_answer(answer(fresh, "Where did the zeppelin land?"))
    assert "Kaesng" in reply and "Wonsan" not in reply


def ask_after_an_unseen_edit(folder: Path, data: Path, monkeypatch, capsys, question: str):
    """Build the harness's cache, edit the zeppelin unseen, and ask: what was printed."""
    from bot.cli import main

    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(data))
    assert main(["index", "build", "--briefings", str(folder)]) == 0
    edit_unseen(folder / "zeppelin.txt")
    capsys.readouterr()
    assert main(["ask", "--briefings", str(folder), question]) == 0
    return capsys.readouterr()


def test_the_harness_reindexes_a_briefing_that_changed_and_answers(
    folder, tmp_path, monkeypatch, capsys
):
    question = "Where did the zeppelin land?"
    captured = ask_after_an_unseen_edit(folder, tmp_path / "data", monkeypatch, capsys, question)
    assert "Kaesng" in captured.out and "Wonsan" not in captured.out
    assert "zeppelin changed since it was indexed" in captured.err


def test_a_paragraph_asked_for_by_number_is_read_again_from_a_briefing_that_changed(
    tmp_path, monkeypatch, capsys
):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "zeppelin.txt").write_text(ZEPPELIN)
    data = tmp_path / "data"
    captured = ask_after_an_unseen_edit(folder, data, monkeypatch, capsys, "paragraph 1")
    assert "Kaesng" in captured.out and "Wonsan" not in captured.out
    assert "zeppelin changed since it was indexed" in captured.err


@pytest.mark.parametrize("command", ["chat", "eval"])
@pytest.mark.parametrize("removable", [True, False], ids=["cache", "read-only cache"])
def test_every_harness_command_reindexes_a_briefing_that_changed(
    folder, tmp_path, monkeypatch, capsys, command, removable
):
    from bot.cli import main

    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    assert main(["index", "build", "--briefings", str(folder)]) == 0
    if not removable:  # as in a read-only folder: the stale cache stays where it is
        monkeypatch.setattr("index.cache.remove", lambda path: None)
    edited = folder / "zeppelin.txt"
    edit_unseen(edited)
    question = "Where did the zeppelin land?"
    if command == "chat":
        monkeypatch.setattr("sys.stdin", io.StringIO(question + "\n"))
        arguments = ["chat", "--briefings", str(folder)]
    else:
        cases = tmp_path / "cases.jsonl"
        cases.write_text(json.dumps({"q": question, "paras": [1], "answer": "Kaesng"}) + "\n")
        arguments = ["eval", "--briefings", str(folder), "--failures", str(cases)]
    capsys.readouterr()
    assert main(arguments) == 0
    captured = capsys.readouterr()
    assert "zeppelin changed since it was indexed" in captured.err
    if command == "chat":
        assert "Kaesng" in captured.out and "Wonsan" not in captured.out
    else:
        assert "answer in reply   1.000" in captured.out


def test_a_file_that_could_not_be_read_is_indexed_once_it_can_be(folder, tmp_path, monkeypatch):
    """Permissions fixed with chmod change no size or time: the cache must not hide the file."""
    from index import loading

    read_bytes = loading._read_bytes

    def denied(file: Path, max_bytes: int) -> bytes:
        if file.name == "zeppelin.txt":
            raise PermissionError(13, "Permission denied")
        return read_bytes(file, max_bytes)

    cache = tmp_path / "cache"
    with monkeypatch.context() as patched:
        patched.setattr(loading, "_read_bytes", denied)
        warnings: list[str] = []
        assert [b.id for b in open_(folder, cache, warnings).briefings] == [BUNDLED_ID]
        assert any("zeppelin.txt: it cannot be read" in warning for warning in warnings)
    notes: list[str] = []
    index = open_catalog([folder], cache, lambda _: None, note=notes.append)
    assert sorted(b.id for b in index.briefings) == sorted([BUNDLED_ID, "zeppelin"])
    assert notes[0].endswith("zeppelin.txt can be read now: indexing again")


def test_texts_read_are_kept_within_a_bound_and_read_again_when_needed(
    folder, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    expected = render_answer(answer(open_(folder, cache), SHOIGU))
    monkeypatch.setattr("index.stored.DEFAULT_KEPT_CHARACTERS", len(ZEPPELIN) + 10)
    index = open_(folder, cache)
    bundled, zeppelin = index.briefing(BUNDLED_ID), index.briefing("zeppelin")
    assert render_answer(answer(index, SHOIGU)) == expected
    assert bundled.loaded
    assert "Wonsan" in render_answer(answer(index, "Where did the zeppelin land?"))
    assert zeppelin.loaded and not bundled.loaded  # over the bound: the older text went
    opens = Opens(monkeypatch)
    assert render_answer(answer(index, SHOIGU)) == expected  # read again, checked again
    assert opens.under(folder) == [(folder / f"{BUNDLED_ID}.txt").resolve()]


def test_an_unknown_acronym_reads_only_the_newest_briefings(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_(folder, cache)
    (folder / "older.txt").write_text("date 2020-01-02\nThe Quiet Zone Exchange met.\n")
    index = open_(folder, cache)
    monkeypatch.setattr("index.acronyms.MAX_SCANNED", 1)
    opens = Opens(monkeypatch)
    answer(index, "What did the QZX say?")
    assert opens.under(folder) == [(folder / f"{BUNDLED_ID}.txt").resolve()]  # dated newest
    assert index.spelled_out.get("QZX", lambda key: "not looked up") is None


def test_skipped_files_are_still_warned_of_from_the_cache(folder, tmp_path):
    cache = tmp_path / "cache"
    (folder / "empty.txt").write_text("")
    first: list[str] = []
    open_(folder, cache, first)
    second: list[str] = []
    builds = Builds()
    open_(folder, cache, second, builds)
    assert builds.count == 0
    assert second == first and len(first) == 1 and "empty.txt" in first[0]


def test_switching_between_two_folders_with_one_data_folder_never_rebuilds(folder, tmp_path):
    cache = tmp_path / "cache"
    other = tmp_path / "other"
    other.mkdir()
    (other / "zeppelin.txt").write_text(ZEPPELIN)
    open_(folder, cache)
    open_(other, cache)
    builds = Builds()
    for _ in range(3):
        assert len(open_(folder, cache, builds=builds).briefings) == 2
        assert len(open_(other, cache, builds=builds).briefings) == 1
    assert builds.count == 0


def test_a_moved_archive_keeps_its_cache(folder, tmp_path):
    cache = tmp_path / "cache"
    open_(folder, cache)
    moved = folder.rename(tmp_path / "moved")
    builds = Builds()
    index = open_(moved, cache, builds=builds)
    assert builds.count == 0
    assert "Shoigu" in render_answer(answer(index, SHOIGU))


def cache_folder(cache: Path) -> Path:
    [path] = [p for p in cache.iterdir() if p.name.startswith("index-")]
    return path


def rewrite_briefings_json(path: Path, change) -> None:
    document = json.loads((path / "briefings.json").read_text())
    change(document)
    data = json.dumps(document).encode()
    (path / "briefings.json").write_bytes(data)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["checksums"]["briefings.json"] = checksum(data)
    (path / "manifest.json").write_text(json.dumps(manifest))


def _retitle(document: dict) -> None:
    document["title"][0] = "Forged"


def _drop_last(document: dict) -> None:
    for name in ["id", "digest", "title", "date", "source", "url", "dateline", "name", "file"]:
        document[name].pop()


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (_drop_last, "not one paragraph count per briefing"),
        (lambda d: d["url"].pop(), "differ in length"),
        (lambda d: d["file"].pop(), "not one file per briefing"),
        (lambda d: d["file"].__setitem__(0, 9), "not listed"),
        (lambda d: d["file"].__setitem__(0, -1), "not listed"),
        (lambda d: d["file"].__setitem__(0, 10**30), "too large"),
        (lambda d: d["file"].__setitem__(1, d["file"][0]), "recorded twice"),
        (lambda d: d["file"].__setitem__(0, "0"), "not positions"),
        (lambda d: d["title"].__setitem__(0, 7), "not text"),
        (lambda d: d["id"].__setitem__(0, None), "not text"),
        (lambda d: d["id"].__setitem__(1, d["id"][0]), "names a briefing twice"),
        (lambda d: d.update(skipped=[[1, "no"]]), "recorded twice"),
        (lambda d: d.update(skipped=[["zeppelin.txt", "no"]]), "not a position and a reason"),
    ],
)
def test_a_tampered_record_of_the_briefings_is_discarded(folder, tmp_path, tamper, reason):
    cache = tmp_path / "cache"
    expected = render_answer(answer(open_(folder, cache), SHOIGU))
    rewrite_briefings_json(cache_folder(cache), tamper)
    warnings: list[str] = []
    builds = Builds()
    index = open_(folder, cache, warnings, builds)
    assert builds.count == 1
    assert len(warnings) == 1 and "rebuilding" in warnings[0] and reason in warnings[0]
    assert render_answer(answer(index, SHOIGU)) == expected


@pytest.mark.parametrize("forge", [_retitle, lambda d: d["id"].__setitem__(0, "renamed")])
def test_metadata_forged_in_the_cache_is_caught_when_the_text_is_read(folder, tmp_path, forge):
    cache = tmp_path / "cache"
    open_(folder, cache)
    rewrite_briefings_json(cache_folder(cache), forge)
    index = open_(folder, cache)
    with pytest.raises(StaleBriefingError, match="does not match what the index cache says"):
        answer(index, SHOIGU)
    builds = Builds()
    index = open_(folder, cache, builds=builds)
    assert builds.count == 1
    reply = render_answer(answer(index, SHOIGU))
    assert "Forged" not in reply and "renamed" not in reply


WARM_CHECK = """
import lzma, sys
from pathlib import Path
from index.answering import answer
from index.catalog import open_catalog

index = open_catalog([Path(sys.argv[1])], Path(sys.argv[2]), print)

def refuse(*args, **kwargs):
    raise AssertionError("a dictionary was read during a question")

lzma.open = refuse
print(answer(index, "Which officials travelled and held talks?").answered)
"""


def test_the_analyzer_is_warm_once_the_index_is_open(folder, tmp_path):
    open_(folder, tmp_path / "cache")
    # In a process of its own (this one's lemmatizer is warm already), from the cache.
    command = [sys.executable, "-c", WARM_CHECK, str(folder), str(tmp_path / "cache")]
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=PROJECT)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() in {"True", "False"}


def test_the_listing_finds_what_loading_finds_in_the_same_order(tmp_path):
    from index.listing import list_files
    from index.loading import briefing_files

    root = tmp_path / "archive"
    for name in [
        "a/b.txt",
        "a-c.txt",
        "a/z/y.MD",
        ".hidden/x.txt",
        "a/.x.txt",
        "b.csv",
        "c.markdown",
    ]:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("Text.\n")
    (root / "linked").symlink_to(root / "a", target_is_directory=True)
    (root / "d.txt").mkdir()
    listing = list_files([root, root / "a-c.txt"])
    assert [f.path for f in listing.files] == [*briefing_files(root), root / "a-c.txt"]
    assert [f.relative for f in listing.files] == [
        "a/b.txt",
        "a/z/y.MD",
        "a-c.txt",
        "c.markdown",
        "a-c.txt",
    ]
    assert [f.position for f in listing.files] == list(range(5))
    assert listing.file(3) == listing.files[3] and listing.file(3).stem == "c"
    assert len(listing) == 5 and listing.sizes == (6,) * 5
