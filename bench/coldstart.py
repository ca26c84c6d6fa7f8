"""Start-up and serving memory over an archive of briefing files with a valid cache.

    python bench/coldstart.py                      # 100,000 chunks (4,000 files)
    python bench/coldstart.py --chunks 10000 --runs 5 --workdir /tmp/cold
    python bench/coldstart.py --bundled --runs 9     # the bundled briefings only

A seeded corpus (``bench/corpus.py``) is written as briefing files, the
cache is built once with ``briefbot index build`` (timed, with the peak
resident memory of it and its worker processes together), and then:

- ``cold ask``: the wall time of ``briefbot ask QUESTION`` in a new process
  (interpreter start and imports included), median of ``--runs``;
- ``open``, ``first question``: in a new process, the time to open the
  index through the cache (``index.catalog.open_catalog``) and to answer
  the first question after it (``index.answering.answer``);
- memory: two such processes, each after answering ``--questions``
  questions, report resident (RSS) and proportional (PSS) memory, and how
  much of each loading the index added. Pages shared between the two
  (a memory-mapped cache) count half in each one's PSS.

``--bundled`` times only the cold ``briefbot ask`` over the default (bundled)
briefings, with a valid cache in a temporary data folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``bench`` importable
    sys.path.insert(0, str(ROOT))


BUNDLED_QUESTION = "Who is Russia's top security official visiting Pyongyang?"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/coldstart.py", description=__doc__)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3, help="cold asks timed (default 3)")
    parser.add_argument("--questions", type=int, default=300, help="answered by each server")
    parser.add_argument("--workdir", type=Path, help="keep the corpus and cache here")
    parser.add_argument("--bundled", action="store_true", help="the bundled briefings only")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        _serve(args.questions)
        return
    if args.bundled:
        figures = measure_bundled(args.runs, args.workdir)
        print(json.dumps(figures, indent=1))
        _say(
            f"bundled briefings: cold `briefbot ask` {figures['cold_ask_s']:.3f} s (median of "
            f"{len(figures['cold_ask_all_s'])})"
        )
        return
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="briefbot-cold-"))
    figures = measure(args.chunks, args.runs, args.questions, workdir) | {"chunks": args.chunks}
    print(json.dumps(figures, indent=1))
    _say(summary(figures))


def measure(chunks: int, runs: int, questions: int, workdir: Path) -> dict:
    """Every figure, for a corpus of ``chunks`` chunks written under ``workdir``."""
    from bench.library import write_briefings

    write_briefings(chunks, workdir / "briefings")
    return measure_folder(workdir / "briefings", workdir / "data", runs, questions)


def measure_folder(folder: Path, data: Path, runs: int, questions: int) -> dict:
    """Every figure for the briefing files in ``folder``, with the cache under ``data``."""
    env = os.environ | {"BRIEFBOT_BRIEFINGS": str(folder), "BRIEFBOT_DATA_DIR": str(data)}
    _say(f"{folder}: building the cache")
    started = time.perf_counter()
    build = subprocess.Popen(  # noqa: S603
        [_briefbot(), "index", "build"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    peak = _tree_peak_mb(build)
    if build.returncode:
        raise SystemExit(f"briefbot index build failed:\n{build.stderr.read().decode()}")
    figures: dict[str, object] = {"build_s": time.perf_counter() - started}
    figures["build_peak_mb"] = peak
    question = "What did the government say about the missile programme?"
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _run([_briefbot(), "ask", question], env)
        times.append(time.perf_counter() - started)
    figures["cold_ask_s"] = statistics.median(times)
    figures["cold_ask_all_s"] = times
    _say(f"{folder}: two serving processes")
    figures["servers"] = _two_servers(env, questions)
    return figures


def measure_bundled(runs: int, workdir: Path | None) -> dict:
    """Cold ``briefbot ask`` times over the default briefings, once their cache is built."""
    data = Path(tempfile.mkdtemp(prefix="briefbot-bundled-", dir=workdir))
    # Started in the (empty) data folder: no ./briefings there, so the default is the bundled one.
    env = {k: v for k, v in os.environ.items() if k != "BRIEFBOT_BRIEFINGS"}
    env |= {"BRIEFBOT_DATA_DIR": str(data)}
    _run([_briefbot(), "index", "build"], env, cwd=data)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        _run([_briefbot(), "ask", BUNDLED_QUESTION], env, cwd=data)
        times.append(time.perf_counter() - started)
    return {"cold_ask_s": statistics.median(times), "cold_ask_all_s": times}


def summary(figures: dict) -> str:
    """The figures as a few lines of text."""
    servers = figures["servers"]
    lines = [
        f"briefbot over {figures.get('chunks', '?'):,} chunks as files: build "
        f"{figures['build_s']:.1f} s (peak {figures['build_peak_mb']:.0f} MB with its workers), "
        f"cold `briefbot ask` {figures['cold_ask_s']:.2f} s (median of "
        f"{len(figures['cold_ask_all_s'])})",
    ]
    for number, server in enumerate(servers, 1):
        index_pss = server["pss_mb"] - server["libraries"]["pss_mb"]
        lines.append(
            f"  server {number}: open {server['open_s']:.2f} s, first question "
            f"{server['first_question_ms']:.1f} ms, mean answer {server['answer_mean_ms']:.1f} ms; "
            f"RSS {server['rss_mb']:.0f} MB, PSS {server['pss_mb']:.0f} MB "
            f"({index_pss:.0f} MB beyond the libraries and their data)"
        )
    together = sum(s["pss_mb"] - s["libraries"]["pss_mb"] for s in servers)
    alone = servers[0]["rss_mb"] - servers[0]["libraries"]["rss_mb"]
    lines.append(
        f"  two servers hold {together:.0f} MB beyond the libraries, {together / alone:.2f}x "
        f"the {alone:.0f} MB one holds alone (its RSS beyond them)"
    )
    return "\n".join(lines)


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


def warm_libraries() -> None:
    """Load the data the libraries load for any index (opening an index does it too)."""
    from index.analysis import Analyzer
    from index.answering import load_defaults

    Analyzer().warm()
    load_defaults()


def _serve(questions: int) -> None:
    """Open the index, answer questions, report, and wait (held in memory) until told to stop."""
    import numpy as np

    baseline = _memory(os.getpid())
    from bot.settings import load_settings
    from index.answering import answer
    from index.catalog import open_catalog

    settings = load_settings(dotenv=False)
    imported = _memory(os.getpid())
    # What the libraries hold on their own, whatever the archive: the lemmatizer's
    # tables, the stemmer, the chat lexicon and the refusal model.
    warm_libraries()
    libraries = _memory(os.getpid())
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
        "libraries": libraries,
        "loaded": loaded,
    }
    print(json.dumps(report), flush=True)
    sys.stdin.read()


def _tree_peak_mb(process: subprocess.Popen) -> float:
    """The highest total memory of ``process`` and its descendants until it exits, in MB.

    Sampled every 50 ms as proportional set size, so pages the workers share
    with the fork server that started them count once: a build's workers are
    its descendants, and the peak that matters is what they hold together.
    """
    peak = 0.0
    while process.poll() is None:
        parents: dict[int, int] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
        tree = {process.pid}
        grew = True
        while grew:
            grew = False
            for pid, parent in parents.items():
                if parent in tree and pid not in tree:
                    tree.add(pid)
                    grew = True
        total = 0.0
        for pid in tree:
            try:
                total += _memory(pid)["pss_mb"]
            except (OSError, KeyError):
                continue  # exited meanwhile
        peak = max(peak, total)
        time.sleep(0.05)
    process.wait()
    return peak


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


def _run(command: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
    done = subprocess.run(  # noqa: S603
        command, env=env, cwd=cwd, capture_output=True, text=True, check=False
    )
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


if __name__ == "__main__":
    main()
