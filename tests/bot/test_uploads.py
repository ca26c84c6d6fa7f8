"""Uploads: safe names and the same checks as briefings on disk."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.uploads import MAX_ID_BYTES, UploadError, briefing_id_for, check_size, check_upload
from index.loading import BRIEFING_SUFFIXES

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
        ("Café Ümlaut.txt", "café-ümlaut"),
        ("Пхеньян.txt", "пхеньян"),
        ("북한 미사일.md", "북한-미사일"),
        ("résumé.txt", "résumé"),
        ("re\u0301sume\u0301.txt", "résumé"),  # decomposed accents, composed (NFC)
        ("हिन्दी समाचार.txt", "हिन्दी-समाचार"),  # vowel signs are marks, kept with their letters
        ("平壌・ソウル.md", "平壌-ソウル"),
        ("\u0301accent-first.txt", "accent-first"),  # a mark with no letter before it
        ("١٢٣ تقرير.txt", "١٢٣-تقرير"),
        ("Straße.txt", "strasse"),
        ("2025-04-02_report.txt", "2025-04-02-report"),
        ("a" * 200 + ".txt", "a" * MAX_ID_BYTES),
        ("북" * 200 + ".txt", "북" * (MAX_ID_BYTES // 3)),  # three bytes each in UTF-8
        ("abc " * 50 + ".txt", ("abc-" * 25)[:-1]),  # never ends in a dash
        ("nul\x00byte.txt", "nul-byte"),
        ("..\u2215..\u2215etc\u2215passwd.txt", "etc-passwd"),  # division slash
        ("..\u2044secret.md", "secret"),  # fraction slash
        ("\uff0e\uff0e\uff0fescape.txt", "escape"),  # fullwidth dots and solidus
        ("..\u29f8..\u29f8big-solidus.txt", "big-solidus"),
        ("%2e%2e%2fencoded.txt", "2e-2e-2fencoded"),
        ("~/home.txt", "home"),
        ("C:\\Windows\\System32\\drivers.txt", "drivers"),
        ("\\\\server\\share\\unc.md", "unc"),
        ("trailing.txt\\", "trailing"),
        ("trailing.txt/", "trailing"),
        ("line\nbreak\r.txt", "line-break"),
    ],
)
def test_names_are_reduced_to_safe_ids(filename, briefing_id):
    assert briefing_id_for(filename) == briefing_id


@pytest.mark.parametrize(
    "filename",
    [
        "report.pdf",
        "noextension",
        "archive.txt.gz",
        "..txt",
        "notes.txt\x00.sh",
        "x.txt\\..",
        "/",
        "CON.txt",
        "nul.md",
        "Com1.txt",
        "lpt9.markdown",
        "🚀🚀.txt",
        "\u200b\u200d.txt",
    ],
)
def test_other_files_are_refused(filename):
    with pytest.raises(UploadError):
        briefing_id_for(filename)


_NAME_PARTS = [
    *["..", ".", "/", "\\", "\x00", "\u2215", "\uff0f", "\u2044", " ", "~", "\n", "\u202e"],
    *["a", "É", "e\u0301", "\u0301", "북", "П", "ि", "ß", "İ", "🚀", "𝐖", ".txt", ".MD"],
]


def is_safe_name(stem: str) -> bool:
    """Letters, digits and marks of any script in dash-separated runs, NFC, within the limit."""
    runs = stem.split("-")
    return (
        all(runs)
        and all(unicodedata.category(c)[0] in "LNM" for run in runs for c in run)
        and unicodedata.normalize("NFC", stem) == stem
        and len(stem.encode()) <= MAX_ID_BYTES
        and stem not in {"con", "prn", "aux", "nul"}
    )


file_names = st.one_of(
    st.text(max_size=120), st.lists(st.sampled_from(_NAME_PARTS), max_size=12).map("".join)
)


@given(file_names)
def test_any_name_is_stored_as_a_plain_name_inside_the_folder(filename):
    folder = Path("/srv/briefbot/briefings")
    try:
        upload = check_upload(filename, b"Penguins were counted.\n")
    except UploadError:
        return
    stem, suffix = upload.filename.rsplit(".", 1)
    assert is_safe_name(stem), stem
    assert f".{suffix}" in BRIEFING_SUFFIXES
    assert stem == upload.briefing.id
    stored = folder / upload.filename
    assert stored.parent == folder and stored.name == upload.filename
    assert Path(upload.filename).stem == upload.briefing.id  # how the loader names it


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
        (b"---\ndate: 2025-13-45\n---\nText.\n", {"title": "T"}, "its date '2025-13-45'"),
        (
            b"---\nx: " + b"[" * 2000 + b"]" * 2000 + b"\n---\nText.\n",
            {"title": "T"},
            "nested too deeply",
        ),
        (b"---\ntitle: T\nText.\n", {"date": "2025-04-02"}, "no closing '---' line"),
    ],
)
def test_unfit_uploads_say_why(data, options, reason):
    with pytest.raises(UploadError, match=reason) as raised:
        check_upload("notes.txt", data, **options)
    assert str(raised.value).startswith("“notes.txt” is not a usable briefing: ")


def test_options_keep_the_other_front_matter_values_as_written():
    text = b"---\nsource: yes\nurl: off\n---\nPenguins were counted.\n"
    upload = check_upload("p.md", text, title="Census")
    assert (upload.briefing.title, upload.briefing.source, upload.briefing.url) == (
        "Census",
        "yes",
        "off",
    )
    assert check_upload("p.md", upload.data).briefing == upload.briefing


def test_size_is_checked_before_downloading():
    check_size("ok.txt", 2 * 1024 * 1024)
    with pytest.raises(UploadError, match="larger than the limit of 2,097,152 bytes"):
        check_size("big.txt", 2 * 1024 * 1024 + 1)


def test_markup_in_a_file_name_is_escaped_in_messages():
    with pytest.raises(UploadError) as raised:
        check_upload("**@everyone**.txt", b"")
    assert "@everyone" not in str(raised.value)
