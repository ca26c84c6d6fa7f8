"""Answer a question with the briefing's own words, or say it isn't there.

The question is read once (``index.question``): chat stripped, words
analysed. Each word is then read against the index: as typed, as the phrase
an acronym stands for, or through typo tolerance. The best chunks come from
BM25, and are reranked (``index.reranking``) by how one sentence holds the
question (its share, its words in a row, its forms as typed) and what each
chunk holds by another name or carries on from; for "who is X" the chunk that
introduces X goes first. Whether the best passage answers the question is
one fitted decision (``index.refusal``). Each passage's best sentence (the
one whose query terms weigh most) is picked out, with whom it cites.
"""

from __future__ import annotations

import enum
import functools
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from index.acronyms import is_acronym, spell_out
from index.adverbs import default_adverbs
from index.aliases import default_aliases
from index.analysis import fold, split_words
from index.attribution import cited_sources
from index.briefing import Briefing
from index.briefingtable import dates_of, ids_of
from index.chat import Intent, default_lexicon
from index.chunking import Chunk
from index.derivations import default_derivations
from index.question import Question, Word, read_question
from index.refusal import Evidence, RefusalModel, default_model
from index.reranking import (
    CONTEXT_SHARE,
    BestSentence,
    OtherNames,
    Query,
    best_sentence,
    holds_all,
    lent,
    names_of_subject,
    other_names_of,
    rerank,
)
from index.search import Hit, Index
from index.sentences import sentence_spans
from index.spelling import nearest_term, nearest_word
from index.stopwords import ENGLISH_STOPWORDS
from index.verbs import default_verbs

DEFAULT_PASSAGES = 3
# A word found nowhere weighs this share of the highest IDF: such words are as
# often a reader's paraphrase ("trip" for "visit") as a missing topic.
UNKNOWN_WEIGHT = 0.5
# How many of the best chunks are reranked (and looked through for the one introducing X).
RERANK_DEPTH = 5
# Acronyms looked up in the briefings per question.
MAX_ACRONYMS = 4
# Chunks looked through for the briefing's spellings of a misspelt word's reading.
SPELLING_CHUNKS = 3
_QUESTION_WORDS = tuple(sorted(ENGLISH_STOPWORDS))
# Briefings a summary request shows, newest first.
SUMMARY_BRIEFINGS = 3
_TOKEN = re.compile(r"\S+")
# A letter typed three or more times running ("shoiguuuu", "sooo").
_HELD_LETTER = re.compile(r"([a-z])\1{2,}")
_EDGES = re.compile(r"^[\W_]+|(?:['’]s)?[\W_]*$")


class Status(enum.Enum):
    """How a message was handled."""

    ANSWERED = "answered"
    NOT_COVERED = "not_covered"
    EMPTY = "empty"
    NO_SEARCH_TERMS = "no_search_terms"
    CHAT = "chat"
    HELP = "help"
    SUMMARY = "summary"
    PARAGRAPH = "paragraph"


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
class Correction:
    """A question word read as the briefing spells a nearby word."""

    typed: str
    read_as: str


@dataclass(frozen=True)
class Requested:
    """A paragraph asked for by its number ("paragraph 3"), the briefing asked, and its text.

    The text is read while answering, like a passage's, so a briefing file that
    changed since it was indexed is caught there, not while the reply is made.
    """

    briefing: Briefing
    number: int
    text: str | None  # None: the briefing has no paragraph of that number


@dataclass(frozen=True)
class Answer:
    """What the index says about a message: passages best first, or why none."""

    question: str
    status: Status
    passages: tuple[Passage, ...] = ()
    missing: tuple[str, ...] = ()
    briefings_searched: int = 1
    corrections: tuple[Correction, ...] = ()
    # For a request for one paragraph; None when several briefings leave it unclear which.
    requested: Requested | None = None

    @property
    def answered(self) -> bool:
        """Whether the passages answer the question."""
        return self.status is Status.ANSWERED

    @property
    def quotes(self) -> bool:
        """Whether the reply quotes the briefing: an answer, the overview, a paragraph asked for."""
        if self.status is Status.PARAGRAPH:
            return self.requested is not None and self.requested.text is not None
        return self.status in (Status.ANSWERED, Status.SUMMARY) and bool(self.passages)

    @property
    def best(self) -> Passage | None:
        """The best passage, if the question was answered."""
        return self.passages[0] if self.answered and self.passages else None


