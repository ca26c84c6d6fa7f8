"""``briefbot uploads``: what servers uploaded, and giving adopted uploads to a server."""

from __future__ import annotations

import pytest

from bot.cli import main
from bot.store import open_store

OLD = b"HOBART: Researchers counted 4,000 emperor penguins, the Antarctic Division said.\n"


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFBOT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("BRIEFBOT_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def test_lists_old_uploads_as_no_servers_and_assigns_them(data_dir, capsys):
    (data_dir / "briefings").mkdir(parents=True)
    (data_dir / "briefings" / "penguins.txt").write_bytes(OLD)
    store = open_store(data_dir)
    store.add_upload(42, "walruses.md", b"Walruses.\n")
    store.close()

    assert main(["uploads"]) == 0
    listed = capsys.readouterr().out
    assert "walruses  server 42  walruses.md" in listed
    assert "penguins  no server  penguins.txt" in listed
    assert "1 upload(s) belong to no server" in listed

    assert main(["uploads", "assign", "penguins", "7"]) == 0
    assert capsys.readouterr().out == "penguins now belongs to server 7.\n"
    main(["uploads"])
    assert "penguins  server 7" in capsys.readouterr().out
    store = open_store(data_dir)
    assert store.upload_data(7, "penguins") == OLD
    store.close()


def test_assigning_an_unknown_upload_is_one_line_and_exit_2(data_dir, capsys):
    assert main(["uploads", "assign", "nothing", "7"]) == 2
    assert capsys.readouterr().err == (
        "briefbot: error: no upload named 'nothing' belongs to no server\n"
    )


def test_no_uploads(data_dir, capsys):
    assert main(["uploads"]) == 0
    assert capsys.readouterr().out == "No server has uploaded a briefing.\n"


@pytest.mark.parametrize("server", ["99999999999999999999999", "-5", "0", str(2**63), "x"])
def test_a_server_id_that_is_no_discord_id_is_refused_before_anything_changes(
    data_dir, capsys, server
):
    (data_dir / "briefings").mkdir(parents=True)
    (data_dir / "briefings" / "Legacy.txt").write_bytes(OLD)
    assert main(["uploads"]) == 0
    capsys.readouterr()
    with pytest.raises(SystemExit) as exited:
        main(["uploads", "assign", "Legacy", server])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "argument SERVER_ID:" in err and "Traceback" not in err
    assert "server id" in err and "_server_id" not in err
    store = open_store(data_dir)
    assert [upload.key for upload in store.uploads()] == [(None, "Legacy")]
    store.close()


def test_an_upload_is_assigned_by_its_name_case_folded(data_dir, capsys):
    (data_dir / "briefings").mkdir(parents=True)
    (data_dir / "briefings" / "Legacy.txt").write_bytes(OLD)
    assert main(["uploads", "assign", "LEGACY", str(2**63 - 1)]) == 0
    assert capsys.readouterr().out == f"Legacy now belongs to server {2**63 - 1}.\n"
    store = open_store(data_dir)
    assert store.upload_data(2**63 - 1, "Legacy") == OLD
    store.close()
