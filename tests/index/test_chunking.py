import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from index.chunking import Chunker
from index.loading import load_briefings
from index.parsing import parse_briefing
from tests.conftest import BRIEFINGS


def check_exact_and_bounded(briefing, chunker):
    chunks = chunker.chunk(briefing)
    for chunk in chunks:
        assert briefing.body[chunk.start : chunk.end] == chunk.text
        assert chunk.tokens == chunker.count(chunk.text) <= chunker.max_tokens
        paragraph = briefing.paragraph(chunk.paragraph)
        assert paragraph.start <= chunk.start < chunk.end <= paragraph.end
    return chunks


def test_bundled_briefing_is_one_chunk_per_paragraph(bundled, chunker):
    chunks = check_exact_and_bounded(bundled, chunker)
    assert [c.paragraph for c in chunks] == list(range(1, 15))
    assert [c.text for c in chunks] == [bundled.text(p) for p in bundled.paragraphs]


@pytest.mark.parametrize("budget", [8, 12, 20, 33, 40])
def test_small_budgets_split_paragraphs_on_sentences_and_keep_numbers(bundled, encoding, budget):
    chunker = Chunker(encoding, budget)
    chunks = check_exact_and_bounded(bundled, chunker)
    assert len(chunks) > 14
    covered = {c.paragraph for c in chunks}
    assert covered == set(range(1, 15))
    # Nothing is lost: a paragraph's chunks hold all its words, in order.
    for paragraph in bundled.paragraphs:
        words = " ".join(c.text for c in chunks if c.paragraph == paragraph.number).split()
        assert words == bundled.text(paragraph).split()


def test_sentences_that_fit_are_never_cut(bundled, encoding):
    chunker = Chunker(encoding, 40)
    for chunk in chunker.chunk(bundled):
        if chunk.text != bundled.text(bundled.paragraph(chunk.paragraph)):
            assert chunk.text[-1] in '.!?"”' or chunker.count(chunk.text) > 30


def test_an_unpunctuated_200k_character_paragraph_is_cut_within_budget(chunker):
    briefing = parse_briefing("x" * 200_000, "wall")
    chunks = check_exact_and_bounded(briefing, chunker)
    assert "".join(c.text for c in chunks) == briefing.body


def test_every_briefing_in_the_folder_chunks_exactly(chunker):
    for briefing in load_briefings(BRIEFINGS).briefings:
        check_exact_and_bounded(briefing, chunker)


paragraph_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), min_size=1
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(paragraph_text, min_size=1, max_size=6), st.integers(8, 60))
def test_any_text_chunks_into_exact_bounded_slices(encoding, paragraphs, budget):
    text = "\n".join(paragraphs)
    if not text.strip():
        return
    check_exact_and_bounded(parse_briefing(text, "generated"), Chunker(encoding, budget))


@pytest.mark.parametrize("budget", [8, 13, 21, 34])
def test_sentences_joined_by_long_odd_white_space_still_fit(encoding, budget):
    # Such a join counts several tokens more than its sentences: packing's
    # estimate is low, and the paragraph is packed again counting every join.
    text = " \t\u2003 \t\u2003 \t ".join(["Shoigu met Kim."] * 12)
    chunks = check_exact_and_bounded(parse_briefing(text, "spaced"), Chunker(encoding, budget))
    assert " ".join(c.text for c in chunks).split() == text.split()


def test_the_cache_key_changes_with_the_sentence_splitter(encoding, monkeypatch):
    # Chunks are cut, and the cached sentence table made, by the splitter.
    before = Chunker(encoding).version
    monkeypatch.setattr("index.chunking.SPLITTER_VERSION", "next")
    assert Chunker(encoding).version != before
