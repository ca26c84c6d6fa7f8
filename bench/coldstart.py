"""Start-up and serving memory over an archive of briefing files with a valid cache.

    python bench/coldstart.py                      # 100,000 chunks (4,000 files)
    python bench/coldstart.py --chunks 10000 --runs 5 --workdir /tmp/cold

A seeded corpus (``bench/corpus.py``) is written as briefing files, the
cache is built once with ``briefbot index build`` (timed, with the peak
resident size of its largest process), and then:

- ``cold ask``: the wall time of ``briefbot ask QUESTION`` in a new process
  (interpreter start and imports included), median of ``--runs``;
- ``open``, ``first question``: in a new process, the time to open the
  index through the cache (``index.catalog.open_catalog``) and to answer
  the first question after it (``index.answering.answer``);
- memory: two such processes, each after answering ``--questions``
  questions, report resident (RSS) and proportional (PSS) memory, and how
  much of each loading the index added. Pages shared between the two
  (a memory-mapped cache) count half in each one's PSS.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/coldstart.py", description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="cold asks timed (default 3)")
    parser.add_argument("--questions", type=int, default=300, help="answered by each server")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and cache here")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.questions)
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="briefbot-cold-"))
    figures = measure(args.chunks, args.runs, args.questions, workdir)
    print(json.dumps(figures, indent=1))


def measure(chunks: int, runs: int, questions: int, workdir: Path) -> dict:
    """Every figure, for a corpus of ``chunks`` chunks written under ``workdir``."""
    from bench.library import write_briefings

    write_briefings(chunks, workdir / "briefings")
    env = os.environ | {
        "BRIEFBOT_BRIEFINGS": str(workdir / "briefings"),
        "BRIEFBOT_DATA_DIR": str(workdir / "data"),
    }
    _say(f"{chunks:,} chunks: building the cache")
    started = time.perf_counter()
    _run([_briefbot(), "index", "build"], env)
    figures: dict[str, object] = {"chunks": chunks, "build_s": time.perf_counter() - started}
    # The largest resident size of any process of the build (its workers included).
    figures["build_peak_mb"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    question = "What did the government say about the missile programme?"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _run([_briefbot(), "ask", question], env)
        times.append(time.perf_counter() - started)
    figures["cold_ask_s"] = statistics.median(times)
    figures["cold_ask_all_s"] = times
    _say(f"{chunks:,} chunks: two serving processes")
    figures["servers"] = _two_servers(env, questions)
    return figures


def _two_servers(env: dict[str, str], questions: int) -> list[dict]:
    """Start two servers; once both have answered, read each one's RSS and PSS."""
    command = [sys.executable, str(Path(__file__)), "--serve", "--questions", str(questions)]
    servers = [
        subprocess.Popen(  # noqa: S603
            command, env=env, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    reports = [json.loads(server.stdout.readline()) for server in servers]
    reports = [
        report | _memory(server.pid) for server, report in zip(servers, reports, strict=True)
    ]
    for server in servers:
        server.stdin.close()
        server.wait()
    return reports


def _serve(questions: int) -> None:
    """Open the index, answer questions, report, and wait (held in memory) until told to stop."""
    import numpy as np

    baseline = _memory(os.getpid())
    from bot.settings import load_settings
    from index.answering import answer
    from index.catalog import open_catalog

    settings = load_settings(dotenv=False)
    imported = _memory(os.getpid())
    started = time.perf_counter()
    index = open_catalog(settings.briefings, settings.cache_dir, lambda message: None)
    opened = time.perf_counter()
    answer(index, "Who warned about the missile programme?")
    first = time.perf_counter()
    loaded = _memory(os.getpid())
    rng = np.random.default_rng(7)
    asked = []
    for position in rng.integers(0, len(index.chunks), questions).tolist():
        words = index.chunks[position].text.split()
        start = int(rng.integers(0, max(1, len(words) - 6)))
        asked.append(" ".join(words[start : start + 6]))
    started_answers = time.perf_counter()
    for question in asked:
        answer(index, question)
    answering = (time.perf_counter() - started_answers) / max(1, len(asked))
    report = {
        "open_s": opened - started,
        "first_question_ms": (first - opened) * 1000,
        "answer_mean_ms": answering * 1000,
        "baseline": baseline,
        "imported": imported,
        "loaded": loaded,
    }
    print(json.dumps(report), flush=True)
    sys.stdin.read()


def _memory(pid: int) -> dict[str, float]:
    """Resident and proportional set size of a process, in MB."""
    figures = {}
    with Path(f"/proc/{pid}/smaps_rollup").open() as rollup:
        for line in rollup:
            name, _, rest = line.partition(":")
            if name in {"Rss", "Pss"}:
                figures[name.lower() + "_mb"] = int(rest.split()[0]) / 1024
    return figures


def _briefbot() -> str:
    return str(Path(sys.executable).parent / "briefbot")


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
