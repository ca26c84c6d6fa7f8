"""index.english answers exactly as simplemma does, without loading its dictionary."""

import string

import pytest
import simplemma
import Stemmer
from hypothesis import example, given, settings
from hypothesis import strategies as st

from bench.english_tables import plain_words, tables
from index import english
from index.analysis import Analyzer, split_words
from tests.conftest import BRIEFINGS, PROJECT


@pytest.fixture(scope="module")
def dictionary_words() -> list[str]:
    return plain_words()


def test_the_files_are_what_simplemma_gives_today():
    lemmas, words = tables()
    assert english.LEMMAS_FILE.read_text(encoding="utf-8") == lemmas
    assert english.WORDS_FILE.read_text(encoding="utf-8") == words


def test_every_dictionary_word_reads_as_simplemma_reads_it(dictionary_words):
    assert len(dictionary_words) > 150_000
    for word in dictionary_words:
        assert english.base_form(word) == english.simplemma_form(word), word
        assert english.is_known(word) == simplemma.is_known(word, lang="en"), word


def test_irregular_forms_and_rules_give_their_lemma():
    assert english.base_form("held") == "hold"
    assert english.base_form("mice") == "mouse"
    assert english.base_form("agencies") == "agency"  # a rule: not in the files
    assert "agencies" not in english._lemmas()
    assert english.base_form("talks") == "talks"  # a regular lemma is left to the stemmer
    assert english.is_known("range")
    assert not english.is_known("shoigu")


def near_dictionary_words():
    """Dictionary words with an ending cut or added: where the rules and the lookup meet."""
    endings = st.sampled_from(["", "s", "es", "ies", "cies", "ed", "ing", "ized", "er", "ly"])
    return st.builds(
        lambda word, cut, ending: word[: len(word) - cut] + ending,
        st.sampled_from(plain_words()),
        st.integers(0, 3),
        endings,
    ).filter(bool)


@settings(max_examples=500, deadline=None)
@given(
    st.one_of(
        st.text(string.ascii_lowercase + string.digits, min_size=1, max_size=14),
        near_dictionary_words(),
        st.text(min_size=1, max_size=8),
    )
)
@example("ıraq")  # dotless i: capitalised, it is the dictionary's "Iraq"
@example("don\u02bct")  # a modifier-letter apostrophe is a letter to Python
@example("cafe\u0301")  # not NFC
@example("agencies")
@example("0\u00b5")  # the micro sign case-folds to Greek mu
def test_any_word_reads_as_simplemma_reads_it(word):
    assert english.base_form(word) == english.simplemma_form(word)
    if word.strip():
        assert english.is_known(word) == simplemma.is_known(word, lang="en")


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_the_analyzer_gives_the_terms_simplemma_and_snowball_give(text):
    stemmer = Stemmer.Stemmer("english")
    analyzer = Analyzer()
    expected = [stemmer.stemWord(english.simplemma_form(word)) for word in analyzer.words(text)]
    assert analyzer.analyze(text) == expected


def test_every_word_of_the_bundled_briefings_and_questions_is_plain_and_reads_as_before():
    stemmer = Stemmer.Stemmer("english")
    analyzer = Analyzer()
    texts = [path.read_text("utf-8") for path in BRIEFINGS.iterdir()]
    texts.append((PROJECT / "tests" / "data" / "eval.jsonl").read_text("utf-8"))
    words = {word for text in texts for word in split_words(text)}
    assert len(words) > 300
    assert all(english.is_plain(word) for word in words)
    for word in words:
        assert analyzer.term(word) in {None, stemmer.stemWord(english.simplemma_form(word))}


def test_the_strategies_simplemma_runs_for_english_are_those_the_files_assume():
    from simplemma.strategies.affix_decomposition import AFFIX_LANGS
    from simplemma.strategies.apostrophe_boundary import APOSTROPHE_BOUNDARY_LANGS
    from simplemma.strategies.clitic_decomposition import CLITIC_LANGS, PROCLITIC_LANGS
    from simplemma.strategies.defaultprefixes import DEFAULT_KNOWN_PREFIXES
    from simplemma.strategies.fallback.to_lowercase import BETTER_LOWER
    from simplemma.strategies.morpheme_decomposition import MORPHEME_LANGS

    for languages in (
        AFFIX_LANGS,
        APOSTROPHE_BOUNDARY_LANGS,
        PROCLITIC_LANGS,
        DEFAULT_KNOWN_PREFIXES,
        BETTER_LOWER,
        MORPHEME_LANGS,
    ):
        assert "en" not in languages
    assert all("'" in clitic for clitic in CLITIC_LANGS["en"])


@pytest.mark.parametrize(
    ("word", "found"),
    [(b"", False), (b"a", True), (b"b", True), (b"bb", False), (b"c", True), (b"d", False)],
)
def test_bisection_finds_exactly_the_lines(word, found):
    assert english._contains(b"a\nb\nc\n", word) is found


@pytest.mark.parametrize("word", ["coment", "reciept", "zzyzx", "aardvak", "cæsar", "œsophagus"])
def test_the_words_one_edit_away_are_those_a_full_scan_finds(dictionary_words, word):
    from rapidfuzz.distance import OSA

    scanned = {
        known
        for known in dictionary_words
        if known[:2] == word[:2] and OSA.distance(known, word) <= 1
    }
    assert set(english.known_near(word)) == scanned
