from pathlib import Path

import pytest

from index.parsing import BriefingFormatError, normalise_text, parse_briefing
from tests.conftest import BRIEFINGS, BUNDLED_ID


def test_bundled_briefing_metadata_comes_from_its_inline_header(bundled):
    assert bundled.id == BUNDLED_ID
    assert bundled.date == "2025-03-21"
    assert bundled.dateline == "SEOUL"
    assert bundled.title is None
    assert bundled.name == BUNDLED_ID


def test_bundled_briefing_has_fourteen_paragraphs_without_its_header(bundled):
    lines = [line.strip() for line in (BRIEFINGS / f"{BUNDLED_ID}.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert len(bundled.paragraphs) == len(lines) == 14
    first = bundled.text(bundled.paragraphs[0])
    assert first.startswith("North Korea said on Friday (Mar 21)")
    assert "date" not in first.split()[0] and "SEOUL" not in first
    assert [bundled.text(p) for p in bundled.paragraphs[1:]] == lines[1:]
    assert [p.number for p in bundled.paragraphs] == list(range(1, 15))


def test_bundled_file_is_kept_verbatim():
    shared = Path(__file__).resolve().parents[3] / "shared" / "briefings" / f"{BUNDLED_ID}.txt"
    if not shared.exists():
        pytest.skip("the shared briefings folder is not beside this checkout")
    assert (BRIEFINGS / f"{BUNDLED_ID}.txt").read_bytes() == shared.read_bytes()


def test_front_matter_gives_metadata_and_never_a_paragraph():
    text = (
        "---\ntitle: Talks in Pyongyang\ndate: 2025-03-22\nsource: Example Wire\n"
        "url: https://example.org/a\n---\nFirst paragraph.\n\nSecond one.\n"
    )
    briefing = parse_briefing(text, "talks")
    assert (briefing.title, briefing.date, briefing.source, briefing.url) == (
        "Talks in Pyongyang",
        "2025-03-22",
        "Example Wire",
        "https://example.org/a",
    )
    assert [briefing.text(p) for p in briefing.paragraphs] == ["First paragraph.", "Second one."]


def test_markdown_heading_is_the_title_and_a_file_name_date_the_date():
    briefing = parse_briefing("# Weekly round-up\n\nBody text here.\n", "2024-01-02-roundup")
    assert briefing.title == "Weekly round-up"
    assert briefing.date == "2024-01-02"
    assert [briefing.text(p) for p in briefing.paragraphs] == ["Body text here."]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML"),
        ("---\n- a list\n---\nBody.\n", "key: value"),
        ("---\ndate: 21 March\n---\nBody.\n", "YYYY-MM-DD"),
        ("---\ntitle: Only metadata\n---\n\n", "no paragraphs"),
    ],
)
def test_unusable_text_is_refused_with_a_reason(text, message):
    with pytest.raises(BriefingFormatError, match=message):
        parse_briefing(text, "bad")


def test_normalising_drops_bom_and_windows_line_endings():
    text = normalise_text("\ufeffdate 2025-01-01 LONDON: One.\r\nTwo.\r\n")
    briefing = parse_briefing(text, "x")
    assert briefing.date == "2025-01-01" and briefing.dateline == "LONDON"
    assert [briefing.text(p) for p in briefing.paragraphs] == ["One.", "Two."]
