import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from index.briefing import _whole_words, title_from_id
from index.parsing import BriefingFormatError, normalise_text, parse_briefing, with_front_matter
from tests.conftest import BRIEFINGS, BUNDLED_ID


def test_bundled_briefing_metadata_comes_from_its_inline_header(bundled):
    assert bundled.id == BUNDLED_ID
    assert bundled.date == "2025-03-21"
    assert bundled.dateline == "SEOUL"
    assert bundled.title is None
    # Without a title, the name is made from the file name, capitalised as the text writes it.
    assert bundled.name == "North Korea weapons test"


@pytest.mark.parametrize(
    ("briefing_id", "body", "name"),
    [
        ("penguin-census", "The penguin census counted.", "Penguin census"),
        ("2025-01-02_kcna_report", "The KCNA said so. KCNA reported.", "KCNA report"),
        ("eu-summit", "The EU met.", "EU summit"),
        ("2025-01-02", "No words in the name.", "2025-01-02"),
    ],
)
def test_a_name_is_made_from_the_file_name(briefing_id, body, name):
    assert title_from_id(briefing_id, body) == name


@given(
    st.sets(st.sampled_from(["a", "A", "ab", "AB", "b", "J̌", "J̌A"]), min_size=1),
    st.lists(st.sampled_from(["a", "A", "b", "B", "J̌", "_", " ", "-"])).map("".join),
)
@example({"J̌A", "A"}, "J̌A")  # the mark ends a word: "A" is one, but only inside "J̌A"
def test_whole_words_are_counted_as_a_pattern_of_them_counts(forms, body):
    alternatives = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
    pattern = Counter(re.findall(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", body))
    counted = _whole_words(body, forms)
    assert {form: counted[form] for form in forms} == {form: pattern[form] for form in forms}


def _title_by_pattern(briefing_id: str, body: str) -> str:
    """The name as a regular expression of the id's spellings finds them in the body."""
    words = re.findall(r"[^\W_]+", re.sub(r"^\d{4}-\d{2}-\d{2}[-_ ]*", "", briefing_id))
    if not words:
        return briefing_id
    forms = {form for w in words for form in (w, w.capitalize(), w.upper())}
    alternatives = "|".join(sorted(map(re.escape, forms), key=len, reverse=True))
    spelled = Counter(re.findall(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", body))
    shown = [max((w, w.capitalize(), w.upper()), key=lambda form: spelled[form]) for w in words]
    return " ".join([shown[0][:1].upper() + shown[0][1:], *shown[1:]])


_ID_LETTERS = st.sampled_from(["a", "b", "k", "ǰ", "ß", "ŉ", "1", "-", "_", " "])


@given(
    st.text(_ID_LETTERS, min_size=1, max_size=10),
    st.lists(st.text(_ID_LETTERS, max_size=6).map(lambda w: w.upper() if len(w) % 2 else w)),
)
def test_a_name_counts_the_spellings_a_pattern_of_them_finds(briefing_id, body_words):
    body = " ".join(body_words)
    assert title_from_id(briefing_id, body) == _title_by_pattern(briefing_id, body)


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


def test_with_front_matter_adds_a_block_to_text_without_one():
    text = with_front_matter("SEOUL: Body text.\n", title="Talks", date="2025-03-22")
    briefing = parse_briefing(text, "talks")
    assert (briefing.title, briefing.date, briefing.dateline) == ("Talks", "2025-03-22", "SEOUL")
    assert [briefing.text(p) for p in briefing.paragraphs] == ["Body text."]


def test_with_front_matter_keeps_other_values_as_written():
    text = "---\nsource: yes\nurl: no\nnotes: [a, 1.5, ~]\ntitle: Old\n---\nBody.\n"
    merged = with_front_matter(text, title="New")
    briefing = parse_briefing(merged, "b")
    assert (briefing.title, briefing.source, briefing.url) == ("New", "yes", "no")
    assert merged.endswith("---\nBody.\n")
    assert "notes:\n- a\n- '1.5'\n- '~'\n" in merged


def test_with_front_matter_leaves_a_bad_date_for_the_parser_to_refuse():
    merged = with_front_matter("---\ndate: 2025-13-45\n---\nBody.\n", title="T")
    with pytest.raises(BriefingFormatError, match="its date '2025-13-45' is not a YYYY-MM-DD"):
        parse_briefing(merged, "b")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\ntitle: [unclosed\n---\nBody.\n", "not valid YAML"),
        ("---\n- a list\n---\nBody.\n", "not a list of 'key: value' lines"),
        ("---\ntitle: T\nBody.\n", "no closing '---' line"),
        ("---\nx: " + "[" * 2_000 + "]" * 2_000 + "\n---\nBody.\n", "nested too deeply"),
    ],
)
def test_with_front_matter_refuses_malformed_front_matter(text, message):
    with pytest.raises(BriefingFormatError, match=message):
        with_front_matter(text, title="T")


@given(st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=200))
def test_any_title_survives_the_round_trip(raw):
    title = " ".join(normalise_text(raw).split())
    if not title or title in {"~", "null", "Null", "NULL"}:  # YAML's own words for nothing
        return
    briefing = parse_briefing(with_front_matter("Body.\n", title=title), "b")
    assert briefing.title == title


@pytest.mark.parametrize("invisible", ["\u200b", "\u200d", "\u00ad", "\ufeff", " \u200b\t\u2060 "])
def test_a_line_of_nothing_a_reader_sees_is_blank(invisible):
    briefing = parse_briefing(f"A walruses.\n{invisible}\nB otters.\n\n{invisible}\n", "b")
    assert [briefing.text(p) for p in briefing.paragraphs] == ["A walruses.", "B otters."]
    assert [p.number for p in briefing.paragraphs] == [1, 2]
