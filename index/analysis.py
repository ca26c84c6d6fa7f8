"""The analyzer: text to the terms that BM25 indexes and queries match.

Unicode is normalised (compatibility forms folded; accents, all other marks
and invisible format characters such as soft hyphens, zero-width spaces and
direction overrides dropped, so none of them splits a word), text is
case-folded, possessives are removed, words split on anything that is not a
letter or digit (so ``test-fired`` gives ``test`` and ``fired``), stopwords
are dropped, and the rest lemmatised as simplemma does (irregular forms:
"held" -> "hold"; ``index.english``) and stemmed with Snowball's English
stemmer (PyStemmer). Both are memoised per word: news text repeats words.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TypeVar

import Stemmer

from index import english
from index.stopwords import ENGLISH_STOPWORDS

ANALYZER_VERSION = "4"

T = TypeVar("T")

_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'"})
# Matches what (?<=\w)'s\b|(?<=s)'(?!\w) matches; starting at the apostrophe lets
# the regex engine jump from apostrophe to apostrophe instead of trying every position.
_POSSESSIVE = re.compile(r"'(?:(?<=\w')s\b|(?<=s')(?!\w))")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_WORD = re.compile(r"[^\W_]+")
# In ASCII text (where only letters and digits are alphanumeric) the same words are
# found in less than half the time by turning every other character into a space and
# splitting there.
_ASCII_SEPARATORS = str.maketrans({c: " " for c in map(chr, range(128)) if not c.isalnum()})
# Unicode categories that ``fold`` drops: non-spacing, spacing and enclosing
# marks, and format characters (Cf).
_DROPPED_CATEGORIES = frozenset({"Mn", "Mc", "Me", "Cf"})


@dataclass(frozen=True)
class Term:
    """One analysed term and the word of the text it came from."""

    term: str
    word: str


@dataclass(frozen=True)
class Analyzer:
    """Turns text into index terms; its ``version`` keys the on-disk cache."""

    stopwords: frozenset[str] = ENGLISH_STOPWORDS
    language: str = "english"

    def __post_init__(self) -> None:
        if self.language != "english":
            raise ValueError(f"cannot analyse {self.language!r}: the lemmatizer knows English only")

    @property
    def version(self) -> str:
        """Changes whenever the terms this analyzer produces could change."""
        words = hashlib.sha256(" ".join(sorted(self.stopwords)).encode()).hexdigest()
        return f"{ANALYZER_VERSION}-{self.language}-{words[:12]}"

    def words(self, text: str) -> list[str]:
        """The normalised, case-folded words of ``text``, stopwords removed."""
        return [word for word in split_words(text) if word not in self.stopwords]

    def term(self, word: str) -> str | None:
        """The index term of one folded word; None for a stopword."""
        return None if word in self.stopwords else _TERMS[word]

    def analyze(self, text: str) -> list[str]:
        """The index terms of ``text``, in order, repeats kept."""
        return self.analyze_as(text, _TERMS)

    def analyze_as(self, text: str, terms: Mapping[str, T]) -> list[T]:
        """``analyze``, each term given as ``terms`` gives it for its (folded) word.

        ``terms[word]`` must stand for ``self.term(word)``: a build's worker
        numbers the terms, and looking a word's number up at once saves a
        second lookup of its term.
        """
        stopwords = self.stopwords
        return [terms[word] for word in split_words(text) if word not in stopwords]

    def warm(self) -> None:
        """Load the lemmatizer's tables and the stemmer now.

        An index pays for reading them while it opens, not during the first question.
        """
        _stemmer(self.language)
        english.warm()

    def terms(self, text: str) -> list[Term]:
        """Each term with its source word, for telling users what was missing."""
        return [Term(_TERMS[word], word) for word in self.words(text)]


class _Terms(dict[str, str]):
    """Each folded word's term, worked out once: news text repeats its words.

    A plain dict read (a miss calls ``__missing__``) is the cheapest lookup in
    the analyzer's inner loop. Past ``limit`` words it starts again, so a
    stream of made-up words in questions cannot grow memory for ever.
    """

    limit = 1 << 17

    def __missing__(self, word: str) -> str:
        if len(self) >= self.limit:
            self.clear()
        term = self[word] = _term(word)
        return term


def _term(word: str) -> str:
    """Lemmatise (so "held" meets "hold"), then stem (so "talks" meets "talk")."""
    return _stemmer("english").stemWord(english.base_form(word))


_TERMS = _Terms()


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def split_words(text: str) -> list[str]:
    """Every normalised, case-folded word of ``text``, stopwords included."""
    return words_of_folded(fold(text))


def words_of_folded(folded: str) -> list[str]:
    """``split_words`` of a text already folded (``fold``): many lines folded in one call."""
    if folded.isascii():
        return folded.translate(_ASCII_SEPARATORS).split()
    return _WORD.findall(folded)


def fold(text: str) -> str:
    """Normalise Unicode, drop marks, format characters and possessives, and case-fold."""
    decomposed = unicodedata.normalize("NFKD", text)
    if not decomposed.isascii():
        # Only non-ASCII characters can be marks or format characters.
        stripped = _NON_ASCII.sub(_unless_dropped, decomposed)
        decomposed = unicodedata.normalize("NFC", stripped)
    folded = decomposed.casefold().translate(_APOSTROPHES)
    return _POSSESSIVE.sub("", folded)


def _unless_dropped(match: re.Match[str]) -> str:
    char = match.group()
    return "" if unicodedata.category(char) in _DROPPED_CATEGORIES else char
