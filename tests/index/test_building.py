"""Building the index of listed files in worker processes gives the index one process builds."""

from __future__ import annotations

import shutil

import numpy as np

from bot.render import render_answer
from index.answering import answer
from index.building import build_listed
from index.catalog import open_catalog
from index.listing import list_files
from index.search import Index
from index.stored import StoredBriefing
from tests.conftest import BRIEFINGS, BUNDLED_ID
from tests.index.test_sentencetable import AWKWARD

QUESTIONS = ["Who visited Pyongyang?", "Where did the zeppelin land?", "penguins", "missile test"]


def archive(tmp_path):
    folder = tmp_path / "briefings"
    (folder / "more").mkdir(parents=True)
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", folder)
    (folder / "zeppelin.txt").write_text("The zeppelin landed in Wonsan, KCNA said.\n")
    (folder / "more" / "zeppelin.md").write_text("A second file of the same name.\n")
    (folder / "empty.txt").write_text("")
    (folder / "binary.txt").write_bytes(b"\x00\x01")
    for number in range(12):
        (folder / "more" / f"penguins-{number}.txt").write_text(
            f"HOBART: Researchers counted {number * 1000} emperor penguins on island {number}.\n"
        )
    return folder


def test_workers_build_the_index_one_process_builds(tmp_path, analyzer, chunker):
    listing = list_files([archive(tmp_path)])
    alone = build_listed(listing, analyzer, chunker, lambda: None, workers=1)
    pooled = build_listed(listing, analyzer, chunker, lambda: None, workers=2)
    assert pooled.skipped == alone.skipped and len(alone.skipped) == 3
    assert pooled.files == alone.files
    one, two = alone.index, pooled.index
    assert np.array_equal(one.chunks.rows, two.chunks.rows)
    assert one.postings.terms == two.postings.terms
    for name, array in one.postings.arrays().items():
        assert np.array_equal(array, two.postings.arrays()[name]), name
    assert one.sentence_table is not None and two.sentence_table is not None
    for name, array in one.sentence_table.arrays().items():
        assert np.array_equal(array, two.sentence_table.arrays()[name]), name
    assert [render_answer(answer(two, q)) for q in QUESTIONS] == [
        render_answer(answer(one, q)) for q in QUESTIONS
    ]


def test_a_build_of_files_equals_a_build_of_the_same_briefings_in_memory(
    tmp_path, analyzer, chunker
):
    folder = archive(tmp_path)
    index = open_catalog([folder], None, lambda message: None, workers=2)
    assert all(isinstance(b, StoredBriefing) for b in index.briefings)
    in_memory = Index.build(index.briefings, analyzer, chunker)
    assert index.chunks == in_memory.chunks
    assert_same_arrays(index, in_memory)
    assert [render_answer(answer(index, q)) for q in QUESTIONS] == [
        render_answer(answer(in_memory, q)) for q in QUESTIONS
    ]


def test_many_files_shared_among_workers_give_the_index_of_one_process(tmp_path, analyzer, chunker):
    # Enough files that each worker indexes several batches, numbering terms its own
    # way, with paragraphs (and so terms) shared between files and a second file of a
    # name in the middle; each chunk is built in memory the plain way, term by term.
    paragraphs = [
        text.strip()
        for source in (BRIEFINGS / f"{BUNDLED_ID}.txt").read_text().split("\n\n")[1:]
        + AWKWARD.split("\n\n")
        if (text := source.strip())
    ]
    folder = tmp_path / "briefings"
    (folder / "b").mkdir(parents=True)
    for number in range(90):
        chosen = [paragraphs[(number * 7 + step * 5) % len(paragraphs)] for step in range(3)]
        name = f"{'a' if number < 45 else 'c'}-{number:02}.txt"  # b/ comes between them
        (folder / name).write_text("\n\n".join(chosen) + "\n")
    (folder / "b" / "a-10.txt").write_text(f"{AWKWARD}\nOnly here: zanzibar.\n")
    built = build_listed(list_files([folder]), analyzer, chunker, lambda: None, workers=2)
    assert len(built.files) == 90 and len(built.skipped) == 1
    in_memory = Index.build(built.index.briefings, analyzer, chunker)
    assert np.array_equal(built.index.chunks.rows, in_memory.chunks.rows)
    assert_same_arrays(built.index, in_memory)
    assert "zanzibar" not in built.index.postings.terms


def assert_same_arrays(index: Index, expected: Index) -> None:
    """The postings and sentence table are those of ``expected``, array for array."""
    assert index.postings.terms == expected.postings.terms
    for name, array in expected.postings.arrays().items():
        assert np.array_equal(array, index.postings.arrays()[name]), name
    assert index.sentence_table is not None and expected.sentence_table is not None
    for name, array in expected.sentence_table.arrays().items():
        assert np.array_equal(array, index.sentence_table.arrays()[name]), name


def test_skipped_files_are_warned_of_whatever_the_workers(tmp_path):
    folder = archive(tmp_path)
    warned = {}
    for workers in (1, 2):
        warnings: list[str] = []
        open_catalog([folder], None, warnings.append, workers=workers)
        warned[workers] = warnings
    assert warned[1] == warned[2]
    assert any("already named 'zeppelin'" in warning for warning in warned[1])
    assert any("empty.txt: it is empty" in warning for warning in warned[1])


def test_without_worker_processes_the_build_runs_in_this_process(
    tmp_path, analyzer, chunker, monkeypatch
):
    from index import building

    def cannot_start(*args, **kwargs):
        raise OSError(38, "Function not implemented")  # e.g. no /dev/shm for the pool's locks

    listing = list_files([archive(tmp_path)])
    alone = build_listed(listing, analyzer, chunker, lambda: None, workers=1)
    monkeypatch.setattr(building, "ProcessPoolExecutor", cannot_start)
    fallback = build_listed(listing, analyzer, chunker, lambda: None, workers=2)
    assert np.array_equal(fallback.index.chunks.rows, alone.index.chunks.rows)
    assert fallback.skipped == alone.skipped


def test_workers_results_out_of_order_are_indexed_again_in_this_process(
    tmp_path, analyzer, chunker, monkeypatch
):
    from index import building

    listing = list_files([archive(tmp_path)])
    alone = build_listed(listing, analyzer, chunker, lambda: None, workers=1)
    calls = []

    def shuffled(executor, files, *args):
        """The workers' results with two files swapped, as a pool out of order would give them."""
        calls.append(executor is not None)
        results = list(indexed(executor, files, *args))
        if executor is not None:
            results[3], results[4] = results[4], results[3]  # two penguin files
        yield from results

    indexed = building._indexed
    monkeypatch.setattr(building, "_indexed", shuffled)
    rebuilt = build_listed(listing, analyzer, chunker, lambda: None, workers=2)
    assert calls == [True, False]  # the pooled results were refused, then indexed here
    assert np.array_equal(rebuilt.index.chunks.rows, alone.index.chunks.rows)
    assert rebuilt.index.postings.terms == alone.index.postings.terms