@dataclass(frozen=True)
class Reading:
    """A question word and the index terms it was read as (none if the index lacks it)."""

    word: Word
    terms: tuple[str, ...]
    corrected: bool = False


def answer(
    index: Index,
    question: str | Question,
    k: int = DEFAULT_PASSAGES,
    briefing_id: str | None = None,
    model: RefusalModel | None = None,
) -> Answer:
    """Answer ``question`` from ``index`` with up to ``k`` passages."""
    read = question if isinstance(question, Question) else read_question(question, index.analyzer)
    searched = 1 if briefing_id else len(index.briefings)
    if read.intent is not Intent.QUESTION:
        return _not_a_question(index, read, briefing_id, searched)
    if not read.words:
        return Answer(read.text, Status.NO_SEARCH_TERMS, briefings_searched=searched)
    readings = read_words(index, read.words)
    ranked = _search(index, read, readings, k, briefing_id)
    hits = ranked.hits
    found_in = hits[0].chunk.briefing_id if hits else None
    missing = _missing(index, readings, found_in)
    corrections = tuple(_corrections(readings, ranked.spellings))
    evidence = weigh(index, readings, ranked)
    if evidence is None or not (model or default_model()).answers(evidence):
        return Answer(read.text, Status.NOT_COVERED, (), missing, searched, corrections)
    passages = tuple(_passage(index, hit, ranked.sentences[hit.position]) for hit in hits[:k])
    return Answer(read.text, Status.ANSWERED, passages, missing, searched, corrections)


def load_defaults() -> None:
    """Load the chat lexicon and the word tables and refusal model now, not on the first question.

    Reading the lexicon alone takes tens of milliseconds; a bot pays that while
    it loads, not while a member waits.
    """
    default_lexicon()
    default_aliases()
    default_derivations()
    default_verbs()
    default_adverbs()
    default_model()
    _never_topics()


def evidence_for(index: Index, question: Question) -> Evidence | None:
    """What the refusal decision sees for ``question``; None if no chunk matches."""
    readings = read_words(index, question.words)
    return weigh(index, readings, _search(index, question, readings, DEFAULT_PASSAGES, None))


def read_words(index: Index, words: tuple[Word, ...]) -> list[Reading]:
    """Each distinct question word read against the index's terms.

    Each acronym lookup reads every briefing, so a question gets at most
    ``MAX_ACRONYMS`` of them: a flood of made-up acronyms is not a flood of scans.
    """
    light = default_lexicon().light_words
    readings: dict[str, Reading | None] = {}
    acronyms = 0
    for word in words:
        if word.term not in readings:
            readings[word.term] = _read(index, word, spell=acronyms < MAX_ACRONYMS)
            acronyms += is_acronym(word.typed)
    # A light word ("take", "getting") or an adverb ("personally") the index lacks is no
    # evidence either way, unless typed as a name ("BC", "Wise").
    adverbs = default_adverbs()
    return [
        r
        for r in readings.values()
        if r
        and (
            r.terms or r.word.named or (r.word.folded not in light and r.word.folded not in adverbs)
        )
    ]


def _read(index: Index, word: Word, *, spell: bool) -> Reading | None:
    """The word as the index has it; None for chat, or a misspelt question word."""
    if index.knows(word.term):
        return Reading(word, (word.term,))
    if phrase := (spell and spell_out(index, word.typed)) or _alias(index, word):
        return Reading(word, tuple(dict.fromkeys(index.analyzer.analyze(phrase))))
    if derived := tuple(t for t in default_derivations().of(word.term) if index.knows(t)):
        return Reading(word, derived)  # "invaded" for "invasion"
    if near := _nearest(index, word):
        return Reading(word, (near,), corrected=True)
    never, once = _never_topics(), _HELD_LETTER.sub(r"\1", word.folded)
    chat = word.folded in never or (len(once) > 1 and once in never)
    if chat and not (word.named and word.folded not in ENGLISH_STOPWORDS):
        return None  # "lol", "bro", "soooo": chat the lexicon knows, unless a name ("Kim Yo Jong")
    if not word.typed[:1].isupper() and nearest_word(word.folded, _QUESTION_WORDS, edits=1):
        return None  # "actualy", "wich": a question word, misspelt (never a name: "Modi")
    return Reading(word, ())


