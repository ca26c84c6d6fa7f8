"""bench/coldstart.py times real cold starts of the briefbot command."""

from bench.coldstart import measure_bundled


def test_the_bundled_cold_ask_is_timed_over_a_built_cache(tmp_path):
    figures = measure_bundled(2, tmp_path)
    assert len(figures["cold_ask_all_s"]) == 2
    assert 0 < figures["cold_ask_s"] <= max(figures["cold_ask_all_s"])
    data = next(tmp_path.iterdir())
    assert list((data / "cache").iterdir())  # the build left its cache where the asks look
