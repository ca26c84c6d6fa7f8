"""What simplemma's English dictionary tells the analyzer, read from two small files.

simplemma (its version pinned in pyproject.toml) ships English as an
lzma-compressed table of 180,000 word forms, which takes a quarter of a second
to load. The engine asks it three questions, and the answers fit in less:

- the form a word is stemmed from (``base_form``): simplemma's lemma where that
  is not a prefix of the word ("held" -> "hold", "mice" -> "mouse"), else the
  word itself, since a lemma that only cuts an ending ("talks" -> "talk") is
  the stemmer's work. ``data/lemmas.txt`` holds the 19,000 forms where this
  differs from what simplemma's English rules give a word it does not know;
- whether the dictionary knows a word at all, for typo tolerance
  (``is_known``): ``data/words.txt``, sorted, searched by bisection in its bytes;
- which of its words are one edit from a misspelt word and start with the
  same two letters (``known_near``): a run of that file, found by bisection.

The files answer for a "plain" word: lowercase letters and digits in NFC, whose
capitalised form lowercases back to it, as every word the analyzer splits out
of ordinary text is. For such a word simplemma looks up only the word and its
capitalised form (its clitic, hyphen and apostrophe strategies need an
apostrophe or a hyphen, and English has no prefix, affix or morpheme
decomposition), and either key lowercases to the word, so a word absent from
the files is absent from the dictionary. Any other word is asked of simplemma
itself. ``bench/english_tables.py`` writes the files from simplemma, and
tests/index/test_english.py checks every dictionary word and generated ones
against it, so they cannot drift apart unnoticed.
"""

from __future__ import annotations

import functools
import unicodedata

from index import DATA

LEMMAS_FILE = DATA / "lemmas.txt"
WORDS_FILE = DATA / "words.txt"
# simplemma reads "-cies" as "-cy" in words longer than this.
_CIES_LONGER_THAN = 7


def base_form(word: str) -> str:
    """The form of the folded ``word`` that the analyzer stems (see the module docstring)."""
    if not is_plain(word):
        return simplemma_form(word)
    form = _lemmas().get(word)
    return rule_form(word) if form is None else form


def rule_form(word: str) -> str:
    """``base_form`` of a plain word the dictionary does not decide, by simplemma's rules.

    Of its English rules, only "-cies" -> "-cy" ("agencies" -> "agency") gives
    a lemma that is not a prefix of the word; the others only cut an ending.
    """
    if len(word) > _CIES_LONGER_THAN and word.endswith("cies"):
        return word[:-3] + "y"
    return word


def is_known(word: str) -> bool:
    """Whether simplemma's English dictionary knows ``word``, in any case it tries."""
    if not is_plain(word):
        import simplemma  # rare (see is_plain); loads simplemma's whole dictionary

        return simplemma.is_known(word, lang="en")
    return _contains(_words(), word.encode())


def known_near(word: str) -> list[str]:
    """The dictionary's words one edit from the plain ``word`` that start as it does.

    Only the words sharing its first two letters are compared (a contiguous run
    of the sorted file), so the answer costs a fraction of a millisecond.
    """
    if len(word) < 2:
        return []
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    lines, prefix = _words(), word[:2].encode()
    start = _first_line_from(lines, prefix)
    end = _first_line_from(lines, prefix[:-1] + bytes([prefix[-1] + 1]))
    words = lines[start:end].decode().split()
    near = process.extract(word, words, scorer=OSA.distance, score_cutoff=1, limit=None)
    return [found for found, _, _ in near]


def warm() -> None:
    """Read both files now, so that the first question does not."""
    _lemmas()
    _words()


def is_plain(word: str) -> bool:
    """Whether the files answer for ``word`` exactly as simplemma does."""
    if word.isascii():
        return word.isalnum() and word.lower() == word
    return (
        word.isalnum()
        and "\u02bc" not in word  # a letter to Python, an apostrophe to simplemma
        and word.casefold() == word  # "µ" folds to "μ", as simplemma's lemma is folded
        and word.capitalize().lower() == word
        and unicodedata.is_normalized("NFC", word)
    )


def simplemma_form(word: str) -> str:
    """``base_form`` as simplemma itself gives it: what the files are made from."""
    import simplemma  # loads the dictionary on first use; see the module docstring

    lemma = simplemma.lemmatize(word, lang="en").casefold()
    # A regular form ("higher" -> "high", "reprogramming"): the stemmer alone keeps
    # what the lemma would merge away. Irregular ones ("held", "sent", "mice") differ.
    return word if word.startswith(lemma) else lemma


@functools.cache
def _lemmas() -> dict[str, str]:
    """Word -> base form, for the words ``base_form`` cannot work out by rule."""
    fields = _without_header(LEMMAS_FILE.read_text(encoding="utf-8")).split()
    return dict(zip(fields[::2], fields[1::2], strict=True))


@functools.cache
def _words() -> bytes:
    """Every plain word the dictionary knows, one a line, in byte order."""
    return WORDS_FILE.read_bytes()


def _without_header(text: str) -> str:
    while text.startswith("#"):
        text = text.partition("\n")[2]
    return text


def _contains(lines: bytes, word: bytes) -> bool:
    """Whether ``word`` is a line of ``lines`` (sorted, each ending in a newline)."""
    start = _first_line_from(lines, word)
    return lines[start : start + len(word) + 1] == word + b"\n"


def _first_line_from(lines: bytes, key: bytes) -> int:
    """Where the first line of ``lines`` (sorted) that is not below ``key`` starts."""
    low, high = 0, len(lines)  # always the start of a line, or the end
    while low < high:
        middle = (low + high) // 2
        start = lines.rfind(b"\n", 0, middle) + 1
        end = lines.index(b"\n", middle)
        if lines[start:end] < key:
            low = end + 1
        else:
            high = start
    return low
