"""A cache's briefings as columns: read like the briefings they record, made only when read."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from index.answering import Status, answer
from index.briefing import Briefing
from index.briefingtable import (
    BriefingTable,
    ChainedBriefings,
    check_columns,
    check_files,
    dates_of,
    describe,
    ids_of,
    paragraph_arrays,
    read_columns,
    skipped_files,
    titles_of,
)
from index.catalog import open_catalog
from index.listing import list_files
from index.loading import load_briefings
from index.segments import Segments
from index.stored import StoredBriefing
from tests.conftest import BRIEFINGS, BUNDLED_ID
from tests.index.test_cold_start import Opens

DATED = {
    "older": "date 2024-05-01\n# Older news\n\nThe harbour reopened after the storm.\n",
    "newest": "date 2025-06-01\nThe council met in the harbour hall.\n\nIt voted twice.\n",
    "undated": "A ferry crossed the strait at dawn.\n",
}


@pytest.fixture
def folder(tmp_path) -> Path:
    folder = tmp_path / "briefings"
    folder.mkdir()
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    for name, text in DATED.items():
        (folder / f"{name}.txt").write_text(text)
    (folder / "empty.txt").write_text("")
    return folder


def table_of(folder: Path, stale=lambda: None) -> tuple[BriefingTable, tuple]:
    """The table a cache would hold of ``folder``, and the briefings loaded from the files."""
    loaded = load_briefings(folder)
    listing = list_files([folder])
    place = {file.path: file for file in listing.files}
    files = [place[path] for path in loaded.files]
    skipped = [(place[Path(skip.path)], skip.reason) for skip in loaded.skipped]
    data, arrays = describe(loaded.briefings, files, skipped)
    columns = read_columns(data, arrays["paragraph_spans"], arrays["paragraph_counts"])
    check_files(columns, listing)
    assert skipped_files(columns, listing) == loaded.skipped
    return BriefingTable(columns, listing, stale), loaded.briefings


def test_a_table_reads_like_the_briefings_it_records(folder):
    table, briefings = table_of(folder)
    assert len(table) == len(briefings) == 4
    assert table.ids == tuple(b.id for b in briefings)
    assert table == briefings and table[1:3] == briefings[1:3]
    for stored, briefing in zip(table, briefings, strict=True):
        assert isinstance(stored, StoredBriefing)
        assert (stored.id, stored.name, stored.date, stored.title) == (
            briefing.id,
            briefing.name,
            briefing.date,
            briefing.title,
        )
        assert stored.paragraphs == briefing.paragraphs
        assert stored.body == briefing.body
    assert table.index(briefings[2]) == 2
    for absent in [Briefing("elsewhere", "x", (), "d"), replace(briefings[2], digest="other")]:
        with pytest.raises(ValueError, match="not in the briefings"):
            table.index(absent)


def test_each_briefing_is_made_once_and_read_only_when_its_text_is_needed(folder, monkeypatch):
    table, _ = table_of(folder)
    opens = Opens(monkeypatch)
    first = table[0]
    assert table[0] is first and next(iter(table)) is first
    assert table[-1] is table[3] and table[-1].id == "undated"
    with pytest.raises(IndexError):
        table[4]
    names = ["North Korea weapons test", "Newest", "Older news", "Undated"]
    assert [b.name for b in table] == names
    assert opens.under(folder) == [] and not first.loaded
    assert "Shoigu" in first.body
    assert opens.under(folder) == [(folder / f"{BUNDLED_ID}.txt").resolve()]


def test_columns_that_do_not_describe_the_briefings_given_are_refused(folder):
    briefings = load_briefings(folder).briefings
    data, arrays = describe(briefings)
    columns = read_columns(data, arrays["paragraph_spans"], arrays["paragraph_counts"])
    check_columns(columns, briefings)
    with pytest.raises(ValueError, match="another number"):
        check_columns(columns, briefings[:-1])
    with pytest.raises(ValueError, match="'s id is not its own"):
        check_columns(columns, (*briefings[:-1], briefings[0]))
    shifted = arrays["paragraph_spans"] + np.array([0, 1])
    with pytest.raises(ValueError, match="paragraphs"):
        check_columns(read_columns(data, shifted, arrays["paragraph_counts"]), briefings)
    with pytest.raises(ValueError, match="no file is recorded"):
        check_files(columns, list_files([folder]))
    nameless = json.loads(data) | {"name": [None] * len(briefings)}
    with pytest.raises(ValueError, match="name column is not text"):
        read_columns(json.dumps(nameless).encode(), *arrays.values())


def test_a_summary_reads_only_the_newest_briefings_files(folder, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    open_catalog([folder], cache, lambda _: None)
    index = open_catalog([folder], cache, lambda _: None)
    monkeypatch.setattr("index.answering.SUMMARY_BRIEFINGS", 1)
    opens = Opens(monkeypatch)
    summary = answer(index, "summarise")
    assert summary.status is Status.SUMMARY
    assert [p.briefing.id for p in summary.passages] == ["newest"]
    assert opens.under(folder) == [(folder / "newest.txt").resolve()]


def test_a_search_of_one_briefing_over_segments_finds_it_in_its_table(folder, tmp_path):
    cache = tmp_path / "cache"
    open_catalog([folder], cache, lambda _: None)
    index = open_catalog([folder], cache, lambda _: None)
    assert isinstance(index.briefings, BriefingTable)
    extra = tmp_path / "extra.txt"
    extra.write_text("The harbour council of another town met too.\n")
    both = Segments([index, open_catalog([extra], None, lambda _: None)])
    hits = both.search(index.analyzer.analyze("harbour council"), 5, "newest")
    assert hits and {hit.chunk.briefing_id for hit in hits} == {"newest"}


def test_segments_read_their_briefings_as_one_sequence_in_order(folder, tmp_path):
    briefings = load_briefings(folder).briefings
    extra = tmp_path / "extra.txt"
    extra.write_text("date 2025-07-01\n# Extra\n\nThe harbour council of another town met too.\n")
    other = open_catalog([extra], None, lambda _: None)
    index = open_catalog([folder], tmp_path / "cache", lambda _: None)
    chained = Segments([index, other]).briefings
    whole = (*briefings, *other.briefings)
    assert isinstance(chained, ChainedBriefings)
    assert len(chained) == len(whole) == 5
    assert chained == whole and tuple(chained) == whole and chained[1:4] == whole[1:4]
    assert chained[-1] == whole[-1] and chained[4] == whole[4] and chained[-5] == whole[0]
    with pytest.raises(IndexError):
        chained[5]
    assert chained.index(whole[4]) == 4 and chained.index(whole[1]) == 1
    assert chained.index(whole[3], 0, -1) == whole.index(whole[3], 0, -1) == 3
    for start, stop in [(-3, 5), (0, -4)]:
        with pytest.raises(ValueError):
            whole.index(whole[1], start, stop)
        with pytest.raises(ValueError):
            chained.index(whole[1], start, stop)
    with pytest.raises(ValueError, match="not in the briefings"):
        chained.index(Briefing("elsewhere", "x", (), "d"))
    assert list(ids_of(chained)) == [b.id for b in whole]
    assert list(titles_of(chained)) == [b.title for b in whole]
    assert list(dates_of(chained)) == [b.date for b in whole]
    spans, counts = paragraph_arrays(chained)
    assert spans.tolist() == [list(span) for b in whole for span in b.spans().tolist()]
    assert counts.tolist() == [len(b.paragraphs) for b in whole]


def test_segments_over_a_cached_archive_make_no_briefing_until_one_is_read(
    folder, tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    open_catalog([folder], cache, lambda _: None)
    index = open_catalog([folder], cache, lambda _: None)
    made: list[str] = []

    def counted(record, *args):
        made.append(record.id)
        return StoredBriefing(record, *args)

    monkeypatch.setattr("index.briefingtable.StoredBriefing", counted)
    segments = Segments([index])
    assert len(segments.briefings) == 4 and made == []
    assert segments.briefing("newest").id == "newest"
    assert made == ["newest"]
