"""Put the best few chunks in the order that answers the question best.

BM25 scores a chunk by which of the question's terms it holds. The few best
are then reordered by how the text holds them: how much of the question one
sentence holds (proximity), whether it holds the question's words in a row
("air defence", a phrase) and in the form typed ("visiting", not only its
stem), and what the chunk holds under another name: the chunk it carries on
from lends it the terms it names ("He also hailed a treaty" is Shoigu's,
named the paragraph before), an acronym the briefing spells out stands for
the words it abbreviates ("KCNA" for "Korean Central News Agency"), and a
word in the alias table for the other names of its group ("North Korea" for
"Pyongyang", "the Kremlin" for "Russia").
"""

from __future__ import annotations

import itertools
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass

from index.acronyms import initials
from index.aliases import Aliases
from index.analysis import Analyzer, fold, split_words
from index.search import Hit, Index, Sentence

# Proximity: what a sentence holding all of the question's weight adds to its chunk's score.
NEAR_BONUS = 1.0
# What a sentence holding every question word in the form it was typed in adds.
SAME_FORM_BONUS = 0.5
# What a sentence holding each two question words in a row, in the question's order, adds.
PHRASE_BONUS = 1.5
# The share of its weight a question term counts for in a chunk that lacks it when
# the chunk it carries on from holds it.
CONTEXT_SHARE = 0.5
# A paragraph carries on from the one before when a pronoun is among its first words.
OPENING_WORDS = 5
_PRONOUNS = frozenset({"he", "she", "it", "they", "him", "her", "his", "its", "their", "them"})
# What may stand around a word: "(He", "it,", "“They".
_PUNCTUATION = string.punctuation + "“”‘’«»—–"
# How many chunks holding an acronym are looked through for where it is spelled out.
ACRONYM_CHUNKS = 8
# An acronym in brackets after the words it stands for: "Korean Central News Agency (KCNA)".
_BRACKETED = re.compile(r"\(([A-Z]{2,6})s?\)")

Pair = tuple[str, str]


@dataclass(frozen=True)
class Query:
    """What the reranking weighs of a question."""

    weights: dict[str, float]  # the IDF of each term the question was read as
    as_typed: dict[str, float]  # each question word, folded as typed, and its term's IDF
    # Each question word's term, in the question's order (None: chat, or read as several).
    in_order: tuple[str | None, ...]
    # Each question word, folded as typed, in the same order.
    folded: tuple[str, ...] = ()

    @property
    def pairs(self) -> dict[Pair, float]:
        """Each two question words in a row, and their weight."""
        return {
            (a, b): self.weights[a] + self.weights[b]
            for a, b in itertools.pairwise(self.in_order)
            if a is not None and b is not None and a != b
        }


@dataclass(frozen=True)
class BestSentence:
    """A hit's best sentence, the weight of the question's terms it holds, and its words."""

    sentence: Sentence
    weight: float
    words: tuple[str, ...]  # folded, as the sentence has them, in order

    def pairs(self, analyzer: Analyzer) -> frozenset[Pair]:
        """Each two of its terms in a row, stopwords skipped."""
        return frozenset(itertools.pairwise(analyzer.terms_of(self.words)))


@dataclass(frozen=True)
class OtherNames:
    """Question words, as terms, and the other names a chunk may hold them by.

    "Korean Central News Agency" and the briefing's "KCNA"; "Pyongyang" and
    "North Korea".
    """

    terms: tuple[str, ...]
    names: tuple[tuple[str, ...], ...]  # each as its terms

    @property
    def pairs(self) -> frozenset[Pair]:
        """The pairs of the words in a row: held wherever another name is."""
        return frozenset(itertools.pairwise(self.terms))


def best_sentence(index: Index, hit: Hit, weights: dict[str, float]) -> BestSentence:
    """The hit's sentence whose distinct query terms weigh most (the first on ties).

    Weights are added in the question's order, so sentences holding the same
    terms tie exactly, whatever order a set happens to iterate in.
    """
    best, most = None, -1.0
    for sentence in index.sentences_of(hit.position, weights):
        weight = sum(w for term, w in weights.items() if term in sentence.terms)
        if weight > most:
            best, most = sentence, weight
    if best is None:  # a chunk of no sentence: the whole chunk stands for one
        return BestSentence(Sentence(hit.chunk.start, hit.chunk.end), 0.0, ())
    words = split_words(index.briefing(hit.chunk.briefing_id).body[best.start : best.end])
    return BestSentence(best, max(most, 0.0), tuple(words))