def _nearest(index: Index, word: Word) -> str | None:
    """The index term ``word`` is a typo of; a letter held long ("shoiguuu") is written twice."""
    if near := nearest_term(index.postings, word.folded, word.term, index.analyzer.term):
        return near
    held = _HELD_LETTER.sub(r"\1\1", word.folded)
    if held == word.folded:
        return None
    term = index.analyzer.term(held) or held
    return (
        term if index.knows(term) else nearest_term(index.postings, held, term, index.analyzer.term)
    )


def _alias(index: Index, word: Word) -> str | None:
    def known(name: str) -> bool:
        return all(index.knows(term) for term in index.analyzer.analyze(name))

    return default_aliases().read(word.folded, known)


@functools.cache
def _never_topics() -> frozenset[str]:
    """Words that are never a question's topic: stopwords, light words, one-word chat."""
    phrases = default_lexicon().phrases.values()
    chat = {phrase[0] for kind in phrases for phrase in kind if len(phrase) == 1}
    return frozenset(ENGLISH_STOPWORDS | chat)


@dataclass(frozen=True)
class _Ranked:
    """Hits best first, with each hit's best sentence."""

    hits: list[Hit]
    sentences: dict[int, BestSentence]  # by chunk position
    weights: dict[str, float]  # the IDF of each term the question was read as
    spellings: dict[str, str]  # a misspelt word's term: the briefing's spelling of its reading


def _search(
    index: Index, read: Question, readings: list[Reading], k: int, briefing_id: str | None
) -> _Ranked:
    weights = {t: index.idf(t) for r in readings for t in r.terms}
    hits = index.search(list(weights), max(k, RERANK_DEPTH), briefing_id)
    sentences = {hit.position: best_sentence(index, hit, weights) for hit in hits}
    spellings = _spellings_of(index, readings)
    read_as = {r.word.term: r.terms[0] for r in readings if len(r.terms) == 1}
    read_as |= {read_as[term]: read_as[term] for term in spellings}
    words = tuple(_as_spelt(word, spellings, read_as) for word in read.words)
    query, aliases = Query(weights, words, read_as), default_aliases()
    other_names = other_names_of(index, query, aliases) if len(hits) > 1 else []
    hits = rerank(index, hits, sentences, query, other_names)
    if read.defines:
        defined = {t for r in readings if r.word in read.defines for t in r.terms}
        defines = tuple(_as_spelt(word, spellings, read_as) for word in read.defines)
        subject = Query(weights, defines, read_as)
        names = names_of_subject(index, subject, aliases, other_names)
        if introducing := _introducing(index, hits, defined, subject, names):
            hits = _first(introducing, hits)
    if read.speaker:
        speaker = {t for r in readings if r.word in read.speaker for t in r.terms}
        if cited := _citing(index, hits, sentences, speaker, set(weights) - speaker):
            hits = _first(cited, hits)
    return _Ranked(hits, sentences, weights, spellings)


def _spellings_of(index: Index, readings: list[Reading]) -> dict[str, str]:
    """Each misspelt word's term, with the briefing's spelling of what it was read as.

    Of the forms the first chunks holding the reading write, the nearest the word
    typed: "missles" is "missiles", not "missile".
    """
    spellings = {}
    for reading in (r for r in readings if r.corrected):
        term = reading.terms[0]
        texts = [chunk.text for chunk in index.first_chunks_with(term, SPELLING_CHUNKS)]
        # The cheap scan misses an accented spelling, or a lemma's ("held" for "hold").
        forms = set(_spellings(index, term, texts)) or set(_spellings(index, term, texts, False))
        if forms:
            spellings[reading.word.term] = _nearest_spelling(reading.word.folded, sorted(forms))
    return spellings


def _as_spelt(word: Word, spellings: dict[str, str], read_as: dict[str, str]) -> Word:
    """``word`` as if typed right, in the reader's case: a typo changes only the note.

    "who is visiting Pyongyng" is ranked as "Pyongyang" is: in the form typed
    ("Pyongyang"), and under the alias table's other names for it ("North Korea").
    """
    if (spelling := spellings.get(word.term)) is None:
        return word
    typed = spelling.lower() if word.typed.islower() else spelling
    return replace(word, typed=typed, folded=fold(spelling), term=read_as[word.term])


