"""Answer a question with the briefing's own words, or say it isn't there.

The best chunks come from BM25. Each becomes a ``Passage`` whose best
sentence (the one whose query terms weigh most, by IDF over the whole index)
is picked out and whose cited outlet or speaker is read from that sentence.
A question is "not covered" when the best passage holds too little of the
question's weight, or when a name in the question occurs nowhere at all.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from index.acronyms import expand_acronyms
from index.analysis import Analyzer, Term, fold
from index.attribution import cited_sources
from index.briefing import Briefing
from index.chunking import Chunk
from index.search import Hit, Index
from index.sentences import sentence_spans

DEFAULT_PASSAGES = 3
# The best passage must hold this share of the question's IDF weight...
MIN_COVERAGE = 0.45
# ...where a word found nowhere weighs this share of the highest IDF: such words
# are as often a reader's paraphrase ("trip" for "visit") as a missing topic.
UNKNOWN_WEIGHT = 0.5
# Punctuation around a question word, and a possessive at its end ("(China’s)").
_EDGES = re.compile(r"^[\W_]+|(?:['’]s)?[\W_]*$")


class Status(enum.Enum):
    """How a question was handled."""

    ANSWERED = "answered"
    NOT_COVERED = "not_covered"
    EMPTY = "empty"
    NO_SEARCH_TERMS = "no_search_terms"


@dataclass(frozen=True)
class Passage:
    """A retrieved chunk, its best sentence (body offsets) and whom it cites."""

    briefing: Briefing
    chunk: Chunk
    score: float
    sentence_start: int
    sentence_end: int
    cites: tuple[str, ...]

    @property
    def text(self) -> str:
        """The passage, verbatim."""
        return self.chunk.text

    @property
    def sentence(self) -> str:
        """The best sentence, verbatim."""
        return self.briefing.body[self.sentence_start : self.sentence_end]

    @property
    def paragraph(self) -> int:
        """The number of the paragraph the passage comes from."""
        return self.chunk.paragraph


@dataclass(frozen=True)
class Answer:
    """What the index says about a question: passages best first, or why none."""

    question: str
    status: Status
    passages: tuple[Passage, ...] = ()
    missing: tuple[str, ...] = ()
    briefings_searched: int = 1

    @property
    def answered(self) -> bool:
        """Whether the passages answer the question."""
        return self.status is Status.ANSWERED

    @property
    def best(self) -> Passage | None:
        """The best passage, if the question was answered."""
        return self.passages[0] if self.answered and self.passages else None


def answer(
    index: Index, question: str, k: int = DEFAULT_PASSAGES, briefing_id: str | None = None
) -> Answer:
    """Answer ``question`` from ``index`` with up to ``k`` passages."""
    searched = 1 if briefing_id else len(index.briefings)
    if not question.strip():
        return Answer(question, Status.EMPTY, briefings_searched=searched)
    terms = _unique(expand_acronyms(index, index.analyzer.terms(question), question))
    if not terms:
        return Answer(question, Status.NO_SEARCH_TERMS, briefings_searched=searched)
    missing = tuple(term.word for term in terms if not index.knows(term.term))
    shown = _as_typed(index.analyzer, question, missing)
    weights = {term.term: index.idf(term.term) for term in terms}
    hits = index.search(list(weights), max(k, 1), briefing_id)
    names = [word for word in shown if word[:1].isupper()]
    if not hits or names or not _covers(index, weights, hits[0]):
        return Answer(question, Status.NOT_COVERED, (), shown, searched)
    passages = tuple(_passage(index, hit, weights) for hit in hits[:k])
    return Answer(question, Status.ANSWERED, passages, shown, searched)


def _unique(terms: list[Term]) -> list[Term]:
    seen: dict[str, Term] = {}
    for term in terms:
        seen.setdefault(term.term, term)
    return list(seen.values())


def _as_typed(analyzer: Analyzer, question: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """Analysed ``words`` of the question, each as the question spells it.

    A word is shown as typed ("Zürich", "China" for "China’s") when its
    question word folds to it alone; a piece of a longer word ("fired" of
    "test-fired") is shown folded. A word shown capitalised is a name.
    """
    if not words:
        return ()
    spelled: dict[str, str] = {}
    for token in question.split():
        bare = _EDGES.sub("", token)
        for word in analyzer.words(token):
            spelled.setdefault(word, bare if fold(bare) == word else word)
    return tuple(spelled.get(word, word) for word in words)


def _covers(index: Index, weights: dict[str, float], best: Hit) -> bool:
    """Whether the best hit holds enough of the question's IDF weight to be its answer."""
    present = index.terms_in(best.position)
    total = sum(idf if index.knows(term) else UNKNOWN_WEIGHT * idf for term, idf in weights.items())
    covered = sum(idf for term, idf in weights.items() if term in present)
    return covered >= MIN_COVERAGE * total


def _passage(index: Index, hit: Hit, weights: dict[str, float]) -> Passage:
    briefing = index.briefing(hit.chunk.briefing_id)
    start, end = _best_sentence(index, briefing, hit.chunk, weights)
    return Passage(
        briefing, hit.chunk, hit.score, start, end, cited_sources(briefing.body[start:end])
    )


def _best_sentence(
    index: Index, briefing: Briefing, chunk: Chunk, weights: dict[str, float]
) -> tuple[int, int]:
    """The sentence whose distinct query terms weigh most; the first on ties."""
    spans = sentence_spans(briefing.body, chunk.start, chunk.end)

    def weight(span: tuple[int, int]) -> float:
        present = set(index.analyzer.analyze(briefing.body[span[0] : span[1]]))
        return sum(w for term, w in weights.items() if term in present)

    return max(spans, key=weight)
