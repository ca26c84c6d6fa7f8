"""Benchmark briefbot's engine against rank-bm25 and bm25s, or measure it on SciFact.

Speed (the default)::

    python bench/run.py
    python bench/run.py --sizes 1000,10000 --queries 500
    python bench/run.py --markdown > table.md       # tables for the README

For each size (chunks), a seeded corpus is generated (``bench/corpus.py``:
Zipf-distributed real English words, about 100 words a chunk, briefings of
25 paragraphs, questions built from the chunks' own words). Then each engine
runs in two fresh processes (``bench/worker.py``), so no engine's memory is
counted against another's: one builds the index from text and saves it, the
other loads it and times queries. All engines index the same chunks with
the same analysed terms and the same BM25 (Lucene IDF, the project's k1 and b):

- briefbot: ``Index`` over numpy postings, saved as the ``.npy`` cache and
  loaded through ``open_index``; "answer" is the whole reply a user reads
  (``index.answering.answer`` + ``bot.render.render_answer``);
- rank-bm25: ``LuceneBM25`` scoring every chunk (saved with pickle, as it has
  no format of its own); it is slow, so it answers fewer queries (see the
  "queries" column and ``--rank-bm25-queries``);
- bm25s: ``method="lucene"``, float32 as it ships, its own ``save``/``load``.

Build times start from text: the briefings for briefbot (chunking included),
the chunk texts for the others; analysis with the project's analyzer is
included for all. Retrieval is the top 10 for the question's distinct
analysed terms, analysis excluded. Peak RSS is each process's maximum
resident memory (the build process holds the corpus, the serving process
the index and, for briefbot, the briefings it quotes from); "index in RAM"
is how much resident memory loading the index added. "top 10 = briefbot's"
compares the first queries' top 10s with briefbot's: "up to ties" counts
those with the same score at every rank (bm25s computes in float32 and
orders tied chunks its own way; briefbot and rank-bm25 put them in reading
order).

SciFact::

    python bench/run.py scifact --data ../shared/datasets/scifact

indexes the 5,183 abstracts whole (title and text, not chunked) with the
project's analyzer and postings, and prints nDCG@10 and Recall@100 over the
300 test queries next to published BM25 figures. The data is read in place.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))

from bench import coldstart, corpus, report, scifact  # noqa: E402
from bench.results import EngineResult  # noqa: E402
from bench.worker import write_corpus  # noqa: E402
from index.scoring import DEFAULT_B, DEFAULT_K1  # noqa: E402

SIZES = (1_000, 10_000, 100_000)
ENGINES = ("project", "rank-bm25", "bm25s")
COMPARED = 50
# rank-bm25 takes ~2 ms a query per 1,000 chunks: spend about this many chunk-queries on it.
RANK_BM25_BUDGET = 5_000_000


def main(argv: list[str] | None = None) -> None:
    args = _parser().parse_args(argv)
    if args.mode == "scifact":
        _scifact(args)
    else:
        _speed(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python bench/run.py",
        description="Time briefbot's engine against rank-bm25 and bm25s (default), "
        "or score it on SciFact (`scifact --data DIR`).",
    )
    parser.add_argument(
        "--sizes",
        "--chunks",
        type=_sizes,
        default=SIZES,
        help="chunks per corpus, comma-separated (default 1000,10000,100000)",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="also write each corpus as briefing files and measure briefbot's build, cold "
        "start and the memory of two serving processes (bench/coldstart.py)",
    )
    parser.add_argument(
        "--queries", type=int, default=1000, help="questions timed per engine (default 1000)"
    )
    parser.add_argument(
        "--rank-bm25-queries",
        type=int,
        default=None,
        metavar="N",
        help="questions timed for rank-bm25 (default: 5,000,000 / chunks, "
        "at least 20, at most --queries)",
    )
    parser.add_argument(
        "--engines",
        type=lambda v: tuple(v.split(",")),
        default=ENGINES,
        help="engines to run (default project,rank-bm25,bm25s)",
    )
    parser.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=None,
        help="keep corpora and indexes here (default: a temporary directory)",
    )
    parser.add_argument(
        "--json",
        type=Path,
        default=None,
        metavar="FILE",
        help="also write every figure to FILE as JSON",
    )
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print Markdown tables (for the README) instead of boxes",
    )
    modes = parser.add_subparsers(dest="mode", metavar="MODE")
    quality = modes.add_parser("scifact", help="nDCG@10 and Recall@100 on SciFact")
    quality.add_argument(
        "--data",
        type=Path,
        required=True,
        help="the SciFact folder (corpus.jsonl.gz, queries.jsonl, qrels_test.tsv)",
    )
    quality.add_argument(
        "--k1", type=float, default=DEFAULT_K1, help="BM25 k1 (default %(default)s)"
    )
    quality.add_argument("--b", type=float, default=DEFAULT_B, help="BM25 b (default %(default)s)")
    return parser


def _sizes(value: str) -> tuple[int, ...]:
    return tuple(int(size.replace("_", "")) for size in value.split(","))


def _speed(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory(prefix="briefbot-bench-") as scratch:
        workdir = args.workdir or Path(scratch)
        tables, everything = [], {}
        colds = []
        for size in args.sizes:
            results = _run_size(size, args, workdir / f"{size}")
            everything[size] = results
            render = report.markdown_table if args.markdown else report.speed_table
            tables.append(render(size, results, _agreement(results)))
            if args.cold:
                colds.append(_cold(size, args, workdir / f"{size}"))
    if args.json:
        figures = {
            size: {engine: dataclasses.asdict(result) for engine, result in results.items()}
            for size, results in everything.items()
        }
        figures |= {f"{cold['chunks']} files": cold for cold in colds}
        args.json.write_text(json.dumps(figures, indent=1))
    notes = [
        "Ratios in brackets are to briefbot's figure; retrieval is the top 10, analysis excluded.",
        "Build includes analysis for every engine and chunking for briefbot.",
    ]
    if args.markdown:
        print("\n".join(tables) + "\n" + "\n".join(notes))
    else:
        report.print_tables(tables, notes)
    for cold in colds:
        print("\n" + coldstart.summary(cold))


def _run_size(size: int, args: argparse.Namespace, workdir: Path) -> dict[str, EngineResult]:
    workdir.mkdir(parents=True, exist_ok=True)
    _say(f"{size:,} chunks: generating the corpus")
    write_corpus(corpus.generate(size, args.queries, args.seed), workdir)
    results = {}
    for engine in args.engines:
        queries = args.queries
        if engine == "rank-bm25":
            queries = args.rank_bm25_queries or max(20, RANK_BM25_BUDGET // size)
            queries = min(queries, args.queries)
        _say(f"{size:,} chunks: {engine} building")
        built = _worker("build", engine, workdir)
        _say(f"{size:,} chunks: {engine} loading and answering {queries:,} questions")
        served = _worker(
            "serve",
            engine,
            workdir,
            "--queries",
            str(queries),
            "--compare",
            str(min(COMPARED, queries)),
        )
        results[engine] = EngineResult.from_phases(built, served)
    return results


def _cold(size: int, args: argparse.Namespace, workdir: Path) -> dict:
    """The corpus of ``size`` chunks as files, built, started cold and served twice."""
    from bench.worker import read_corpus

    folder = workdir / "files"
    folder.mkdir(exist_ok=True)
    for briefing_id, text in read_corpus(workdir).briefings:
        (folder / f"{briefing_id}.txt").write_text(text, encoding="utf-8")
    _say(f"{size:,} chunks: briefbot from {len(list(folder.iterdir())):,} files")
    figures = coldstart.measure_folder(folder, workdir / "data", 3, min(args.queries, 300))
    return figures | {"chunks": size}


def _worker(*args: object) -> dict:
    command = [sys.executable, "-m", "bench.worker", *map(str, args)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def _agreement(results: dict[str, EngineResult]) -> dict[str, str]:
    """How many of the first queries' top 10s equal briefbot's, exactly and up to ties."""
    if "project" not in results:
        return {}
    ours = results["project"].top
    agreement = {}
    for engine, result in results.items():
        theirs = result.top
        if engine == "project" or not theirs:
            continue
        pairs = list(zip(ours, theirs, strict=False))
        same = sum(_positions(a) == _positions(b) for a, b in pairs)
        tied = sum(_same_up_to_ties(a, b) for a, b in pairs)
        agreement[engine] = f"{tied}/{len(pairs)} up to ties ({same} identical)"
    return agreement


def _positions(ranked: tuple[tuple[int, float], ...]) -> list[int]:
    return [position for position, _ in ranked]


def _same_up_to_ties(
    ours: tuple[tuple[int, float], ...], theirs: tuple[tuple[int, float], ...]
) -> bool:
    """The same score at every rank (to float32 precision): only tied chunks swap places."""
    if len(ours) != len(theirs):
        return False
    return all(
        math.isclose(a, b, rel_tol=1e-6) for (_, a), (_, b) in zip(ours, theirs, strict=True)
    )


def _scifact(args: argparse.Namespace) -> None:
    from rich.console import Console
    from rich.table import Table

    _say(f"SciFact: indexing {args.data}")
    quality = scifact.evaluate(args.data, args.k1, args.b)
    table = Table(
        title=f"SciFact test: {quality.queries} queries, {quality.documents:,} "
        "abstracts indexed whole",
        title_justify="left",
    )
    table.add_column("system")
    table.add_column("nDCG@10", justify="right")
    table.add_column("Recall@100", justify="right")
    table.add_row(
        f"briefbot analyzer + postings (k1={args.k1}, b={args.b})",
        f"{quality.ndcg_at_10:.3f}",
        f"{quality.recall_at_100:.3f}",
    )
    for name, figure in scifact.PUBLISHED:
        table.add_row(f"published: {name}", f"{figure:.3f}", "")
    Console().print(table)


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
