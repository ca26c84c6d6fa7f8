"""Add and remove a briefing in a library of 100,000 configured chunks; time them and the loop.

    python bench/library.py                       # 100,000 chunks, 20 adds and removes
    python bench/library.py --chunks 10000 --rounds 5

A seeded corpus (``bench/corpus.py``) is written as briefing files and
loaded as the configured briefings through the real ``bot.library.Library``
(the first run builds the index cache in the work folder; later runs load
it). Then a 20-paragraph briefing is added with ``Library.add`` (checked,
indexed as its own segment, stored in SQLite, swapped in) and removed with
``Library.remove``, ``--rounds`` times each, while a probe on the event loop
sleeps 5 ms at a time and records how late it wakes: the loop lag a Discord
client would see during the change. It also times the first answer in the
server that made the upload, which searches both segments together, and
``--rounds`` configured files dropped into the folder and picked up with
``Library.reload_configured`` (as the watcher does), each as a small segment.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.corpus import generate
from bot.library import Library
from bot.settings import load_settings
from bot.uploads import check_upload

GUILD = 1234
PROBE_SECONDS = 0.005


class LagProbe:
    """Sleeps ``PROBE_SECONDS`` over and over; records how much later than asked it woke."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self._running = True

    async def run(self) -> None:
        while self._running:
            asked = time.perf_counter()
            await asyncio.sleep(PROBE_SECONDS)
            self.lags.append(time.perf_counter() - asked - PROBE_SECONDS)

    def stop(self) -> None:
        self._running = False


def write_briefings(chunks: int, folder: Path) -> tuple[str, bytes]:
    """The configured corpus as files in ``folder``, and one more 20-paragraph briefing."""
    corpus = generate(chunks + 20, questions=0, seed=3)
    *configured, (_, extra) = _regroup(corpus.briefings, chunks)
    folder.mkdir(parents=True, exist_ok=True)
    for briefing_id, text in configured:
        path = folder / f"{briefing_id}.txt"
        if not path.exists():
            path.write_text(text, encoding="utf-8")
    return "added-briefing.txt", extra.encode()


def _regroup(briefings: tuple[tuple[str, str], ...], chunks: int) -> list[tuple[str, str]]:
    """The briefings, with the last 20 paragraphs split off as the briefing to add."""
    paragraphs = [p for _, text in briefings for p in text.split("\n\n")]
    configured = [(i, "\n\n".join(paragraphs[i : i + 25])) for i in range(0, chunks, 25)]
    named = [(f"briefing-{i:06d}", text) for i, text in configured]
    return [*named, ("added", "\n\n".join(paragraphs[chunks : chunks + 20]))]


async def measure(
    library: Library, upload_name: str, data: bytes, rounds: int, folder: Path | None = None
) -> dict:
    upload = check_upload(upload_name, data)
    question = " ".join(data.decode().split()[5:12])
    probe = LagProbe()
    probing = asyncio.create_task(probe.run())
    adds, removes, answers = [], [], []
    probe.lags.clear()
    for _ in range(rounds):
        started = time.perf_counter()
        await library.add(upload, GUILD)
        adds.append(time.perf_counter() - started)
        started = time.perf_counter()
        result = await library.answer(question, guild_id=GUILD)
        answers.append(time.perf_counter() - started)
        if not result.passages or result.passages[0].briefing.id != "added-briefing":
            raise SystemExit("the added briefing was not what answered its own words")
        started = time.perf_counter()
        await library.remove("added-briefing", GUILD)
        removes.append(time.perf_counter() - started)
    upload_lags = list(probe.lags)
    probe.lags.clear()
    dropped = []
    for number in range(rounds if folder else 0):
        (folder / f"dropped-{number:03d}.txt").write_bytes(data)
        started = time.perf_counter()
        await library.reload_configured()
        dropped.append(time.perf_counter() - started)
    probe.stop()
    await probing
    return {
        "add": adds,
        "remove": removes,
        "answer": answers,
        "file": dropped,
        "lag": upload_lags,
        "file lag": probe.lags,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--workdir", type=Path, help="keep the corpus and cache here")
    args = parser.parse_args()
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="briefbot-bench-"))
    name, data = write_briefings(args.chunks, workdir / "briefings")
    settings = load_settings(
        {
            "BRIEFBOT_BRIEFINGS": str(workdir / "briefings"),
            "BRIEFBOT_DATA_DIR": str(workdir / "data"),
        },
        dotenv=False,
    )
    started = time.perf_counter()
    library = Library.load(settings)
    loaded = time.perf_counter() - started
    chunks = len(library.shelf.configured.chunks)
    print(f"library: {chunks:,} configured chunks, loaded in {loaded:.1f} s ({workdir})")
    try:
        figures = asyncio.run(measure(library, name, data, args.rounds, workdir / "briefings"))
    finally:
        library.close()
        for dropped in (workdir / "briefings").glob("dropped-*.txt"):
            dropped.unlink()
    for key in ("add", "remove", "answer", "file"):
        values = sorted(figures[key])
        print(
            f"{key:<7} p50 {statistics.median(values) * 1000:8.1f} ms   "
            f"max {values[-1] * 1000:8.1f} ms   ({len(values)} times)"
        )
    for key, during in [("lag", "adds, answers and removes"), ("file lag", "file pickups")]:
        lags = sorted(figures[key]) or [0.0]
        p99 = lags[int(len(lags) * 0.99)]
        print(
            f"loop lag during {during}: p50 {statistics.median(lags) * 1000:.1f} ms, "
            f"p99 {p99 * 1000:.1f} ms, max {lags[-1] * 1000:.1f} ms "
            f"({len(figures[key]):,} probes of 5 ms)"
        )


if __name__ == "__main__":
    main()
