"""Settings from the environment: defaults, parsing, errors, and a token that stays hidden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.settings import PROJECT_BRIEFINGS, Secret, SettingsError, load_settings

COOLDOWN_RANGE = "BRIEFBOT_COOLDOWN_SECONDS must be a number of seconds from 0 to 86,400, not '"
RETENTION_RANGE = "BRIEFBOT_RETENTION_DAYS must be a whole number of days from 1 to 3,650, not '"


def settings(tmp_path: Path, **env: str):
    return load_settings({"BRIEFBOT_DATA_DIR": str(tmp_path), **env}, dotenv=False)


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = settings(tmp_path)
    assert loaded.token is None
    assert loaded.briefings == (PROJECT_BRIEFINGS,)
    assert loaded.guild_id is None
    assert loaded.message_content is False
    assert loaded.prefix == "!"
    assert loaded.cooldown_seconds == 5.0
    assert loaded.shard_count is None and loaded.shard_ids is None
    assert loaded.log_level == "INFO"
    assert loaded.log_discord_debug is False
    assert loaded.keep_questions is False
    assert loaded.retention_days == 30
    assert loaded.cache_max_bytes == 2_000_000_000
    assert loaded.cache_dir == tmp_path / "cache"
    assert loaded.uploads_dir == tmp_path / "briefings"


def test_every_setting_is_read(tmp_path):
    loaded = settings(
        tmp_path,
        DISCORD_TOKEN=" abc.def.ghi ",
        BRIEFBOT_BRIEFINGS=f"{tmp_path / 'a'}:{tmp_path / 'b'}",
        BRIEFBOT_GUILD_ID="1200000000000000100",
        BRIEFBOT_MESSAGE_CONTENT="yes",
        BRIEFBOT_PREFIX="?",
        BRIEFBOT_COOLDOWN_SECONDS="2.5",
        BRIEFBOT_SHARD_COUNT="4",
        BRIEFBOT_SHARD_IDS="2, 3",
        BRIEFBOT_LOG_LEVEL="debug",
        BRIEFBOT_LOG_DISCORD_DEBUG="true",
        BRIEFBOT_KEEP_QUESTIONS="true",
        BRIEFBOT_RETENTION_DAYS="90",
        BRIEFBOT_CACHE_MAX_BYTES="500MB",
    )
    assert loaded.token == Secret("abc.def.ghi")
    assert loaded.briefings == (tmp_path / "a", tmp_path / "b")
    assert loaded.guild_id == 1200000000000000100
    assert loaded.message_content is True
    assert loaded.prefix == "?"
    assert loaded.cooldown_seconds == 2.5
    assert loaded.shard_count == 4 and loaded.shard_ids == (2, 3)
    assert loaded.log_level == "DEBUG"
    assert loaded.log_discord_debug is True
    assert loaded.keep_questions is True
    assert loaded.retention_days == 90
    assert loaded.cache_max_bytes == 500_000_000


def test_empty_values_mean_the_default(tmp_path):
    loaded = settings(tmp_path, DISCORD_TOKEN="  ", BRIEFBOT_GUILD_ID="", BRIEFBOT_SHARD_COUNT="")
    assert loaded.token is None and loaded.guild_id is None and loaded.shard_count is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BRIEFBOT_GUILD_ID": "my-server"}, "BRIEFBOT_GUILD_ID must be a whole number"),
        ({"BRIEFBOT_GUILD_ID": "-5"}, "BRIEFBOT_GUILD_ID must be a Discord id"),
        ({"BRIEFBOT_GUILD_ID": str(2**64)}, "BRIEFBOT_GUILD_ID must be a Discord id"),
        ({"BRIEFBOT_GUILD_ID": "9" * 5000}, "BRIEFBOT_GUILD_ID must be a whole number"),
        ({"BRIEFBOT_MESSAGE_CONTENT": "maybe"}, "BRIEFBOT_MESSAGE_CONTENT must be true or false"),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "soon"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "-1"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "inf"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "-inf"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "1e400"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "nan"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_COOLDOWN_SECONDS": "1e9"}, COOLDOWN_RANGE),
        ({"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": "0,0,1"}, "shard 0 more than once"),
        ({"DISCORD_TOKEN": "abc.def\nghi"}, "DISCORD_TOKEN has a space, line break"),
        ({"DISCORD_TOKEN": "abc.def ghi"}, "DISCORD_TOKEN has a space, line break"),
        ({"DISCORD_TOKEN": "abc.def\x7fghi"}, "DISCORD_TOKEN has a space, line break"),
        ({"DISCORD_TOKEN": "abc.déf.ghi"}, "DISCORD_TOKEN has a space, line break"),
        ({"DISCORD_TOKEN": "abc.def\u2028ghi"}, "DISCORD_TOKEN has a space, line break"),
        ({"BRIEFBOT_LOG_DISCORD_DEBUG": "sure"}, "BRIEFBOT_LOG_DISCORD_DEBUG must be true or"),
        ({"BRIEFBOT_SHARD_COUNT": "0"}, "BRIEFBOT_SHARD_COUNT must be at least 1"),
        ({"BRIEFBOT_SHARD_IDS": "0"}, "BRIEFBOT_SHARD_IDS needs BRIEFBOT_SHARD_COUNT"),
        ({"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": "2"}, "numbers from 0 to 1"),
        ({"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": "a"}, "whole numbers separated"),
        ({"BRIEFBOT_SHARD_COUNT": "9" * 20}, "BRIEFBOT_SHARD_COUNT must be at most 100,000"),
        ({"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": "0,,1"}, "separated by commas"),
        ({"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": "0,1,"}, "separated by commas"),
        ({"BRIEFBOT_SHARD_COUNT": "2", "BRIEFBOT_SHARD_IDS": ","}, "separated by commas"),
        ({"BRIEFBOT_SHARD_COUNT": "4", "BRIEFBOT_SHARD_IDS": "-1"}, "separated by commas"),
        ({"BRIEFBOT_GUILD_ID": str(2**63)}, "BRIEFBOT_GUILD_ID must be a Discord id"),
        ({"BRIEFBOT_PREFIX": ""}, "BRIEFBOT_PREFIX must be one or more characters"),
        ({"BRIEFBOT_PREFIX": "   "}, "BRIEFBOT_PREFIX must be one or more characters"),
        ({"BRIEFBOT_PREFIX": "!\n?"}, "BRIEFBOT_PREFIX must be one or more characters"),
        ({"BRIEFBOT_PREFIX": "b b"}, "BRIEFBOT_PREFIX must be one or more characters"),
        ({"BRIEFBOT_PREFIX": "@bot"}, "BRIEFBOT_PREFIX must not start with @"),
        ({"BRIEFBOT_KEEP_QUESTIONS": "please"}, "BRIEFBOT_KEEP_QUESTIONS must be true or"),
        ({"BRIEFBOT_RETENTION_DAYS": "0"}, RETENTION_RANGE),
        ({"BRIEFBOT_RETENTION_DAYS": "3651"}, RETENTION_RANGE),
        ({"BRIEFBOT_RETENTION_DAYS": "2.5"}, RETENTION_RANGE),
        ({"BRIEFBOT_RETENTION_DAYS": "a month"}, RETENTION_RANGE),
        ({"BRIEFBOT_RETENTION_DAYS": "٣٠"}, RETENTION_RANGE),
        ({"BRIEFBOT_LOG_LEVEL": "LOUD"}, "BRIEFBOT_LOG_LEVEL must be one of DEBUG, INFO"),
        ({"BRIEFBOT_CACHE_MAX_BYTES": "lots"}, "BRIEFBOT_CACHE_MAX_BYTES must be a size"),
        ({"BRIEFBOT_CACHE_MAX_BYTES": "-1GB"}, "BRIEFBOT_CACHE_MAX_BYTES must be a size"),
        ({"BRIEFBOT_CACHE_MAX_BYTES": "1" + "0" * 400}, "BRIEFBOT_CACHE_MAX_BYTES must be a size"),
        ({"BRIEFBOT_CACHE_MAX_BYTES": "0.0001"}, "BRIEFBOT_CACHE_MAX_BYTES must be a size"),
        ({"BRIEFBOT_CACHE_MAX_BYTES": "1 2"}, "BRIEFBOT_CACHE_MAX_BYTES must be a size"),
        ({"BRIEFBOT_CACHE_MAX_BYTES": "١٠GB"}, "BRIEFBOT_CACHE_MAX_BYTES must be a size"),
    ],
)
def test_malformed_settings_are_named(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message) as raised:
        settings(tmp_path, **env)
    assert "\n" not in str(raised.value) and len(str(raised.value)) < 200
    assert "ghi" not in str(raised.value)  # a token is never repeated back


def test_the_cooldown_range_includes_its_ends(tmp_path):
    assert settings(tmp_path, BRIEFBOT_COOLDOWN_SECONDS="0").cooldown_seconds == 0
    assert settings(tmp_path, BRIEFBOT_COOLDOWN_SECONDS="86400").cooldown_seconds == 86400


def test_the_retention_range_includes_its_ends(tmp_path):
    assert settings(tmp_path, BRIEFBOT_RETENTION_DAYS="1").retention_days == 1
    assert settings(tmp_path, BRIEFBOT_RETENTION_DAYS="3650").retention_days == 3650


def test_the_token_never_shows(tmp_path):
    token = "MTIz.very-secret.token"
    loaded = settings(tmp_path, DISCORD_TOKEN=token)
    assert loaded.token is not None and loaded.token.value == token
    for text in (repr(loaded), str(loaded), repr(loaded.token), str(loaded.token), f"{loaded}"):
        assert token not in text
    assert "Secret('********')" in repr(loaded)


def test_dotenv_in_the_working_folder_is_read_and_the_environment_wins(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("BRIEFBOT_PREFIX=?\nBRIEFBOT_LOG_LEVEL=ERROR\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(os, "environ", dict(os.environ))  # load_dotenv writes to it
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BRIEFBOT_LOG_LEVEL", "WARNING")
    monkeypatch.delenv("BRIEFBOT_PREFIX", raising=False)
    loaded = load_settings()
    assert loaded.prefix == "?"
    assert loaded.log_level == "WARNING"


def test_the_database_url_is_kept_secret():
    url = "postgresql://briefbot:hunter2-password@db.example/briefbot"
    settings = load_settings({"BRIEFBOT_DATABASE_URL": url}, dotenv=False)
    assert settings.database_url.value == url
    assert "hunter2" not in repr(settings) and "hunter2" not in str(settings)
    assert load_settings({}, dotenv=False).database_url is None


@pytest.mark.parametrize(
    ("typed", "size"),
    [
        ("2000000000", 2_000_000_000),
        ("500MB", 500_000_000),
        ("500 mb", 500_000_000),
        ("1.5GiB", 1_610_612_736),
        ("2G", 2_000_000_000),
        ("10.5", 10),
    ],
)
def test_cache_sizes_are_read_as_people_write_them(tmp_path, typed, size):
    loaded = settings(tmp_path, BRIEFBOT_CACHE_MAX_BYTES=typed)
    assert loaded.cache_max_bytes == size
