"""Chat around a question: greetings, thanks, framing, sign-offs.

People write to a bot the way they write to each other ("hey! quick q: who
is visiting pyongyang? thx"). The lexicon (``index/data/chat.txt``) lists
such phrases by kind. ``trim_chat`` strips them where they sit in a message
(greetings, apologies and framing open it, thanks and sign-offs close it,
politeness may stand anywhere) so that only the question is searched, and
says when a message is nothing but chat, a call for help or a request for a
summary. Phrases are matched on the analyzer's folded words, so case,
accents and punctuation do not matter.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from index import DATA
from index.analysis import fold, words_of_folded


class Kind(enum.Enum):
    """The sections of the lexicon."""

    GREETING = "greeting"
    VOCATIVE = "vocative"
    THANKS = "thanks"
    APOLOGY = "apology"
    FRAMING = "framing"
    POLITENESS = "politeness"
    CLOSING = "closing"
    REACTION = "reaction"
    HELP = "help"
    SUMMARY = "summary"
    LIGHT = "light"


class Intent(enum.Enum):
    """What a message asks for."""

    QUESTION = "question"
    CHAT = "chat"
    HELP = "help"
    SUMMARY = "summary"
    PARAGRAPH = "paragraph"
    EMPTY = "empty"


# What may open a message before its question, and what may close it.
_SOCIAL = (Kind.GREETING, Kind.THANKS, Kind.APOLOGY, Kind.POLITENESS)
_OPENERS = (*_SOCIAL, Kind.FRAMING)
_CLOSERS = (Kind.THANKS, Kind.CLOSING, Kind.POLITENESS)
# A vocative ("all", "guys") is chat only beside a greeting or thanks: "hi all".
_ADDRESSED = (Kind.GREETING, Kind.THANKS, Kind.APOLOGY, Kind.CLOSING)
_WHOLE = {Kind.HELP: Intent.HELP, Kind.SUMMARY: Intent.SUMMARY, Kind.REACTION: Intent.CHAT}
# Words a whole-message phrase may gain or lose and stay the same request. Only
# filler: question words stay, so "what was the test" never reads as chat.
_FILLER_WORDS = """
a an the it its this that me us my our your you u i please pls for of to just some
briefing article story bot
"""
_FILLER = frozenset(_FILLER_WORDS.split())


@dataclass(frozen=True)
class ChatLexicon:
    """Chat phrases by kind, each phrase a tuple of folded words."""

    phrases: dict[Kind, frozenset[tuple[str, ...]]]
    # The phrases of each kind by their first and by their last word, for lookups.
    _first: dict[Kind, dict[str, list[tuple[str, ...]]]] = field(init=False, repr=False)
    _last: dict[Kind, dict[str, list[tuple[str, ...]]]] = field(init=False, repr=False)
    light_words: frozenset[str] = field(init=False, repr=False)
    # Whole-message phrases by their words that are not filler ("summarize it" ~ "summarize").
    _by_content: dict[Kind, frozenset[tuple[str, ...]]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        first: dict[Kind, dict[str, list[tuple[str, ...]]]] = {kind: {} for kind in Kind}
        last: dict[Kind, dict[str, list[tuple[str, ...]]]] = {kind: {} for kind in Kind}
        for kind, phrases in self.phrases.items():
            by_first, by_last = first[kind], last[kind]
            for phrase in phrases:
                by_first.setdefault(phrase[0], []).append(phrase)
                by_last.setdefault(phrase[-1], []).append(phrase)
        light = frozenset(p[0] for p in self.phrases.get(Kind.LIGHT, ()) if len(p) == 1)
        object.__setattr__(self, "_first", first)
        object.__setattr__(self, "_last", last)
        # Single words that are never a question's topic ("take", "getting").
        object.__setattr__(self, "light_words", light)
        by_content = {
            kind: frozenset(filter(None, map(_content, self.phrases[kind]))) for kind in _WHOLE
        }
        object.__setattr__(self, "_by_content", by_content)

    @classmethod
    def parse(cls, lines: Iterable[str]) -> ChatLexicon:
        """Read ``[section]`` headers and one phrase a line; ``#`` starts a comment."""
        kinds: list[Kind] = []
        texts: list[str] = []
        section: Kind | None = None
        for number, raw in enumerate(lines, 1):
            line = raw.split("#", 1)[0].strip()
            if line.startswith("[") and line.endswith("]"):
                section = Kind(line[1:-1].strip())
            elif line and section is None:
                raise ValueError(f"line {number}: a phrase before any [section]")
            elif line:
                kinds.append(section)  # type: ignore[arg-type]
                texts.append(line.replace("\n", " "))  # a space splits words as a newline does
        # Folded in one call, not line by line: a third of the time, the same words.
        folded = fold("\n".join(texts)).split("\n") if texts else []
        phrases: dict[Kind, set[tuple[str, ...]]] = {kind: set() for kind in Kind}
        for kind, text in zip(kinds, folded, strict=True):
            if words := tuple(words_of_folded(text)):
                phrases[kind].add(words)
        return cls({kind: frozenset(found) for kind, found in phrases.items()})

    def match_at(self, kinds: Sequence[Kind], words: Sequence[str], at: int) -> int:
        """How many words from ``at`` on the longest phrase of ``kinds`` covers; 0 if none."""
        if at >= len(words):
            return 0
        return max(
            (
                len(phrase)
                for kind in kinds
                for phrase in self._first[kind].get(words[at], ())
                if tuple(words[at : at + len(phrase)]) == phrase
            ),
            default=0,
        )

    def match_before(self, kinds: Sequence[Kind], words: Sequence[str], end: int) -> int:
        """How many words before ``end`` the longest phrase of ``kinds`` covers; 0 if none."""
        if end <= 0:
            return 0
        return max(
            (
                len(phrase)
                for kind in kinds
                for phrase in self._last[kind].get(words[end - 1], ())
                if len(phrase) <= end and tuple(words[end - len(phrase) : end]) == phrase
            ),
            default=0,
        )

    def whole(self, words: Sequence[str]) -> Kind | None:
        """The kind of whole message ``words`` are, if any.

        An exact phrase of any kind wins; else one but for filler ("summarize it").
        """
        exact = tuple(words)
        content = _content(words)
        for matches in (
            lambda k: exact in self.phrases[k],
            lambda k: content in self._by_content[k],
        ):
            if kind := next((kind for kind in _WHOLE if matches(kind)), None):
                return kind
        return None


