import pytest

from index.loading import BriefingsNotFoundError, load_briefings


def write(folder, name, data: bytes):
    path = folder / name
    path.write_bytes(data)
    return path


def test_a_folder_loads_every_good_briefing_and_names_each_bad_one(tmp_path):
    write(tmp_path, "good.txt", b"One paragraph.\n")
    write(tmp_path, "notes.md", b"# Notes\n\nAnother.\n")
    write(tmp_path, "empty.txt", b"  \n")
    write(tmp_path, "binary.txt", b"abc\x00def")
    write(tmp_path, "latin1.txt", "café".encode("latin-1"))
    write(tmp_path, "big.txt", b"word " * 1000)
    write(tmp_path, "ignored.json", b"{}")
    loaded = load_briefings(tmp_path, max_bytes=2000)
    assert sorted(b.id for b in loaded.briefings) == ["good", "notes"]
    reasons = {s.path.rsplit("/", 1)[-1]: s.reason for s in loaded.skipped}
    assert reasons["empty.txt"] == "it is empty"
    assert "binary" in reasons["binary.txt"]
    assert "UTF-8" in reasons["latin1.txt"]
    assert "limit of 2,000 bytes" in reasons["big.txt"]
    assert all(str(s).startswith("skipped ") and "\n" not in str(s) for s in loaded.skipped)


def test_duplicate_ids_keep_the_first_and_skip_the_second(tmp_path):
    (tmp_path / "a").mkdir()
    write(tmp_path, "same.txt", b"First.\n")
    write(tmp_path / "a", "same.md", b"Second.\n")
    loaded = load_briefings(tmp_path)
    assert [b.body for b in loaded.briefings] == ["Second.\n"] or [
        b.body for b in loaded.briefings
    ] == ["First.\n"]
    assert len(loaded.skipped) == 1 and "already named 'same'" in loaded.skipped[0].reason


def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(BriefingsNotFoundError, match="no such file or folder"):
        load_briefings(tmp_path / "nope")


def test_hidden_files_are_not_briefings(tmp_path):
    write(tmp_path, ".draft.txt", b"Secret draft.\n")
    assert load_briefings(tmp_path).briefings == ()
