"""A server's settings as data: stored as text, changed as asked, defaults as no rows."""

from __future__ import annotations

import pytest

from bot.errors import UserFacingError
from bot.server_settings import MAX_CHANNELS, ServerSettings

NEWS, SPORT, THREAD = 501, 502, 503


def test_defaults_are_public_replies_everywhere_and_store_nothing():
    settings = ServerSettings.from_stored({})
    assert settings == ServerSettings(private=False, threads=False, channels=frozenset())
    assert settings.stored() == {"private": None, "threads": None, "channels": None}
    assert settings.answers_in(NEWS)


def test_stored_text_reads_back_and_junk_counts_as_unset():
    settings = ServerSettings(private=True, threads=True, channels=frozenset({SPORT, NEWS}))
    assert settings.stored() == {"private": "true", "threads": "true", "channels": "501,502"}
    assert ServerSettings.from_stored(settings.stored()) == settings
    assert ServerSettings.from_stored({"private": "yes", "channels": "x,,7"}) == ServerSettings(
        channels=frozenset({7})
    )


def test_a_listed_channel_and_its_threads_are_answered_in():
    settings = ServerSettings(channels=frozenset({NEWS}))
    assert settings.answers_in(NEWS)
    assert settings.answers_in(THREAD, parent_id=NEWS)
    assert not settings.answers_in(SPORT)
    assert not settings.answers_in(THREAD, parent_id=SPORT)


def test_changes_apply_in_order_clear_then_add_then_remove():
    start = ServerSettings(channels=frozenset({NEWS}))
    assert start.changed(private=True).private
    assert start.changed(threads=True).channels == {NEWS}
    assert start.changed(add=SPORT).channels == {NEWS, SPORT}
    assert start.changed(remove=NEWS).channels == frozenset()
    assert start.changed(clear=True, add=SPORT).channels == {SPORT}
    assert start.changed() == start


def test_impossible_changes_are_explained():
    with pytest.raises(UserFacingError, match="not the same one"):
        ServerSettings().changed(add=NEWS, remove=NEWS)
    full = ServerSettings(channels=frozenset(range(1, MAX_CHANNELS + 1)))
    with pytest.raises(UserFacingError, match=f"at most {MAX_CHANNELS} channels"):
        full.changed(add=MAX_CHANNELS + 1)
    assert full.changed(add=1) == full