def is_filler(word: str) -> bool:
    """Whether a folded word is filler to a whole-message phrase ("it", "us", "please")."""
    return word in _FILLER


def _content(words: Sequence[str]) -> tuple[str, ...]:
    """``words`` without filler: "summarize it for me" is "summarize"."""
    return tuple(word for word in words if word not in _FILLER)


@functools.cache
def default_lexicon() -> ChatLexicon:
    """The lexicon shipped with briefbot."""
    text = (DATA / "chat.txt").read_text(encoding="utf-8")
    return ChatLexicon.parse(text.splitlines())


@dataclass(frozen=True)
class Trimmed:
    """Where the question sits among a message's words, and what the message is."""

    intent: Intent
    start: int
    end: int
    dropped: frozenset[int]

    def kept(self, position: int) -> bool:
        """Whether the word at ``position`` belongs to the question."""
        return self.start <= position < self.end and position not in self.dropped


def trim_chat(
    words: Sequence[str], lexicon: ChatLexicon, *, had_symbols: bool, named: bool = False
) -> Trimmed:
    """The question among ``words`` (a message's folded words), chat stripped.

    ``had_symbols`` says whether the message held emoji or mentions: with
    no words, such a message is chat; with no words and no symbols ("?!"),
    it is a question with nothing to look up. ``named`` says it names
    something the folded words cannot show ("US" folds to the stopword
    "us"): it is a question, never help or a summary.
    """
    whole = Trimmed(Intent.QUESTION, 0, len(words), frozenset())
    if named:
        return _trim(words, lexicon, _OPENERS)
    if intent := _whole_message(words, whole, lexicon):
        return Trimmed(intent, 0, len(words), frozenset())
    social = _trim(words, lexicon, _SOCIAL)
    if intent := _whole_message(words, social, lexicon):
        return Trimmed(intent, social.start, social.end, social.dropped)
    full = _trim(words, lexicon, _OPENERS)
    if intent := _whole_message(words, full, lexicon):
        return Trimmed(intent, full.start, full.end, full.dropped)
    if any(full.kept(i) for i in range(len(words))) or not (words or had_symbols):
        return full  # a question, or one with no words at all ("?!")
    return Trimmed(Intent.CHAT, 0, 0, frozenset())


def _whole_message(words: Sequence[str], trimmed: Trimmed, lexicon: ChatLexicon) -> Intent | None:
    rest = [word for i, word in enumerate(words) if trimmed.kept(i)]
    kind = lexicon.whole(rest) if rest else None
    return _WHOLE[kind] if kind else None


def _trim(words: Sequence[str], lexicon: ChatLexicon, openers: Sequence[Kind]) -> Trimmed:
    start, last = 0, None
    while start < len(words):
        kinds = (*openers, Kind.VOCATIVE) if last in _ADDRESSED else openers
        found = [(lexicon.match_at((kind,), words, start), kind) for kind in kinds]
        size, last = max(found, key=lambda pair: pair[0])
        if not size:
            break
        start += size
    end = start + _closing(words[start:], lexicon)
    polite, question = (Kind.POLITENESS,), words[:end]
    dropped = {
        i + offset
        for i in range(start, end)
        for offset in range(lexicon.match_at(polite, question, i))
    }
    return Trimmed(Intent.QUESTION, start, end, frozenset(dropped))


def _closing(words: Sequence[str], lexicon: ChatLexicon) -> int:
    """How many of ``words`` are left once sign-offs are stripped from the end."""
    end = len(words)
    while end > 0:
        size = lexicon.match_before(_CLOSERS, words, end)
        if not size:
            vocative = lexicon.match_before((Kind.VOCATIVE,), words, end)
            before = lexicon.match_before(_ADDRESSED, words, end - vocative) if vocative else 0
            size = vocative + before if before else 0
        if not size:
            break
        end -= size
    return end
