"""Uploads: safe names and the same checks as briefings on disk."""

from __future__ import annotations

import pytest

from bot.uploads import MAX_ID_LENGTH, UploadError, briefing_id_for, check_size, check_upload

TEXT = b"date 2025-04-02\nHOBART: Penguins were counted, researchers said.\n\nDrones flew.\n"


@pytest.mark.parametrize(
    ("filename", "briefing_id"),
    [
        ("penguins.txt", "penguins"),
        ("Penguin Census (final).MD", "penguin-census-final"),
        ("../../etc/passwd.txt", "passwd"),
        ("..\\..\\windows\\evil.markdown", "evil"),
        ("/absolute/path/notes.txt", "notes"),
        (".hidden.txt", "hidden"),
        ("Café Ümlaut.txt", "caf-mlaut"),
        ("2025-04-02_report.txt", "2025-04-02-report"),
        ("a" * 200 + ".txt", "a" * MAX_ID_LENGTH),
    ],
)
def test_names_are_reduced_to_safe_ids(filename, briefing_id):
    assert briefing_id_for(filename) == briefing_id


@pytest.mark.parametrize("filename", ["report.pdf", "noextension", "archive.txt.gz", "..txt"])
def test_other_files_are_refused(filename):
    with pytest.raises(UploadError):
        briefing_id_for(filename)


def test_a_valid_upload_keeps_its_bytes():
    upload = check_upload("Penguins.TXT", TEXT)
    assert upload.filename == "penguins.txt"
    assert upload.data == TEXT
    assert upload.briefing.id == "penguins"
    assert upload.briefing.date == "2025-04-02"
    assert len(upload.briefing.paragraphs) == 2


def test_title_and_date_are_merged_into_front_matter():
    text = b"---\nsource: Antarctic Division\ntitle: Old\n---\nPenguins were counted.\n"
    upload = check_upload("p.md", text, title="New  title", date="2025-04-03")
    assert upload.briefing.title == "New title"
    assert upload.briefing.date == "2025-04-03"
    assert upload.briefing.source == "Antarctic Division"
    assert upload.briefing.text(upload.briefing.paragraph(1)) == "Penguins were counted."
    assert upload.data.count(b"---\n") == 2


@pytest.mark.parametrize(
    ("data", "options", "reason"),
    [
        (b"", {}, "it is empty"),
        (b"\x00\x01", {}, "binary"),
        (b"\xff\xfe text", {}, "not UTF-8"),
        (b"---\ntitle: x\n---\n\n", {}, "no paragraphs"),
        (TEXT, {"date": "tomorrow"}, "not a YYYY-MM-DD date"),
        (b"---\n: [\n---\nText.\n", {"title": "T"}, "not valid YAML"),
    ],
)
def test_unfit_uploads_say_why(data, options, reason):
    with pytest.raises(UploadError, match=reason) as raised:
        check_upload("notes.txt", data, **options)
    assert str(raised.value).startswith("“notes.txt” is not a usable briefing: ")


def test_size_is_checked_before_downloading():
    check_size("ok.txt", 2 * 1024 * 1024)
    with pytest.raises(UploadError, match="larger than the limit of 2,097,152 bytes"):
        check_size("big.txt", 2 * 1024 * 1024 + 1)


def test_markup_in_a_file_name_is_escaped_in_messages():
    with pytest.raises(UploadError) as raised:
        check_upload("**@everyone**.txt", b"")
    assert "@everyone" not in str(raised.value)
