import re
import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from index.analysis import Analyzer, fold, split_words, words_of_folded


def test_hyphenated_words_match_their_parts(analyzer):
    assert analyzer.analyze("test-fired") == analyzer.analyze("test fired")
    assert analyzer.analyze("test-fired") == ["test", "fire"]


def test_possessives_case_and_accents_fold_away(analyzer):
    assert analyzer.analyze("Russia's") == analyzer.analyze("RUSSIA")
    assert analyzer.analyze("Moscow’s") == ["moscow"]
    assert analyzer.analyze("café") == analyzer.analyze("cafe")
    assert analyzer.analyze("ｆｕｌｌｗｉｄｔｈ") == ["fullwidth"]


def test_stopwords_and_question_framing_are_dropped(analyzer):
    assert analyzer.analyze("What did they say about it?") == []
    assert analyzer.analyze("How many missiles") == analyzer.analyze("missiles")


def test_inflections_meet_one_term(analyzer):
    assert analyzer.analyze("held talks") == analyzer.analyze("hold talk")
    assert analyzer.analyze("sent sending") == analyzer.analyze("send send")
    assert analyzer.analyze("missiles") == analyzer.analyze("missile")


def test_numbers_are_terms(analyzer):
    assert analyzer.analyze("in 1950 and 2022") == ["1950", "2022"]


def test_zalgo_and_other_scripts_analyse_to_plain_terms(analyzer):
    assert analyzer.analyze("Z̷͔a̵l̴g̶o") == ["zalgo"]
    assert analyzer.analyze("북한 Россия") == ["북한", "россия"]


def test_version_changes_with_the_stopwords():
    assert Analyzer().version != Analyzer(stopwords=frozenset({"a"})).version


@given(st.text())
def test_any_text_analyses_to_nonempty_terms_without_spaces(text):
    terms = Analyzer().analyze(text)
    assert all(term and not any(ch.isspace() for ch in term) for term in terms)


def test_only_english_is_analysed():
    with pytest.raises(ValueError, match="English only"):
        Analyzer(language="german")


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_ascii_text_splits_into_the_words_of_any_text(text):
    # Words are runs of letters and digits; ASCII text is split a faster way.
    folded = fold(text)
    assert split_words(text) == re.findall(r"[^\W_]+", folded)
    # The same text beside a non-ASCII word goes the other way, and splits the same.
    assert split_words(text + " é") == [*re.findall(r"[^\W_]+", folded), "e"]


def test_every_ascii_letter_and_digit_and_nothing_else_is_part_of_a_word():
    characters = "".join(map(chr, range(128)))
    assert words_of_folded(characters) == re.findall(r"[^\W_]+", characters)
    assert (
        "".join(words_of_folded(characters))
        == string.digits + string.ascii_uppercase + string.ascii_lowercase
    )
