"""Typo tolerance reads a misspelt name as the index's nearest term, never a real word."""

import pytest
from rapidfuzz.distance import OSA

from index.answering import Status, answer
from index.english import is_known
from index.postings import Postings
from index.spelling import allowed_edits, nearest_term, nearest_word


@pytest.mark.parametrize(
    ("word", "edits"), [("kj", 0), ("kim", 1), ("shoyg", 1), ("shiogu", 2), ("x1y2z3", 0)]
)
def test_edits_grow_with_the_word_as_elasticsearch_auto_does(word, edits):
    assert allowed_edits(word) == edits


@pytest.mark.parametrize(
    ("typed", "term"),
    [("shiogu", "shoigu"), ("soigu", "shoigu"), ("pyongyng", "pyongyang"), ("kcan", "kcna")],
)
def test_a_misspelt_name_is_read_as_the_nearest_term(bundled_index, analyzer, typed, term):
    assert nearest_term(bundled_index.postings, typed, analyzer.term(typed), analyzer.term) == term


@pytest.mark.parametrize("word", ["range", "praise", "china", "xq"])
def test_dictionary_words_and_short_words_are_not_typos(bundled_index, analyzer, word):
    assert nearest_term(bundled_index.postings, word, analyzer.term(word), analyzer.term) is None


def test_a_misspelt_stopword_is_recognised():
    assert nearest_word("actualy", ("actually", "really")) == "actually"
    assert nearest_word("missle", ("actually", "really")) is None


def test_among_equally_near_terms_the_more_common_wins(analyzer):
    postings = Postings.build([["kimz"], ["kima"], ["kima"], ["kima"]])
    assert nearest_term(postings, "kimq", "kimq", analyzer.term) == "kima"


@pytest.mark.parametrize(
    ("typed", "term", "meant"), [("coment", "combat", "comment"), ("reciept", "recipe", "receipt")]
)
def test_a_word_one_edit_from_a_dictionary_word_is_not_read_as_a_term_two_away(
    analyzer, typed, term, meant
):
    postings = Postings.build([[term], ["other"]])
    assert OSA.distance(analyzer.term(typed), term) == 2
    assert OSA.distance(typed, meant) == 1 and is_known(meant)
    assert nearest_term(postings, typed, analyzer.term(typed), analyzer.term) is None
    # Were the dictionary word read as the term, the term would be the reading.
    assert nearest_term(postings, typed, analyzer.term(typed), lambda word: term) == term


@pytest.mark.parametrize(
    ("word", "not_read_as"),
    [
        (
            "jinping",
            "joint",
        ),  # its stem "jinp" is two edits from "joint", but four letters allow one
        ("houthis", "south"),  # the first letter differs
        ("shoygu", None),  # and a real typo is still read
    ],
)
def test_edits_are_counted_on_the_stem_and_the_first_letter_must_match(
    bundled_index, analyzer, word, not_read_as
):
    read = nearest_term(bundled_index.postings, word, analyzer.term(word), analyzer.term)
    if not_read_as is None:
        assert read == "shoigu"
    else:
        assert read is None and OSA.distance(analyzer.term(word), analyzer.term(not_read_as)) <= 2


@pytest.mark.parametrize(
    ("typed", "term"),
    [
        ("shiled", "shield"),
        ("exercizes", "exercis"),
        ("hsoigu", "shoigu"),
        ("yongyang", "pyongyang"),
    ],
)
def test_a_swap_at_the_start_or_a_long_word_missing_its_first_letter_is_still_read(
    bundled_index, analyzer, typed, term
):
    assert nearest_term(bundled_index.postings, typed, analyzer.term(typed), analyzer.term) == term


@pytest.mark.parametrize("question", ["any news on jinping?", "what about the houthis"])
def test_an_unknown_name_is_refused_not_read_as_a_nearby_word(bundled_index, question):
    result = answer(bundled_index, question)
    assert result.status is Status.NOT_COVERED and not result.corrections
    assert len(result.missing) == 1 and result.missing[0] in question


def test_a_misspelt_question_word_keeps_its_first_letter():
    assert nearest_word("wich", ("which", "who")) == "which"
    assert nearest_word("hwat", ("that", "what")) == "what"  # its first two letters swapped
    assert nearest_word("xhat", ("that", "what")) is None


@pytest.mark.parametrize(
    ("question", "read_as"),
    [("who is shoiguuuu", "Shoigu"), ("soooo what did kcnaaa say", "KCNA")],
)
def test_a_letter_held_down_is_read_as_typed_once_or_twice(bundled_index, question, read_as):
    result = answer(bundled_index, question)
    assert result.answered and result.missing == ()
    assert [c.read_as for c in result.corrections] == [read_as]


def test_a_zero_width_space_separates_words(bundled_index):
    spaced = answer(bundled_index, "who\u200bis\u200bshoigu")
    assert (
        spaced.answered
        and spaced.best.paragraph == answer(bundled_index, "who is shoigu").best.paragraph
    )