def rerank(
    index: Index,
    hits: Sequence[Hit],
    sentences: dict[int, BestSentence],
    query: Query,
    aliases: Aliases,
) -> list[Hit]:
    """``hits`` best first, each by its score and how its text holds the question."""
    weights, pairs = query.weights, query.pairs
    total = sum(weights.values()) or 1.0
    other_names = [*_long_forms(index, query), *_aliased(index, query, aliases)]

    def reranked(hit: Hit) -> float:
        best = sentences[hit.position]
        holds = index.held_by(hit.position, weights)
        lacking = [term for term in weights if term not in holds]
        named, named_pairs = _named_otherwise(index, hit.position, other_names, lacking)
        held = best.sentence.terms | named
        # Only a sentence holding both terms of a pair is read again for its order.
        if any(a in held and b in held for a, b in pairs):
            named_pairs |= best.pairs(index.analyzer)
        lacking = [term for term in lacking if term not in named]
        lent = CONTEXT_SHARE * sum(weights[term] for term in _lent(index, hit, lacking))
        credit = lent + sum(weights[term] for term in named)
        # What is lent is read into the chunk's opening sentence, where "He" or "It" stands for it.
        near = best.weight + (credit if best.sentence.start == hit.chunk.start else 0.0)
        bonus = (
            NEAR_BONUS * near / total
            + SAME_FORM_BONUS * _share_as_typed(frozenset(best.words), query.as_typed)
            + PHRASE_BONUS * _share_of_pairs(named_pairs, pairs)
        )
        return (hit.score + credit) * (1 + bonus)

    return sorted(hits, key=lambda hit: (-reranked(hit), hit.position))


def _share_as_typed(words: frozenset[str], as_typed: dict[str, float]) -> float:
    """The share of the question's weight in words the sentence has in the same form.

    Stemming meets "visiting" with "visit"; the sentence that says "visiting" is
    still the likelier answer to "who is visiting".
    """
    held = sum(w for word, w in as_typed.items() if word in words)
    return held / (sum(as_typed.values()) or 1)


def _share_of_pairs(held: frozenset[Pair], pairs: dict[Pair, float]) -> float:
    """The share of the pairs' weight in pairs the sentence has in a row, in the same order.

    "air defence weapon" meets "major defence weapon system" more closely than
    "new weapons system" does, though both hold two of its words.
    """
    if not pairs:
        return 0.0
    return sum(w for pair, w in pairs.items() if pair in held) / sum(pairs.values())


def _lent(index: Index, hit: Hit, lacking: list[str]) -> frozenset[str]:
    """Of the question's terms the hit lacks, those the chunk it carries on from holds.

    A chunk carries on from the one before it when it continues the same
    paragraph, or when a pronoun among its first words stands for what the
    paragraph before named: "He also hailed a treaty" is Shoigu's, "Kim said
    it showed" is the test's.
    """
    before = index.previous(hit.position) if lacking else None
    if before is None:
        return frozenset()
    if not index.continues_paragraph(hit.position) and not _opens_with_pronoun(hit.chunk.text):
        return frozenset()
    return index.held_by(before, lacking)


def _opens_with_pronoun(text: str) -> bool:
    """Whether a pronoun is among the first ``OPENING_WORDS`` words of ``text``."""
    opening = text.split(maxsplit=OPENING_WORDS)[:OPENING_WORDS]
    return not _PRONOUNS.isdisjoint(word.strip(_PUNCTUATION).lower() for word in opening)


def _long_forms(index: Index, query: Query) -> list[OtherNames]:
    """Runs of the question's words that the briefings abbreviate, with the acronym."""
    found = []
    for start, end, letters in initials([term or "" for term in query.in_order]):
        words = tuple(t for t in query.in_order[start:end] if t is not None)
        if len(words) < end - start:
            continue
        term = index.analyzer.term(letters)
        if not term or term in query.weights or not index.knows(term):
            continue
        if _spelled_out(index, term, words):
            found.append(OtherNames(words, ((term,),)))
    return found


def _aliased(index: Index, query: Query, aliases: Aliases) -> list[OtherNames]:
    """The question's words that the alias table names otherwise, with those names.

    Only single words are looked up: counting "North Korean" as "North Korea"
    as well put paragraphs that only mention the country above the answer on
    the project's own questions.
    """
    found = []
    for word, term in zip(query.folded, query.in_order, strict=True):
        if term is None or not (group := aliases.groups.get(word)):
            continue
        names = {tuple(index.analyzer.analyze(other)) for other in group}
        names = {name for name in names if name and name != (term,) and all(map(index.knows, name))}
        if names:
            found.append(OtherNames((term,), tuple(sorted(names))))
    return found


def _spelled_out(index: Index, term: str, words: tuple[str, ...]) -> bool:
    """Whether a chunk writes ``words`` with the acronym ``term`` in brackets after them."""
    for position in index.postings.chunks_with(term)[:ACRONYM_CHUNKS].tolist():
        text = index.chunks[position].text
        for bracketed in _BRACKETED.finditer(text):
            if index.analyzer.term(fold(bracketed.group(1))) == term:
                before = index.analyzer.analyze(text[: bracketed.start()])
                if tuple(before[-len(words) :]) == words:
                    return True
    return False


def _named_otherwise(
    index: Index, position: int, other_names: list[OtherNames], lacking: list[str]
) -> tuple[frozenset[str], frozenset[Pair]]:
    """Of the question terms the chunk lacks, those it holds by another name; and their pairs."""
    if not other_names:
        return frozenset(), frozenset()
    holds = index.held_by(position, {t for o in other_names for name in o.names for t in name})
    terms: set[str] = set()
    pairs: set[Pair] = set()
    for other in other_names:
        if any(holds.issuperset(name) for name in other.names):
            terms.update(term for term in other.terms if term in lacking)
            pairs.update(other.pairs)
    return frozenset(terms), frozenset(pairs)