def _nearest_spelling(folded: str, spellings: list[str]) -> str:
    """The one of ``spellings`` nearest ``folded``: "missles" is "missiles", not "missile"."""
    from rapidfuzz.distance import OSA  # imported already: the typo was read with it

    return min(spellings, key=lambda spelling: OSA.distance(fold(spelling), folded))


def _first(hit: Hit, hits: list[Hit]) -> list[Hit]:
    """``hits`` with ``hit`` moved to the front."""
    return [hit, *(other for other in hits if other is not hit)]


def _citing(
    index: Index,
    hits: list[Hit],
    sentences: dict[int, BestSentence],
    speaker: set[str],
    topic: set[str],
) -> Hit | None:
    """The best hit whose best sentence cites the speaker and holds some of the topic.

    "What did Kim say about the new weapon?" is paragraph 8's "Kim said it showed…",
    though paragraph 1 holds "Kim", "new" and "weapons". A source cited under more
    words than the question names is another ("North Korea" is not "the North").
    """
    if not speaker:
        return None
    for hit in hits[:RERANK_DEPTH]:
        sentence = sentences[hit.position]
        if topic and topic.isdisjoint(sentence.sentence.terms):
            continue
        cited = (set(index.analyzer.analyze(name)) for name in _passage(index, hit, sentence).cites)
        if any(terms and terms <= speaker for terms in cited):  # "Both said": no one named
            return hit
    return None


def _introducing(
    index: Index, hits: list[Hit], defined: set[str], subject: Query, names: list[OtherNames]
) -> Hit | None:
    """The hit that introduces X, among those from the best hit's briefing that hold X.

    That is the one that spells X out in brackets ("Agency (KCNA)"), else the earliest.
    A hit holds X by any of its ``names``: "North Korea's leader" is "the North Korean leader".
    """
    if not hits or not defined:
        return None
    same = [h for h in hits if h.chunk.briefing_id == hits[0].chunk.briefing_id]
    holding = [h for h in same if holds_all(index, h, defined, names)]
    if not holding:
        return None
    brackets = [f"({word.typed.upper()})" for word in subject.words]
    spelled = [h for h in holding if any(b in h.chunk.text.upper() for b in brackets)]
    return min(spelled or holding, key=lambda hit: hit.chunk.start)


def weigh(index: Index, readings: list[Reading], ranked: _Ranked) -> Evidence | None:
    """The evidence that the best hit answers the question; None if nothing matched."""
    if not ranked.hits:
        return None
    best, hits, known = ranked.hits[0], ranked.hits, ranked.weights
    top_idf = index.unseen_idf
    unknown = sum(UNKNOWN_WEIGHT * top_idf for r in readings if not r.terms)
    total = sum(known.values()) + unknown
    # What the chunk carries on from counts as the reranking counts it: "He also hailed a
    # treaty" holds half of "Shoigu".
    held = index.terms_in(best.position)
    carried = lent(index, best, [term for term in known if term not in held])
    present = held | carried
    matched_idf = [
        idf * (CONTEXT_SHARE if term in carried else 1.0)
        for term, idf in known.items()
        if term in present
    ]
    second = hits[1].score if len(hits) > 1 else 0.0
    most = sum(known.values()) * (index.postings.k1 + 1)
    return Evidence(
        coverage=sum(matched_idf) / total,
        sentence=ranked.sentences[best.position].weight / total,
        matched=sum(any(t in present for t in r.terms) for r in readings) / len(readings),
        rarity=_rarity([idf for term, idf in known.items() if term in present], top_idf),
        unknown=unknown / total,
        unknown_name=float(
            any(_named_and_absent(index, r, best.chunk.briefing_id) for r in readings)
        ),
        top_score=best.score / most if most else 0.0,
        margin=(best.score - second) / best.score if best.score else 0.0,
        length=math.log1p(len(readings)),
    )


def _rarity(idfs: list[float], top_idf: float) -> float:
    """The mean IDF of the terms a passage holds, over the highest IDF there is."""
    return sum(idfs) / len(idfs) / top_idf if idfs else 0.0


