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
"Pyongyang", "the Kremlin" for "Russia"). The X of "who is X" is held by
those other names too, and by the alias table's names of several words
("North Korean" by "North Korea").
"""

from __future__ import annotations

import functools
import itertools
import re
import string
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from index.acronyms import initials
from index.aliases import Aliases
from index.analysis import Analyzer, fold, split_words
from index.question import Word
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
_APOSTROPHE = re.compile("['’]")
# What may stand around a word: "(He", "it,", "“They".
_PUNCTUATION = string.punctuation + "“”‘’«»—–"
# How many chunks holding an acronym are looked through for where it is spelled out.
ACRONYM_CHUNKS = 8
# How many runs of question words, at most, are checked as an acronym's long form.
MAX_LONG_FORMS = 4
# The most words in a row of a question looked up together in the alias table.
ALIAS_RUN = 3
# An acronym in brackets after the words it stands for: "Korean Central News Agency (KCNA)".
_BRACKETED = re.compile(r"\(([A-Z]{2,6})s?\)")

Pair = tuple[str, str]


@dataclass(frozen=True)
class Query:
    """What the reranking weighs of a question: its words, and the terms they were read as."""

    weights: dict[str, float]  # the IDF of each term the question was read as
    words: tuple[Word, ...]
    # For each question word's own term, the one index term it was read as (none: chat,
    # a word the index lacks, or one read as several terms).
    read_as: dict[str, str]

    @functools.cached_property
    def in_order(self) -> list[str | None]:
        """Each question word's term as read, in order; None where there is not one."""
        return [self.read_as.get(word.term) for word in self.words]

    @functools.cached_property
    def runs(self) -> list[list[str]]:
        """The runs of question words in a row (``Word.follows``), as the terms read."""
        runs: list[list[str]] = []
        for word, term in zip(self.words, self.in_order, strict=True):
            if term is None:
                runs.append([])
            elif word.follows and runs and runs[-1]:
                runs[-1].append(term)
            else:
                runs.append([term])
        return [run for run in runs if run]

    @functools.cached_property
    def pairs(self) -> dict[Pair, float]:
        """Each two question words in a row, and their weight."""
        return {
            (a, b): self.weights[a] + self.weights[b]
            for run in self.runs
            for a, b in itertools.pairwise(run)
            if a != b
        }


@dataclass(frozen=True)
class BestSentence:
    """A hit's best sentence, the weight of the question's terms it holds, and its words."""

    sentence: Sentence
    weight: float
    words: tuple[str, ...]  # folded, as the sentence has them, in order

    def pairs(self, analyzer: Analyzer, among: Collection[str]) -> frozenset[Pair]:
        """Each two of its terms in a row that are both ``among``, stopwords skipped.

        Only a word starting with the first two letters of one of ``among`` is
        analysed (lemmas seldom change those: "held" and "hold"); any other word
        stands between its neighbours as a gap. Analysing every word read
        rare words through the lemmatizer, a millisecond an answer over a
        large vocabulary.
        """
        starts = {term[:2] for term in among}
        stopwords = analyzer.stopwords
        terms = [
            analyzer.term(word) if word[:2] in starts else None
            for word in self.words
            if word not in stopwords
        ]
        return frozenset((a, b) for a, b in itertools.pairwise(terms) if a in among and b in among)


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
    other_names: list[OtherNames],
) -> list[Hit]:
    """``hits`` best first, each by its score and how its text holds the question.

    ``other_names`` are the question's words' other names (``other_names_of``).
    """
    if len(hits) < 2:
        return list(hits)
    weights, pairs = query.weights, query.pairs
    total = sum(weights.values()) or 1.0
    # A word no sentence holds (a typo, a word the index lacks) cannot be held as typed either.
    as_typed = {w.folded: index.idf(w.term) for w in query.words if index.knows(w.term)}
    name_terms = frozenset(term for other in other_names for name in other.names for term in name)

    def reranked(hit: Hit) -> float:
        best = sentences[hit.position]
        holds = index.held_by(hit.position, weights)
        lacking = [term for term in weights if term not in holds]
        named, held_pairs = _named_otherwise(index, hit, other_names, lacking)
        held = best.sentence.terms | named
        # Only a sentence holding both terms of a pair is read again for its order.
        if any(a in held and b in held for a, b in pairs):
            held_pairs |= best.pairs(index.analyzer, held)
        lent_terms = lent(index, hit, [term for term in lacking if term not in named])
        lent_weight = CONTEXT_SHARE * sum(weights[term] for term in lent_terms)
        # Credit is what one occurrence in this chunk would score, as BM25 weighs it.
        credit = index.occurrence_weight(hit.position, lent_weight + sum(map(weights.get, named)))
        # What is lent is read into the chunk's opening sentence, where "He" or "It" stands for it.
        near = best.weight + (lent_weight if best.sentence.start == hit.chunk.start else 0.0)
        in_sentence = _named_in(index, best, hit, other_names, named, name_terms)
        near += sum(weights[term] for term in in_sentence)
        bonus = (
            NEAR_BONUS * near / total
            + SAME_FORM_BONUS * _share_as_typed(frozenset(best.words), as_typed)
            + PHRASE_BONUS * _share_of_pairs(held_pairs, pairs)
        )
        return (hit.score + credit) * (1 + bonus)

    return sorted(hits, key=lambda hit: (-reranked(hit), hit.position))


