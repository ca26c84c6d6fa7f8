"""The add/remove benchmark runs the real library: the added briefing answers its own words."""

import asyncio

from bench.library import measure, write_briefings
from bot.library import Library
from bot.settings import load_settings


def test_a_small_run_adds_answers_and_removes(tmp_path):
    name, data = write_briefings(250, tmp_path / "briefings")
    settings = load_settings(
        {
            "BRIEFBOT_BRIEFINGS": str(tmp_path / "briefings"),
            "BRIEFBOT_DATA_DIR": str(tmp_path / "data"),
        },
        dotenv=False,
    )
    library = Library.load(settings)
    configured = library.shelf.configured
    figures = asyncio.run(measure(library, name, data, rounds=2))
    assert [len(figures[key]) for key in ("add", "remove", "answer")] == [2, 2, 2]
    assert figures["lag"]
    assert library.shelf.configured is configured  # never rebuilt
    assert library.store.uploads() == ()
    library.close()
