"""Bad briefing files through ``load_briefings`` and ``open_catalog``.

Each is skipped with a one-line reason or accepted as text; one bad file
never stops the others from loading, and an accepted one chunks exactly.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.render import MESSAGE_LIMIT, render_answer
from index.answering import answer
from index.catalog import open_catalog
from index.chunking import Chunker
from index.loading import (
    MAX_BRIEFING_BYTES,
    BriefingsNotFoundError,
    load_briefings,
    read_briefing,
)
from index.parsing import BriefingFormatError
from index.search import Index
from tests.conftest import BRIEFINGS, BUNDLED_ID
from tests.index.assembly import index_from_parts

GOOD = b"The zeppelin landed in Seoul on Friday, officials said.\n"

# 200,000 characters in one paragraph: words, no punctuation, one rare word.
_WORDS = ("river", "stone", "window", "garden", "market", "silver", "harbour", "lantern")
_WALL_WORDS = [_WORDS[(n * 7 + n // 5) % len(_WORDS)] for n in range(31_000)]
_WALL_WORDS[15_000] = "zeppelin"
WALL = " ".join(_WALL_WORDS)[:200_000].rstrip()


def billion_laughs(levels: int = 9) -> bytes:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return ("---\n" + "\n".join(lines) + f"\ntitle: *a{levels - 1}\n---\nBody.\n").encode()


# (file name, contents, words the skip reason must contain).
BAD_FILES = [
    ("empty.txt", b"", "it is empty"),
    ("blank.md", b" \n\t\r\n  \n", "it is empty"),
    ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00", "binary"),
    ("latin1.txt", "Caf\xe9 in Pyongyang.\n".encode("latin-1"), "not UTF-8 text (byte 3"),
    ("truncated-utf8.txt", "Kim Jong Un 김정은".encode()[:-1], "not UTF-8 text"),
    ("utf16.txt", "Kim met Shoigu.\n".encode("utf-16"), "UTF-16"),
    ("unclosed.md", b"---\ntitle: Talks\ndate: 2025-03-22\n\nBody text.\n", "no closing '---'"),
    ("bad-yaml.md", b"---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML (line 3)"),
    ("yaml-list.md", b"---\n- a\n- b\n---\nBody.\n", "'key: value' lines"),
    ("bad-date.md", b"---\ndate: 2025-13-45\n---\nBody.\n", "'2025-13-45' is not a YYYY-MM-DD"),
    ("bad-header-date.txt", b"date 2025-02-30 SEOUL: Body.\n", "not a YYYY-MM-DD"),
    ("list-title.md", b"---\ntitle: [a, b]\n---\nBody.\n", "title is a list or mapping"),
    ("laughs.md", billion_laughs(), "title is a list or mapping"),
    ("deep.md", b"---\ntitle: " + b"[" * 1_000 + b"\n---\nBody.\n", "nested too deeply"),
    ("python-tag.md", b"---\ntitle: !!python/object/apply:os.system [ls]\n---\nB.\n", "title"),
    ("metadata-only.md", b"---\ntitle: Only metadata\n---\n\n", "no paragraphs"),
    ("heading-only.md", b"# Just a heading\n", "no paragraphs"),
]


def write(folder, name: str, data: bytes):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def reasons(loaded) -> dict[str, str]:
    return {Path(skipped.path).name: skipped.reason for skipped in loaded.skipped}


@pytest.mark.parametrize(("name", "data", "reason"), BAD_FILES, ids=[f[0] for f in BAD_FILES])
def test_a_bad_file_is_skipped_with_its_reason_and_the_good_one_loads(tmp_path, name, data, reason):
    write(tmp_path, "a-good.txt", GOOD)
    write(tmp_path, name, data)
    write(tmp_path, "z-good.md", GOOD)
    started = time.perf_counter()
    loaded = load_briefings(tmp_path)
    assert time.perf_counter() - started < 5
    assert sorted(briefing.id for briefing in loaded.briefings) == ["a-good", "z-good"]
    assert reason in reasons(loaded)[name]
    (skipped,) = loaded.skipped
    assert str(skipped).startswith(f"skipped {tmp_path / name}: ")
    assert "\n" not in str(skipped)


def test_every_bad_file_at_once_leaves_the_good_ones_loaded_and_warned_of(tmp_path):
    for name, data, _ in BAD_FILES:
        write(tmp_path / "bad", name, data)
    write(tmp_path / "good", "zeppelin.txt", GOOD)
    write(tmp_path, f"{BUNDLED_ID}.txt", (BRIEFINGS / f"{BUNDLED_ID}.txt").read_bytes())
    warnings: list[str] = []
    index = open_catalog([tmp_path], None, warnings.append)
    assert sorted(b.id for b in index.briefings) == sorted([BUNDLED_ID, "zeppelin"])
    assert len(warnings) == len(BAD_FILES)
    assert all(w.startswith("skipped ") and "\n" not in w for w in warnings)
    assert answer(index, "Where did the zeppelin land?").best.briefing.id == "zeppelin"
    assert answer(index, "Who visited Pyongyang?").answered


def test_when_no_file_loads_the_catalog_says_so(tmp_path):
    for name, data, _ in BAD_FILES[:4]:
        write(tmp_path, name, data)
    warnings: list[str] = []
    with pytest.raises(BriefingsNotFoundError, match="could be loaded"):
        open_catalog([tmp_path], None, warnings.append)
    assert len(warnings) == 4


def test_a_utf8_byte_order_mark_is_dropped_and_the_front_matter_still_read(tmp_path):
    write(tmp_path, "bom.md", b"\xef\xbb\xbf---\ntitle: Talks\n---\nThe zeppelin landed.\n")
    (briefing,) = load_briefings(tmp_path).briefings
    assert briefing.title == "Talks"
    assert "\ufeff" not in briefing.body
    assert [briefing.text(p) for p in briefing.paragraphs] == ["The zeppelin landed."]


@pytest.mark.parametrize("newline", [b"\r\n", b"\r"], ids=["windows", "old-mac"])
def test_windows_and_old_mac_line_endings_read_like_unix_ones(tmp_path, chunker, newline):
    unix = (BRIEFINGS / f"{BUNDLED_ID}.txt").read_bytes()
    write(tmp_path / "unix", "b.txt", unix)
    write(tmp_path / "other", "b.txt", unix.replace(b"\n", newline))
    (expected,) = load_briefings(tmp_path / "unix").briefings
    (briefing,) = load_briefings(tmp_path / "other").briefings
    assert "\r" not in briefing.body
    assert briefing.body == expected.body
    assert briefing.paragraphs == expected.paragraphs
    assert (briefing.date, briefing.dateline) == ("2025-03-21", "SEOUL")
    for chunk in chunker.chunk(briefing):
        assert briefing.body[chunk.start : chunk.end] == chunk.text


def test_a_200000_character_paragraph_without_punctuation_loads_chunks_and_answers(
    tmp_path, analyzer, chunker
):
    assert len(WALL) == 200_000 and "." not in WALL
    write(tmp_path, "wall.txt", WALL.encode())
    (briefing,) = load_briefings(tmp_path).briefings
    assert len(briefing.paragraphs) == 1
    chunks = chunker.chunk(briefing)
    assert all(briefing.body[c.start : c.end] == c.text for c in chunks)
    assert all(c.tokens <= chunker.max_tokens for c in chunks)
    assert " ".join(c.text for c in chunks).split() == WALL.split()
    index = Index.build([briefing], analyzer, chunker)
    result = answer(index, "Where is the zeppelin?")
    assert result.answered
    reply = render_answer(result)
    assert "zeppelin" in reply and len(reply) <= MESSAGE_LIMIT


@pytest.mark.parametrize(
    "paragraph",
    [
        "A. " * 20_000,
        "Mr. Kim " * 8_000,
        "x" * 60_000,
        "!" * 60_000,
        "." * 60_000,
        "김정은" * 20_000,
        "word, " * 10_000,
        "a-" * 30_000,
    ],
    ids=["initials", "abbreviations", "one-letter", "bangs", "dots", "hangul", "commas", "hyphens"],
)
def test_long_paragraphs_of_odd_text_load_chunk_and_answer_quickly(
    tmp_path, analyzer, chunker, paragraph
):
    # Each of these took from 10 s to minutes when sentence splitting and acronym
    # lookups were quadratic in the length of a run.
    write(tmp_path, "odd.txt", paragraph.encode())
    started = time.perf_counter()
    (briefing,) = load_briefings(tmp_path).briefings
    chunks = chunker.chunk(briefing)
    assert time.perf_counter() - started < 5
    assert all(briefing.body[c.start : c.end] == c.text for c in chunks)
    assert all(c.tokens <= chunker.max_tokens for c in chunks)
    assert "".join(c.text for c in chunks).replace(" ", "") == paragraph.replace(" ", "")
    index = index_from_parts(
        (briefing,), chunks, [analyzer.analyze(c.text) for c in chunks], analyzer
    )
    started = time.perf_counter()
    for question in ["What did the AKW say?", "Who is Kim?", "x"]:
        assert len(render_answer(answer(index, question))) <= MESSAGE_LIMIT
    assert time.perf_counter() - started < 2


def test_a_file_over_the_size_limit_is_skipped_and_one_at_it_loads(tmp_path):
    write(tmp_path, "at.txt", b"x" * 999 + b"\n")
    write(tmp_path, "over.txt", b"x" * 1000 + b"\n")
    loaded = load_briefings(tmp_path, max_bytes=1000)
    assert [b.id for b in loaded.briefings] == ["at"]
    assert reasons(loaded) == {"over.txt": "it is larger than the limit of 1,000 bytes"}


def test_the_default_size_limit_applies(tmp_path):
    write(tmp_path, "huge.txt", b"word " * (MAX_BRIEFING_BYTES // 5 + 1))
    assert (
        "larger than the limit of 2,097,152 bytes" in reasons(load_briefings(tmp_path))["huge.txt"]
    )


def test_duplicate_ids_across_folders_keep_the_first_and_name_both_files(tmp_path):
    first = write(tmp_path / "one", "same.txt", b"First.\n")
    second = write(tmp_path / "two", "same.md", b"Second.\n")
    loaded = load_briefings([tmp_path / "one", tmp_path / "two"])
    assert [b.body for b in loaded.briefings] == ["First.\n"]
    (skipped,) = loaded.skipped
    assert skipped.path == str(second)
    assert "already named 'same'" in skipped.reason and str(first) in skipped.reason


def test_a_file_name_with_a_line_break_is_warned_of_on_one_line(tmp_path):
    write(tmp_path, "two\nlines.txt", b"")
    (skipped,) = load_briefings(tmp_path).skipped
    assert "\n" not in str(skipped) and "lines.txt" in str(skipped)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_or_folder_with_a_briefing_name_is_not_read(tmp_path):
    os.mkfifo(tmp_path / "pipe.txt")  # reading it would block forever
    (tmp_path / "folder.md").mkdir()
    (tmp_path / "dangling.txt").symlink_to(tmp_path / "nowhere.txt")
    write(tmp_path, "good.txt", GOOD)
    loaded = load_briefings(tmp_path)
    assert [b.id for b in loaded.briefings] == ["good"]


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.lists(
            st.sampled_from(
                [
                    "---\n",
                    "title: ",
                    "date: ",
                    "2025-03-21",
                    "[",
                    "]",
                    "{",
                    "&a ",
                    "*a",
                    "\n",
                    "\r\n",
                    "\ufeff",
                    "# ",
                    "SEOUL: ",
                    "date 2025-01-01 ",
                    "Kim said. ",
                    "'",
                    '"',
                    "!!python/name:os.system",
                    "- ",
                    ": ",
                    "\x00",
                    "\xff",
                ]
            ),
            max_size=30,
        ).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
    )
)
def test_any_bytes_load_as_a_briefing_or_fail_with_a_reason(data):
    try:
        briefing = read_briefing(data, "any")
    except BriefingFormatError as error:
        assert str(error) and "\n" not in str(error)
        return
    assert briefing.paragraphs
    for paragraph in briefing.paragraphs:
        text = briefing.text(paragraph)
        assert text == text.strip() and text and "\n" not in text


paragraph_pieces = st.sampled_from(
    ["A. ", "Mr. ", "U.S. ", "Kim said. ", "?! ", "…", "x" * 50, "김정은", "\u200b", "— ", " "]
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.lists(paragraph_pieces | st.text(min_size=1, max_size=20), max_size=60).map("".join),
        min_size=1,
        max_size=5,
    ),
    st.integers(8, 40),
)
def test_chunks_are_exact_ordered_and_lose_nothing(encoding, paragraphs, budget):
    data = "\r\n".join(paragraphs).encode("utf-8", "surrogatepass")
    try:
        briefing = read_briefing(data, "generated")
    except BriefingFormatError:
        return
    chunker = Chunker(encoding, budget)
    chunks = chunker.chunk(briefing)
    for paragraph in briefing.paragraphs:
        mine = [c for c in chunks if c.paragraph == paragraph.number]
        assert mine[0].start == paragraph.start and mine[-1].end == paragraph.end
        for chunk in mine:
            assert briefing.body[chunk.start : chunk.end] == chunk.text
            assert chunk.tokens == chunker.count(chunk.text) <= budget
        # Between one chunk and the next there is nothing but white space.
        for before, after in itertools.pairwise(mine):
            assert before.end <= after.start
            assert not briefing.body[before.end : after.start].strip()
