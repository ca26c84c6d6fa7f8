"""Answer a question with the briefing's own words, or say it isn't there.

The best chunks come from BM25. Each becomes a ``Passage`` whose best
sentence (the one whose query terms weigh most, by IDF over the whole index)
is picked out and whose cited outlet or speaker is read from that sentence.
A question is "not covered" when the best passage holds too little of the
question's weight, or when a name in the question occurs nowhere at all.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from index.acronyms import expand_acronyms
from index.analysis import Term
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
    hits = index.search([term.term for term in terms], max(k, 1), briefing_id)
    if not hits or not _covers(index, terms, hits[0], _names_in(question, missing)):
        return Answer(question, Status.NOT_COVERED, (), _display(question, missing), searched)
    passages = tuple(_passage(index, hit, terms) for hit in hits[:k])
    return Answer(question, Status.ANSWERED, passages, _display(question, missing), searched)


def _unique(terms: list[Term]) -> list[Term]:
    seen: dict[str, Term] = {}
    for term in terms:
        seen.setdefault(term.term, term)
    return list(seen.values())


def _covers(index: Index, terms: list[Term], best: Hit, missing_names: list[str]) -> bool:
    """Whether the best hit holds enough of the question to be its answer."""
    if missing_names:
        return False
    present = index.terms_in(best.position)
    weight = sum(_weight(index, term) for term in terms)
    covered = sum(index.idf(term.term) for term in terms if term.term in present)
    return covered >= MIN_COVERAGE * weight


def _weight(index: Index, term: Term) -> float:
    idf = index.idf(term.term)
    return idf if index.knows(term.term) else UNKNOWN_WEIGHT * idf


def _names_in(question: str, missing: tuple[str, ...]) -> list[str]:
    """Missing words that the question capitalises: names the briefing lacks."""
    capitalised = {word.casefold() for word in question.split() if word[:1].isupper()}
    capitalised = {word.strip("?!.,;:'\"()") for word in capitalised}
    return [word for word in missing if word in capitalised or f"{word}'s" in capitalised]


def _display(question: str, missing: tuple[str, ...]) -> tuple[str, ...]:
    """The missing words as the question spelled them."""
    spelled = {}
    for word in question.replace("’", "'").split():
        bare = word.strip('?!.,;:"()[]{}').removesuffix("'s")
        spelled.setdefault(bare.casefold(), bare)
    return tuple(spelled.get(word, word) for word in missing)


def _passage(index: Index, hit: Hit, terms: list[Term]) -> Passage:
    briefing = index.briefing(hit.chunk.briefing_id)
    start, end = _best_sentence(index, briefing, hit.chunk, terms)
    return Passage(
        briefing, hit.chunk, hit.score, start, end, cited_sources(briefing.body[start:end])
    )


def _best_sentence(
    index: Index, briefing: Briefing, chunk: Chunk, terms: list[Term]
) -> tuple[int, int]:
    """The sentence whose distinct query terms weigh most; the first on ties."""
    weights = {term.term: index.idf(term.term) for term in terms}
    spans = sentence_spans(briefing.body, chunk.start, chunk.end)

    def weight(span: tuple[int, int]) -> float:
        present = set(index.analyzer.analyze(briefing.body[span[0] : span[1]]))
        return sum(w for term, w in weights.items() if term in present)

    return max(spans, key=weight)
