"""Typo tolerance: read a word the index lacks as the nearest word it has.

In the spirit of Elasticsearch's ``fuzziness: AUTO``, a word of 3 to 5
letters may be one edit from the index's term, a longer word two (an edit is
an insertion, deletion, substitution or transposition: optimal string
alignment distance, from RapidFuzz). The edits allowed are counted on the
shorter of the word and the term it is read as ("jinping", stemmed "jinp", is
two edits from "joint", which is too short for two), and the first letter must
match, as with Elasticsearch's ``prefix_length: 1`` ("houthis" is not a typo
of "south"), unless the first two letters are swapped ("hsoigu") or a long
word is one edit away ("Yongyang"). A word the English dictionary knows
(simplemma's, through ``index.english``) is not a typo but a word the
briefing lacks ("range", "praise"), so it is left as it is. A word two edits
from the nearest term but one from a dictionary word starting with the same
two letters is read as that word ("coment" is "comment" mistyped, not
"combat"), and so as nothing if the briefing lacks it. Among equally
near terms, the one in more chunks wins. RapidFuzz is imported when a word
first needs it (one that both the index and the dictionary lack).
"""

from __future__ import annotations

from collections.abc import Callable

from index.english import is_known, known_near
from index.postings import Postings

# Words shorter than this are never read as another word.
MIN_LETTERS = 3
# Words longer than this may be two edits away.
ONE_EDIT_UP_TO = 5
# A word this long may lose its first letter to a typo and still be read.
LONG_WORD = 6


def allowed_edits(word: str) -> int:
    """How many edits away a reading of ``word`` may be (0, 1 or 2)."""
    if len(word) < MIN_LETTERS or not word.isalpha():
        return 0
    return 1 if len(word) <= ONE_EDIT_UP_TO else 2


def nearest_term(
    postings: Postings, word: str, term: str, term_of: Callable[[str], str | None]
) -> str | None:
    """The index term that ``word`` (analysed as ``term``) is a typo of, if any.

    ``term_of`` analyses a word as the index does.
    """
    edits = allowed_edits(word)
    if not edits or is_known(word):
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    near = process.extract(
        term, postings.terms, scorer=OSA.distance, score_cutoff=edits, limit=None
    )
    near = [
        (other, distance, n)
        for other, distance, n in near
        if distance <= allowed_edits(other) and _same_start(term, other, distance)
    ]
    if not near:
        return None
    best = min(near, key=lambda match: (match[1], -postings.document_frequency(match[0])))
    return best[0] if best[1] < 2 else _two_edits_away(postings, word, best[0], term_of)


def _two_edits_away(
    postings: Postings, word: str, term: str, term_of: Callable[[str], str | None]
) -> str | None:
    """The reading of ``word``, two edits from ``term``: a dictionary word one edit away wins.

    "coment" is "comment" mistyped, not "combat": the briefing lacks it, so it is
    read as nothing. "speciically" is "specifically", which the briefing has.
    "shiled" is "shield", which is ``term`` itself.
    """
    terms = {term_of(other) for other in known_near(word)}
    if not terms or term in terms:
        return term
    held = [other for other in terms if other and postings.term_id(other) is not None]
    return max(held, key=postings.document_frequency, default=None)


def nearest_word(word: str, words: tuple[str, ...], edits: int = 2) -> str | None:
    """The word of ``words`` that ``word`` is a typo of, if any (as above, at most ``edits``)."""
    edits = min(edits, allowed_edits(word))
    if not edits or is_known(word):
        return None
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    near = process.extract(word, words, scorer=OSA.distance, score_cutoff=edits, limit=None)
    return next((other for other, distance, _ in near if _same_start(word, other, distance)), None)


def _same_start(typed: str, other: str, distance: int) -> bool:
    """Whether a reading keeps the typed word's start: its first letter, or its first two swapped.

    A long word one edit away ("Yongyang" for "Pyongyang") may have lost its first letter.
    """
    return (
        typed[:1] == other[:1]
        or typed[:2] == other[1::-1]
        or (distance == 1 and min(len(typed), len(other)) >= LONG_WORD)
    )