def other_names_of(index: Index, query: Query, aliases: Aliases) -> list[OtherNames]:
    """The other names a chunk may hold the question's words by: acronyms, aliases."""
    return [*_long_forms(index, query), *_aliased(index, query, aliases)]


def names_of_subject(
    index: Index, subject: Query, aliases: Aliases, other_names: list[OtherNames]
) -> list[OtherNames]:
    """The other names a chunk may give X, the subject of "who is X", read from X's words.

    Those of the question's ``other_names`` that name X's words, and runs of X's
    words that the alias table names otherwise: "the North Korean leader" is held
    by "North Korea's leader Kim Jong Un". (Counting such runs in every question's
    reranking put paragraphs that only mention a country above the answer.)
    """
    terms = {term for term in subject.in_order if term}
    return [
        *(other for other in other_names if terms.issuperset(other.terms)),
        *_aliased_runs(index, subject, aliases),
    ]


def holds_all(
    index: Index, hit: Hit, terms: Collection[str], other_names: list[OtherNames]
) -> bool:
    """Whether the chunk holds every one of ``terms``, itself or by another name."""
    held = index.held_by(hit.position, terms)
    lacking = [term for term in terms if term not in held]
    return not lacking or _named_otherwise(index, hit, other_names, lacking)[0].issuperset(lacking)


def _named_in(
    index: Index,
    best: BestSentence,
    hit: Hit,
    other_names: list[OtherNames],
    named: frozenset[str],
    name_terms: frozenset[str],
) -> frozenset[str]:
    """Of the terms the chunk holds by another name, those its best sentence holds so.

    Proximity counts them: "Shoigu was visiting North Korea" holds all of "who is
    visiting Pyongyang" in one sentence. ``name_terms`` are the terms of all the names.
    """
    if not named:
        return frozenset()
    sentences = index.sentences_of(hit.position, name_terms)
    held = next((s.terms for s in sentences if s.start == best.sentence.start), frozenset())
    return frozenset(
        term
        for other in other_names
        if any(held.issuperset(name) for name in other.names)
        for term in other.terms
        if term in named
    )


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


def lent(index: Index, hit: Hit, lacking: list[str]) -> frozenset[str]:
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
    # "It's", "They’re": the word before the apostrophe.
    words = (_APOSTROPHE.split(word, maxsplit=1)[0].strip(_PUNCTUATION) for word in opening)
    return not _PRONOUNS.isdisjoint(word.lower() for word in words)


