"""Term ids that a worker process gives on its own, and their translation to an index's ids.

An index numbers its terms in the order they are first used, chunk by
chunk, over the whole listing (``PostingsBuilder``). Turning every term of
every chunk into that number in the process that gathers the postings was
most of its work (a dictionary lookup for each distinct term of each chunk,
five and a half million at 100,000 chunks), done while the workers needed
the same cores. So each worker numbers the terms itself, in its own
``Vocabulary``: it looks up each word's number where the analyzer looked up
the word's term, and counts each chunk's terms and marks the sentences
holding them with numpy, a file at a time. It sends a file's terms as
integer arrays (``EncodedChunks``) together with the terms it numbered for
that file. The gathering process looks up only those new terms
(``Translation``: about once per worker and term), and turns the rest into
the index's ids with one array lookup.

The index's ids are the ones ``PostingsBuilder.add`` gives: a term that a
file added uses and the index has not met yet gets the next id, in the
order the file first uses such terms. A worker indexes its files in
listing order, as the gatherer takes them, so each file's new terms reach
the gatherer before any file that uses them again; a file left out (a
second file of one name) still teaches the gatherer its new terms.
"""

from __future__ import annotations

import uuid
from array import array
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from index.analysis import Analyzer
from index.postings import PostingsBuilder
from index.sentencetable import AnalysedChunk, analyse_sentences, marker_of


@dataclass(frozen=True, eq=False)
class EncodedChunks:
    """Several chunks' terms as ids of one vocabulary, and which sentences hold each.

    Each chunk's distinct terms come in turn, in order of first use (as
    ``PostingsBuilder.add`` and ``AnalysedChunk.masks`` take them).
    """

    vocabulary: str  # which ``Vocabulary`` gave the ids
    first_new: int  # the id of ``new_terms[0]``: how many terms it had numbered before
    new_terms: tuple[str, ...]  # the terms numbered for these chunks, in order of id
    ids: np.ndarray  # int32: each chunk's distinct terms
    counts: np.ndarray  # int32: how often the chunk uses each of them
    masks: np.ndarray  # uint8: bit i set if the chunk's sentence i holds it
    sizes: np.ndarray  # int32: each chunk's number of distinct terms
    lengths: np.ndarray  # int32: each chunk's number of terms, repeats counted


class Vocabulary:
    """One process's terms, numbered in the order it first meets them, for its analyzer."""

    def __init__(self, analyzer: Analyzer) -> None:
        self.key = uuid.uuid4().hex
        self.analyzer = analyzer
        self._ids: dict[str, int] = {}
        self._terms: list[str] = []
        self._sent = 0
        # Each folded word's term's id: one lookup per word instead of one for its
        # term and another for the term's id.
        self._words = _WordIds(self)
        self._marker = marker_of(self.analyze)

    def number(self, term: str) -> int:
        """The term's id, numbering it now if it is new."""
        number = self._ids.get(term)
        if number is None:
            number = self._ids[term] = len(self._terms)
            self._terms.append(term)
        return number

    def analyze(self, text: str) -> list[int]:
        """``Analyzer.analyze``, each term as its id."""
        return self.analyzer.analyze_as(text, self._words)

    def analyse_chunk(self, body: str, start: int, end: int) -> AnalysedChunk[int]:
        """``index.sentencetable.analyse_chunk``, each term as its id."""
        return analyse_sentences(self.analyze, self._marker, body, start, end)

    def encode(self, chunks: Sequence[AnalysedChunk[int]]) -> EncodedChunks:
        """The chunks (analysed with ``analyse_chunk``), counted and masked all at once.

        Counting each chunk's terms and setting their sentence bits one by one
        in Python cost about 15 µs a chunk; numpy does a file in half that.
        """
        ids: list[int] = []
        lengths = array("i")
        sentence_lengths, sentence_bits = array("i"), array("B")
        for chunk in chunks:
            ids += chunk.terms
            lengths.append(len(chunk.terms))
            start = 0
            for sentence, end in enumerate(chunk.ends):
                sentence_lengths.append(end - start)
                sentence_bits.append(1 << sentence)
                start = end
            if not chunk.ends:  # no sentence kept: its terms are in none
                sentence_lengths.append(len(chunk.terms))
                sentence_bits.append(0)
        bits = np.repeat(np.frombuffer(sentence_bits, np.uint8), sentence_lengths)
        counted = _distinct(
            np.array(ids, dtype=np.int64), np.frombuffer(lengths, np.int32), bits, len(self._terms)
        )
        first_new, self._sent = self._sent, len(self._terms)
        return EncodedChunks(self.key, first_new, tuple(self._terms[first_new:]), *counted)


