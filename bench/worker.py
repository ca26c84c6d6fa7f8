"""One phase of one engine, in a process of its own so memory figures do not mix.

``python -m bench.worker build ENGINE WORKDIR`` builds from the corpus in
WORKDIR and saves; ``serve`` loads what was saved and times queries. Each
prints one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

from bench.corpus import Corpus
from bench.engines import ENGINES
from index.analysis import Analyzer

WARM_UP = 10
TOP_K = 10


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.worker")
    parser.add_argument("phase", choices=["build", "serve"])
    parser.add_argument("engine", choices=sorted(ENGINES))
    parser.add_argument("workdir", type=Path)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--compare", type=int, default=50, help="queries whose top 10 are kept")
    args = parser.parse_args(argv)
    engine = ENGINES[args.engine]()
    # Only briefbot quotes from the briefings, so only it holds them while serving.
    texts = args.phase == "build" or engine.quotes
    corpus = read_corpus(args.workdir, texts=texts)
    store = args.workdir / args.engine
    if args.phase == "build":
        result = build(engine, corpus, store)
    else:
        result = serve(engine, corpus, store, args.queries, args.compare)
    result["peak_mb"] = _peak_rss_mb()
    json.dump(result, sys.stdout)


def build(engine: object, corpus: Corpus, store: Path) -> dict:
    started = time.perf_counter()
    engine.build(corpus)
    built = time.perf_counter()
    store.mkdir(parents=True, exist_ok=True)
    engine.save(store)
    saved = time.perf_counter()
    return {"build_s": built - started, "save_s": saved - built}


def serve(engine: object, corpus: Corpus, store: Path, queries: int, compare: int) -> dict:
    before = _rss_mb()
    started = time.perf_counter()
    engine.load(corpus, store)
    result = {"load_s": time.perf_counter() - started, "index_mb": _rss_mb() - before}
    analyzer = Analyzer()
    questions = list(corpus.questions[:queries])
    terms = [list(dict.fromkeys(analyzer.analyze(question))) for question in questions]
    for query in terms[:WARM_UP]:
        engine.retrieve(query, TOP_K)
    result["retrieve_ms"] = _timed(lambda query: engine.retrieve(query, TOP_K), terms)
    result["top"] = [engine.retrieve(query, TOP_K) for query in terms[:compare]]
    result["queries"] = len(terms)
    if hasattr(engine, "answer"):
        for question in questions[:WARM_UP]:
            engine.answer(question)
        result["answer_ms"] = _timed(engine.answer, questions)
    return result


def read_corpus(directory: Path, *, texts: bool = True) -> Corpus:
    """The corpus written to ``directory``; without ``texts``, only its questions."""
    questions = tuple(json.loads((directory / "questions.json").read_text()))
    if not texts:
        return Corpus((), questions)
    briefings = json.loads((directory / "briefings.json").read_text())
    return Corpus(tuple(map(tuple, briefings)), questions)


def write_corpus(corpus: Corpus, directory: Path) -> None:
    (directory / "briefings.json").write_text(json.dumps(corpus.briefings))
    (directory / "questions.json").write_text(json.dumps(corpus.questions))


def _timed(call: object, items: list) -> dict[str, float]:
    """p50 and p95 of ``call(item)`` over the items, in milliseconds."""
    times = []
    for item in items:
        started = time.perf_counter_ns()
        call(item)
        times.append(time.perf_counter_ns() - started)
    p50, p95 = np.percentile(np.array(times) / 1e6, [50, 95])
    return {"p50": float(p50), "p95": float(p95)}


def _peak_rss_mb() -> float:
    """This process's peak resident memory since it started.

    Read from VmHWM, not getrusage: ru_maxrss survives exec, so a child would
    report its parent's peak if that was higher.
    """
    with Path("/proc/self/status").open() as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def _rss_mb() -> float:
    with Path("/proc/self/statm").open() as statm:
        pages = int(statm.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


if __name__ == "__main__":
    main()
