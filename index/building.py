"""Index the listed files on every core, holding no briefing's text once it is indexed.

Reading, parsing, chunking and analysing a file is independent of every
other file, and is nearly all of a build, so it runs in a pool of worker
processes, a bounded window of files ahead of the merge. Each worker sends
back only what the index keeps, as a few flat arrays per file: the
briefing's metadata and paragraph spans, its chunks' offsets, their terms
as ids of the worker's own vocabulary (``index.vocabulary``) and their
sentences (``index.sentencetable``). The parent merges them, in listing
order, into one chunk table, one set of postings and one sentence table,
so the index is the one a build in a single process makes; it looks up
only the terms a worker met for the first time, so the workers have the
cores to themselves. The briefings' texts are not kept: the index quotes
through ``StoredBriefing``, which reads a file again (and checks it) when
a reply needs it, so a build's memory grows with the postings, not with
the archive's text.
"""

from __future__ import annotations

import multiprocessing
import os
from array import array
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

import numpy as np

from index.analysis import Analyzer
from index.chunking import Chunker
from index.chunktable import COLUMNS, ChunkTable
from index.listing import ListedFile, Listing
from index.loading import read_file, skip_reason
from index.parsing import BriefingFormatError
from index.postings import PostingsBuilder
from index.search import Index, Progress
from index.sentencetable import PackedSentences, SentenceTableBuilder
from index.stored import KeptTexts, Record, StoredBriefing, record_of
from index.tokens import load_encoding
from index.vocabulary import EncodedChunks, OutOfOrderError, Translation, Vocabulary

# Fewer files than this are indexed in this process: starting workers costs more.
MIN_PARALLEL_FILES = 64
# Files a worker indexes in one task, and tasks handed to the pool ahead of the one
# merged: enough that a worker never waits for work, few enough that finished
# results never pile up unread.
_TASK_FILES = 16
_TASKS_AHEAD = 16


@dataclass(frozen=True)
class Built:
    """An index of listed files, the file of each briefing, and the files skipped."""

    index: Index | None  # None when no file held a briefing
    files: tuple[ListedFile, ...]
    skipped: tuple[tuple[ListedFile, str], ...]


@dataclass(frozen=True, eq=False)
class _Indexed:
    """What indexing one file gives back: a record and its chunks, or why it was skipped."""

    record: Record | None
    rows: np.ndarray  # int64: each chunk's paragraph, start, end and tokens (``COLUMNS[1:]``)
    terms: EncodedChunks | None
    sentences: PackedSentences | None
    skipped: str | None = None


def build_listed(
    listing: Listing,
    analyzer: Analyzer,
    chunker: Chunker,
    stale: Callable[[], None],
    progress: Progress = iter,
    workers: int | None = None,
) -> Built:
    """Index every listed file (no index if none of them holds a briefing).

    ``workers`` processes index the files (None: one per core, or none for
    a small folder; 1: in this process). A file that does not load is
    skipped, as is a second file of one name, exactly as
    ``index.loading.load_files`` skips them.
    """
    files = listing.files
    count = _workers(len(files)) if workers is None else workers
    merged = None
    if count > 1:
        try:
            with _executor(count, analyzer, chunker) as executor:
                merged = _merge(_indexed(executor, files, analyzer, chunker), listing, progress)
        except (BrokenProcessPool, OSError, OutOfOrderError):
            # No worker could start, one died, or one took its files out of order (a
            # process pool that does not hand tasks over in order): index them here.
            pass
    if merged is None:
        merged = _merge(_indexed(None, files, analyzer, chunker), listing, progress)
    # Made once the workers have exited: their memory and the sorting of the postings
    # never add up to one peak.
    return merged.built(analyzer, stale)


@dataclass
class _Merged:
    """The files' results gathered in listing order, before an index is made of them."""

    postings: PostingsBuilder = field(default_factory=PostingsBuilder)
    sentences: SentenceTableBuilder = field(default_factory=SentenceTableBuilder)
    rows: array = field(default_factory=lambda: array("q"))  # the chunk table's rows, flat
    records: list[Record] = field(default_factory=list)
    kept: list[ListedFile] = field(default_factory=list)
    skipped: list[tuple[ListedFile, str]] = field(default_factory=list)
    terms: Translation = field(init=False)

    def __post_init__(self) -> None:
        self.terms = Translation(self.postings)

    def add(self, file: ListedFile, indexed: _Indexed) -> None:
        """Append one file's briefing and chunks."""
        if indexed.record is None or indexed.terms is None or indexed.sentences is None:
            raise ValueError("a skipped file has no chunks to add")
        self.kept.append(file)
        rows = np.empty((len(indexed.rows), len(COLUMNS)), dtype=np.int64)
        rows[:, 0] = len(self.records)
        rows[:, 1:] = indexed.rows
        self.rows.frombytes(rows.tobytes())
        self.records.append(indexed.record)
        self.terms.add(indexed.terms)
        self.sentences.extend(indexed.sentences, indexed.terms.masks)

    def built(self, analyzer: Analyzer, stale: Callable[[], None]) -> Built:
        """The index of what was gathered (none if no file held a briefing)."""
        if not self.rows:
            return Built(None, (), tuple(self.skipped))
        texts = KeptTexts()
        briefings = tuple(
            StoredBriefing(record, file, stale, texts)
            for record, file in zip(self.records, self.kept, strict=True)
        )
        rows = np.frombuffer(self.rows, dtype=np.int64).reshape(-1, len(COLUMNS))
        postings, sentences = self.postings.build(), self.sentences.build()
        index = Index(briefings, ChunkTable(briefings, rows), analyzer, postings, sentences)
        return Built(index, tuple(self.kept), tuple(self.skipped))