class _WordIds(dict[str, int]):
    """Each folded word (never a stopword) to the id of its term, worked out once."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        super().__init__()
        self.vocabulary = vocabulary

    def __missing__(self, word: str) -> int:
        term = self.vocabulary.analyzer.term(word)
        if term is None:
            raise KeyError(word)  # a stopword has no term, so no id
        number = self[word] = self.vocabulary.number(term)
        return number


def _distinct(
    ids: np.ndarray, lengths: np.ndarray, bits: np.ndarray, vocabulary: int
) -> tuple[np.ndarray, ...]:
    """Each chunk's distinct ids in order of first use, their counts, masks, and the sizes.

    ``ids`` are every chunk's terms in turn, ``lengths`` how many each chunk
    has, ``bits`` each term's sentence bit; all that is returned but the
    lengths is per distinct term of each chunk.
    """
    chunks = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    keys = chunks * vocabulary + ids
    order = np.argsort(keys, kind="stable")  # stable: each run of a key starts at its first use
    keys = keys[order]
    runs = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1]))) if len(keys) else keys
    firsts = order[runs]
    counts = np.diff(np.append(runs, len(keys)))
    masks = np.bitwise_or.reduceat(bits[order], runs) if len(runs) else bits
    by_use = np.argsort(firsts)  # the chunks' terms in turn, each chunk's in order of first use
    firsts = firsts[by_use]
    return (
        ids[firsts].astype(np.int32),
        counts[by_use].astype(np.int32),
        masks[by_use],
        np.bincount(chunks[firsts], minlength=len(lengths)).astype(np.int32),
        lengths,
    )


class OutOfOrderError(ValueError):
    """A worker's chunks came in another order than it encoded them in."""


class Translation:
    """Each worker vocabulary's ids as ids of one index, learnt as its chunks come in."""

    def __init__(self, postings: PostingsBuilder) -> None:
        self.postings = postings
        # Per vocabulary: each of its ids' id in the index (-1: not used in it yet), and
        # the terms not used yet (the index keeps the others, once whatever the worker).
        self._learnt: dict[str, tuple[array, dict[int, str]]] = {}

    def add(self, encoded: EncodedChunks) -> None:
        """Add the chunks to the postings (they must come in the order they were encoded)."""
        ids, unused = self._learn(encoded)
        known = np.frombuffer(ids, dtype=np.int32)
        translated = known[encoded.ids]
        unknown = translated < 0
        if unknown.any():
            # Numbered in the order these chunks first use them, as ``PostingsBuilder.add`` does.
            local = list(dict.fromkeys(encoded.ids[unknown].tolist()))
            terms = [unused.pop(number) for number in local]
            known[local] = self.postings.term_ids(terms)
            translated = known[encoded.ids]
        del known  # a view of ``ids``, which must be free to grow
        self.postings.add_ids(translated, encoded.counts, encoded.sizes, encoded.lengths)

    def skip(self, encoded: EncodedChunks) -> None:
        """Learn the chunks' new terms without adding the chunks (a file left out)."""
        self._learn(encoded)

    def _learn(self, encoded: EncodedChunks) -> tuple[array, dict[int, str]]:
        ids, unused = self._learnt.setdefault(encoded.vocabulary, (array("i"), {}))
        if encoded.first_new != len(ids):
            raise OutOfOrderError("chunks must come in the order their vocabulary encoded them")
        unused.update(enumerate(encoded.new_terms, len(ids)))
        ids.extend([-1] * len(encoded.new_terms))
        return ids, unused