def _named_and_absent(index: Index, reading: Reading, briefing_id: str) -> bool:
    if not reading.word.named or reading.corrected:
        return False
    return not any(index.briefing_knows(briefing_id, term) for term in reading.terms)


def _missing(index: Index, readings: list[Reading], briefing_id: str | None) -> tuple[str, ...]:
    """The question's topic words (names and nouns) that the answering briefing (or any) lacks."""
    light = default_lexicon().light_words
    verbs = default_verbs()
    return tuple(
        r.word.typed
        for r in readings
        if not r.corrected
        and (
            r.word.named
            or (r.word.folded not in light and not verbs.is_verb(r.word.folded, r.word.term))
        )
        and not any(
            index.briefing_knows(briefing_id, t) if briefing_id else index.knows(t) for t in r.terms
        )
    )


def _corrections(readings: list[Reading], spellings: dict[str, str]) -> list[Correction]:
    return [
        Correction(r.word.typed, spellings.get(r.word.term, r.terms[0]))
        for r in readings
        if r.corrected
    ]


def _spellings(index: Index, term: str, texts: list[str], cheap: bool = True) -> Iterator[str]:
    """The words of ``texts`` that analyse to ``term``, as written there.

    ``cheap`` analyses only words holding the term's first two letters as typed:
    analysing every word takes a quarter of a millisecond.
    """
    start = term[:2]
    for text in texts:
        for token in _TOKEN.findall(text):
            if cheap and start not in token.lower():
                continue
            bare = _EDGES.sub("", token)
            words = split_words(bare)
            if len(words) == 1 and index.analyzer.term(words[0]) == term and fold(bare):
                yield bare


def _not_a_question(index: Index, read: Question, briefing_id: str | None, searched: int) -> Answer:
    status = {
        Intent.EMPTY: Status.EMPTY,
        Intent.CHAT: Status.CHAT,
        Intent.HELP: Status.HELP,
        Intent.SUMMARY: Status.SUMMARY,
        Intent.PARAGRAPH: Status.PARAGRAPH,
    }[read.intent]
    if status is Status.PARAGRAPH and read.paragraph is not None:
        requested = _requested(index, read.paragraph, briefing_id)
        return Answer(read.text, status, briefings_searched=searched, requested=requested)
    if status is not Status.SUMMARY:
        return Answer(read.text, status, briefings_searched=searched)
    return Answer(read.text, status, overview(index, briefing_id), briefings_searched=searched)


def _requested(index: Index, number: int, briefing_id: str | None) -> Requested | None:
    """Paragraph ``number`` of the briefing asked about, or of the only one loaded."""
    if briefing_id is not None:
        briefing = index.briefing(briefing_id)
    elif len(index.briefings) == 1:
        briefing = index.briefings[0]
    else:
        return None
    if not 1 <= number <= len(briefing.paragraphs):
        return Requested(briefing, number, None)
    return Requested(briefing, number, briefing.text(briefing.paragraph(number)))


def overview(index: Index, briefing_id: str | None = None) -> tuple[Passage, ...]:
    """The lede of the briefing (or of the newest briefings), its first sentence picked."""
    if briefing_id is not None:
        briefings = [index.briefing(briefing_id)]
    else:
        dates, ids = dates_of(index.briefings), ids_of(index.briefings)
        newest = sorted(range(len(ids)), key=lambda n: (dates[n] or "", ids[n]), reverse=True)
        briefings = [index.briefings[n] for n in newest[:SUMMARY_BRIEFINGS]]
    return tuple(_lede(briefing, index.opening(briefing.id)) for briefing in briefings)


def _lede(briefing: Briefing, chunk: Chunk) -> Passage:
    start, end = sentence_spans(briefing.body, chunk.start, chunk.end)[0]
    return _passage_at(briefing, chunk, 0.0, start, end)


def _passage(index: Index, hit: Hit, best: BestSentence) -> Passage:
    briefing = index.briefing(hit.chunk.briefing_id)
    return _passage_at(briefing, hit.chunk, hit.score, best.sentence.start, best.sentence.end)


def _passage_at(briefing: Briefing, chunk: Chunk, score: float, start: int, end: int) -> Passage:
    """The chunk as a passage whose best sentence is ``body[start:end]``, with whom it cites."""
    return Passage(briefing, chunk, score, start, end, cited_sources(briefing.body[start:end]))