def _merge(results: Iterator[_Indexed], listing: Listing, progress: Progress) -> _Merged:
    """The files' results, in listing order; a name already taken is skipped."""
    merged = _Merged()
    first: dict[str, ListedFile] = {}
    for file, result in zip(progress(listing.files), results, strict=True):  # type: ignore[arg-type]
        if result.skipped is not None or result.record is None:
            merged.skipped.append((file, result.skipped or "it could not be read"))
            continue
        if result.record.id in first:
            name = result.record.id
            reason = f"another briefing is already named {name!r} ({first[name].path})"
            merged.skipped.append((file, reason))
            if result.terms is not None:
                merged.terms.skip(result.terms)
            continue
        first[result.record.id] = file
        merged.add(file, result)
    return merged


def _workers(files: int) -> int:
    if files < MIN_PARALLEL_FILES:
        return 1
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def _indexed(
    executor: Executor | None, files: Sequence[ListedFile], analyzer: Analyzer, chunker: Chunker
) -> Iterator[_Indexed]:
    """Each file indexed, in order.

    A worker takes tasks in the order they are handed over, so it indexes
    its files in listing order, as ``index.vocabulary`` needs. The tasks are
    handed over ``_TASKS_AHEAD`` ahead of the one merged, never a whole
    batch at a time: waiting for a batch's last file left the other worker idle.
    """
    if executor is None:
        vocabulary = Vocabulary(analyzer)
        for file in files:
            yield _index_one(file, chunker, vocabulary)
        return
    tasks = (files[start : start + _TASK_FILES] for start in range(0, len(files), _TASK_FILES))
    ahead: deque[Future[list[_Indexed]]] = deque()
    for task in tasks:
        ahead.append(executor.submit(_index_files, task))
        if len(ahead) > _TASKS_AHEAD:
            yield from ahead.popleft().result()
    while ahead:
        yield from ahead.popleft().result()


class _executor:  # noqa: N801 - used as a context manager, like a function
    """A process pool for ``count`` workers, or None for one (indexing in this process)."""

    def __init__(self, count: int, analyzer: Analyzer, chunker: Chunker) -> None:
        self.pool: ProcessPoolExecutor | None = None
        if count > 1:
            # forkserver: never fork a process whose threads may hold locks (the bot's).
            if "forkserver" in multiprocessing.get_all_start_methods():
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["index.building"])
            else:
                context = multiprocessing.get_context("spawn")
            self.pool = ProcessPoolExecutor(
                count,
                mp_context=context,
                initializer=_start_worker,
                initargs=(analyzer, chunker.encoding.name, chunker.max_tokens),
            )

    def __enter__(self) -> ProcessPoolExecutor | None:
        return self.pool

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


# The analyzer, chunker and vocabulary of this worker process, set by ``_start_worker``.
_worker: dict[str, object] = {}


def _start_worker(analyzer: Analyzer, encoding: str, max_tokens: int) -> None:
    _worker["analyzer"] = analyzer
    # Loaded now, not lazily: a worker always needs it, and each lazy use costs 3 µs.
    _worker["chunker"] = Chunker(load_encoding(encoding), max_tokens)
    _worker["vocabulary"] = Vocabulary(analyzer)


def _index_files(files: Sequence[ListedFile]) -> list[_Indexed]:
    """``_index_one`` of each file in a worker, with the worker's chunker and vocabulary."""
    chunker, vocabulary = _worker["chunker"], _worker["vocabulary"]
    return [_index_one(file, chunker, vocabulary) for file in files]  # type: ignore[arg-type]


def _index_one(file: ListedFile, chunker: Chunker, vocabulary: Vocabulary) -> _Indexed:
    """Read, parse, chunk and analyse one file, its terms as ids of ``vocabulary``."""
    try:
        briefing = read_file(file.path)
    except (OSError, BriefingFormatError) as error:
        return _Indexed(None, _NO_ROWS, None, None, skipped=skip_reason(error))
    chunks = chunker.chunk(briefing)
    rows = np.array(
        [(chunk.paragraph, chunk.start, chunk.end, chunk.tokens) for chunk in chunks],
        dtype=np.int64,
    ).reshape(-1, len(COLUMNS) - 1)
    analysed = [vocabulary.analyse_chunk(briefing.body, chunk.start, chunk.end) for chunk in chunks]
    terms = vocabulary.encode(analysed)
    return _Indexed(record_of(briefing), rows, terms, PackedSentences.of(analysed))


_NO_ROWS = np.zeros((0, len(COLUMNS) - 1), dtype=np.int64)