def _long_forms(index: Index, query: Query) -> list[OtherNames]:
    """Runs of the question's words that the briefings abbreviate, with the acronym.

    An acronym is looked for as the initials of three to six words in a row of
    the question, read as terms (a lemma seldom changes a first letter), among
    the index's terms as they are; a stopword inside a name ("Bank of America")
    is not one of its letters here. Only ``MAX_LONG_FORMS`` candidates the index
    knows are checked against the text, each in at most ``ACRONYM_CHUNKS`` chunks.
    """
    found, checked = [], 0
    for run in query.runs:
        for start, end, letters in initials(run):
            words = tuple(run[start:end])
            if letters in query.weights or not index.knows(letters) or checked >= MAX_LONG_FORMS:
                continue
            checked += 1
            if _spelled_out(index, letters, words):
                found.append(OtherNames(words, ((letters,),)))
    return found


def _aliased(index: Index, query: Query, aliases: Aliases) -> list[OtherNames]:
    """The question's words that the alias table names otherwise, with those names.

    Only single words are looked up: counting "North Korean" as "North Korea"
    as well put paragraphs that only mention the country above the answer on
    the project's own questions. A short alias ("UN", "NK") counts only typed in
    capitals: "un" is as likely the end of "Kim Jong Un".
    """
    found = []
    for word, term in zip(query.words, query.in_order, strict=True):
        group = aliases.groups.get(word.folded)
        if term is None or not group or (len(word.folded) <= 3 and not word.typed.isupper()):
            continue
        if other := _named_by(index, (term,), group):
            found.append(other)
    return found


def _aliased_runs(index: Index, query: Query, aliases: Aliases) -> list[OtherNames]:
    """Runs of two to ``ALIAS_RUN`` question words in a row that the alias table names otherwise."""
    read = list(zip(query.words, query.in_order, strict=True))
    found = []
    for start in range(len(read)):
        for end in range(start + 2, min(start + ALIAS_RUN, len(read)) + 1):
            if read[start][1] is None or read[end - 1][1] is None or not read[end - 1][0].follows:
                break
            run = tuple(term for _, term in read[start:end] if term)
            group = aliases.phrases.get(" ".join(word.folded for word, _ in read[start:end]), ())
            if other := _named_by(index, run, group):
                found.append(other)
    return found


def _named_by(index: Index, terms: tuple[str, ...], group: tuple[str, ...]) -> OtherNames | None:
    """``terms`` with the other names of their alias ``group`` that the index knows, if any."""
    names = {tuple(index.analyzer.analyze(other)) for other in group}
    names = {name for name in names if name and name != terms and all(map(index.knows, name))}
    return OtherNames(terms, tuple(sorted(names))) if names else None


def _spelled_out(index: Index, term: str, words: tuple[str, ...]) -> bool:
    """Whether a chunk writes ``words`` with the acronym ``term`` in brackets after them."""
    for chunk in index.first_chunks_with(term, ACRONYM_CHUNKS):
        for bracketed in _BRACKETED.finditer(chunk.text):
            if index.analyzer.term(fold(bracketed.group(1))) == term:
                before = index.analyzer.analyze(chunk.text[: bracketed.start()])
                if tuple(before[-len(words) :]) == words:
                    return True
    return False


def _named_otherwise(
    index: Index, hit: Hit, other_names: list[OtherNames], lacking: list[str]
) -> tuple[frozenset[str], frozenset[Pair]]:
    """Of the question terms the chunk lacks, those it holds by another name; and their pairs.

    A name of several words counts only with its words in a row: "United Nations",
    not "united" here and "nations" there.
    """
    if not other_names:
        return frozenset(), frozenset()
    holds = index.held_by(hit.position, {t for o in other_names for name in o.names for t in name})
    terms: set[str] = set()
    pairs: set[Pair] = set()
    in_a_row: list[str] | None = None
    for other in other_names:
        for name in other.names:
            if not holds.issuperset(name):
                continue
            if len(name) > 1:
                in_a_row = in_a_row or index.analyzer.analyze(hit.chunk.text)
                if not _contains(in_a_row, name):
                    continue
            terms.update(term for term in other.terms if term in lacking)
            pairs.update(other.pairs)
            break
    return frozenset(terms), frozenset(pairs)


def _contains(terms: list[str], run: tuple[str, ...]) -> bool:
    """Whether ``run`` stands in ``terms`` in a row."""
    return any(tuple(terms[i : i + len(run)]) == run for i in range(len(terms) - len(run) + 1))
