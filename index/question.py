"""A question as the engine reads it, analysed once.

A message becomes a ``Question``: what it asks for (a question, chat, help,
a summary), the words of its question with chat stripped (each as typed,
folded and analysed, and whether it opens a sentence, since a capital there
says nothing about a name), and, for "who is X", "what does X stand for" or
a message that is only a name or short noun phrase ("tell me about X" once
its framing is stripped), the X it asks to have introduced. Discord markup
(mentions of users, roles and channels, custom emoji, timestamps) is not
part of the question.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace

from index.adverbs import default_adverbs
from index.analysis import Analyzer, fold, split_words
from index.chat import ChatLexicon, Intent, default_lexicon, is_filler, trim_chat
from index.stopwords import ENGLISH_STOPWORDS
from index.verbs import default_verbs

# User, role and channel mentions, custom emoji, slash-command mentions and timestamps.
_DISCORD_MARKUP = re.compile(r"<(?:@[!&]?|#|a?:\w{1,32}:|/[\w -]{1,32}:|t:)\d{1,20}(?::[A-Za-z])?>")
# Links: what a page's address says is not what the reader asks.
_LINK = re.compile(r"(?:\bhttps?://|\bwww\.)\S+", re.IGNORECASE)
# Initials written with full stops ("U.S.", "U.N.", "e.g."): one word, "US", not "u" and "s".
_INITIALISM = re.compile(r"\b(?:[A-Za-z]\.){2,}(?!\w)")
# One initial before a name ("N. Korea", "J. Smith"): no topic of its own ("P" in "is P = NP"
# is), nor is it one when the capital after it starts a question ("plan B. Why ...").
_INITIAL = re.compile(
    r"(?<![\w.])[A-Za-z]\.(?=\s+(?!(?:What|Why|Who|Whom|Whose|How|When|Where|Which|Is|Are|Was"
    r"|Were|Did|Does|Do|Can|Could|Will|Would|Should|Has|Have|Had|I|It|The|And|But|So)\b)[A-Z])"
)
# It separates words though it shows nothing ("who\u200bis"): a space.
_ZERO_WIDTH_SPACE = "\u200b"
# "who's", "what's": the analyzer takes "'s" for a possessive, but here it is "is".
_CONTRACTED_IS = re.compile(r"\b(who|what|where|when|how)['’]s\b", re.IGNORECASE)
_TOKEN = re.compile(r"\S+")
# Punctuation and symbols around a word, and a possessive at its end ("(China’s)").
_EDGES = re.compile(r"^[\W_]+|(?:['’]s)?[\W_]*$")
# A token ending so, or standing alone so, ends a sentence or clause before the next word.
_SENTENCE_END = re.compile(r"[.!?:;…—–]['\"”’)\]]*$|^[-—–]+$")
# The words of a question about the briefing itself, not its story.
_ABOUT_THE_BRIEFING = frozenset(
    {
        "date",
        "dated",
        "dateline",
        "datelined",
        "published",
        "publication",
        "city",
        "outlet",
        "outlets",
    }
)
# Titles before a name ("Mr Kim", "Dr. Grossi"): neither searched nor a sentence's end.
_HONORIFICS = frozenset({"mr", "mrs", "ms", "mx", "dr", "sir", "madam", "mister"})
# The post someone holds: asking for it asks who they are.
_ROLE = r"(?:job title|job|position|role|title|post|occupation|profession)"
_WHAT = re.compile(r"\b(?:wat|wut|wht)\b")
_DEFINITION = (
    # "shoigu's job?", "what's Shoigu's position in Russia": what X is, by the post X holds.
    re.compile(
        rf"^(?:(?:what|which) (?:is|was) |whats )?(?:the )?(?P<x>.+?) {_ROLE}(?: (?:in|at) .+)?$"
    ),
    # "the role of the IAEA" (not "the title of the book": a thing's title is its name).
    re.compile(
        r"^(?:what (?:is|was) |whats )(?:the )?(?:job|position|role|post) of "
        r"(?:the )?(?P<x>[^ ]+(?: [^ ]+)?)$"
    ),
    # "what does KCNA stand for", as people type it: "whats kcna stand for", "KCNA stands for?"
    re.compile(
        r"^(?:(?:what|wat)(?: (?:does|do|did|is|s))? |whats )?(?P<x>.+?) (?:stand|stands) for$"
    ),
    re.compile(r"^(?:(?:who|what) (?:is|are|was|were)|whos|whats)(?: (?:a|an|the))? (?P<x>.+)$"),
    re.compile(r"^(?:who|what) (?:a|an|the) (?P<x>.+)$"),
    re.compile(r"^(?:who|what) (?P<x>.+) (?:is|are|was|were)$"),
    re.compile(r"^what (?:does|do|did) (?P<x>.+) (?:mean|means)$"),
    re.compile(r"^what (?:does|do) (?P<x>.+) do$"),
    re.compile(r"^what (?:is|s) (?P<x>.+) short for$"),
    re.compile(r"^(?:define|meaning of|definition of) (?P<x>.+)$"),
)
# A request for one paragraph by its number: "paragraph 3", "what does para 12 say".
_PARAGRAPH = re.compile(
    r"^(?:(?:can|could|would|will) (?:you|u) |i (?:want|need|d like) (?:to see )?)?"
    r"(?:(?:show|quote|read|give|get|post|paste|see)(?: me| us)? "
    r"|what (?:does|did|is in|s in|was in) |whats in )?"
    r"(?:the )?(?:paragraph|para) (?P<number>\d{1,6})"
    r"(?: of (?:the|this) (?:briefing|article|story|report|text))?"
    r"(?: (?:say|says|said))?(?: again)?$"
)
# Emoji and other symbols: a message of nothing else is chat ("👍"), not an empty question.
_SYMBOLS = frozenset({"So"})
# Words that may stand before a bare topic ("the KCNA", "this treaty").
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "some", "any"})
# A message opened by one of these asks yes or no ("did North Korea test a missile?"):
# it is a question about a claim, not a bare topic.
_AUXILIARIES = frozenset({"is", "are", "was", "were", "do", "does", "did", "has", "have", "had"})
_MODALS = frozenset({"can", "could", "will", "would", "shall", "should", "may", "might", "must"})
_YES_NO = _AUXILIARIES | _MODALS
# "What did X say (about ...)": the answer is what X is cited as saying ("Kim said ...").
_SPEAKER = re.compile(
    r"^(?:what|how) (?:(?:did|does|do|has|have|had) (?P<x>(?:[^ ]+ ){0,4}[^ ]+) "
    r"(?:say|tell|announce|report|claim)|(?P<y>(?:[^ ]+ ){0,4}[^ ]+) "
    r"(?:said|says|told|tells|announced|reported|claimed))\b"
)
# A "what is X" whose X is longer than this asks about more than a definition.
_DEFINED_WORDS = 4


@dataclass(frozen=True)
class Word:
    """One content word of a question."""

    typed: str
    folded: str
    term: str
    opens_sentence: bool
    # Whether it comes straight after the word before it, with only stopwords between
    # ("Kim said", "rehearsal of war"): nothing stripped as chat or framing.
    follows: bool = False

    @property
    def named(self) -> bool:
        """Capitalised where a capital is not just the start of a sentence: a name."""
        return self.typed[:1].isupper() and not self.opens_sentence


@dataclass(frozen=True)
class Question:
    """A message, what it asks for, and the words of its question."""

    text: str
    intent: Intent
    words: tuple[Word, ...] = ()
    defines: tuple[Word, ...] = ()
    paragraph: int | None = None  # the number a request for one paragraph names
    speaker: tuple[Word, ...] = ()  # X of "what did X say": whom the answer cites

    @property
    def terms(self) -> tuple[str, ...]:
        """The distinct index terms of the question, in order."""
        return tuple(dict.fromkeys(word.term for word in self.words))


@dataclass(frozen=True)
class _Piece:
    folded: str
    typed: str
    opens_sentence: bool
    parted: bool = False  # something was stripped just before it


def read_question(text: str, analyzer: Analyzer, lexicon: ChatLexicon | None = None) -> Question:
    """Read ``text`` as the engine does: chat stripped, words analysed once."""
    lexicon = lexicon or default_lexicon()
    if not text.strip():
        return Question(text, Intent.EMPTY)
    plain = _LINK.sub(" ", _DISCORD_MARKUP.sub(" ", text)).replace(_ZERO_WIDTH_SPACE, " ")
    joined = _INITIALISM.sub(lambda initials: initials.group().replace(".", ""), plain)
    joined = _INITIAL.sub(" ", joined)
    pieces = _pieces(_CONTRACTED_IS.sub(r"\1 is", joined))
    folded = [piece.folded for piece in pieces]
    had_symbols = plain != text or any(unicodedata.category(c) in _SYMBOLS for c in plain)
    # "What did the US say?" asks about the US; "WHAT IS THIS ABOUT" only shouts.
    named = not plain.isupper() and any(
        _is_acronym(piece.typed) and (piece.folded in ENGLISH_STOPWORDS or is_filler(piece.folded))
        for piece in pieces
    )
    trimmed = trim_chat(folded, lexicon, had_symbols=had_symbols, named=named)
    if trimmed.intent is not Intent.QUESTION:
        return Question(text, trimmed.intent)
    kept = [piece for i, piece in enumerate(pieces) if trimmed.kept(i)]
    if asked := _PARAGRAPH.match(" ".join(piece.folded for piece in kept)):
        return Question(text, Intent.PARAGRAPH, paragraph=int(asked["number"]))
    # A piece stripped from between two words parts them, as a full stop would.
    kept = [
        replace(piece, parted=True) if i and not trimmed.kept(i - 1) else piece
        for i, piece in enumerate(pieces)
        if trimmed.kept(i)
    ]
    words = tuple(_words(kept, analyzer))
    if _about_the_briefing(words, lexicon.light_words):
        return Question(text, Intent.SUMMARY)
    defined = _defined(kept, words, lexicon.light_words)
    defines = tuple(w for w in words if w.folded in defined)
    speaker = _speaker(kept, words)
    # "What does KCNA stand for?" is about KCNA alone: "stand" is not its topic.
    return Question(text, Intent.QUESTION, defines or words, defines, speaker=speaker)


def _speaker(pieces: list[_Piece], words: tuple[Word, ...]) -> tuple[Word, ...]:
    """The words of X in "what did X say (tell, announce, report, claim)"."""
    if not (match := _SPEAKER.match(" ".join(piece.folded for piece in pieces))):
        return ()
    named = set((match["x"] or match["y"]).split())
    return tuple(word for word in words if word.folded in named)


def _pieces(text: str) -> list[_Piece]:
    """Every folded word of ``text``, as typed, and whether it opens a sentence."""
    pieces: list[_Piece] = []
    opens = True
    for match in _TOKEN.finditer(text):
        token = match.group()
        bare = _EDGES.sub("", token)
        for word in split_words(token):
            typed = bare if fold(bare) == word else word
            pieces.append(_Piece(word, typed, opens))
            opens = False
        if _SENTENCE_END.search(token) and fold(bare) not in _HONORIFICS:
            opens = True
    return pieces


def _words(pieces: list[_Piece], analyzer: Analyzer) -> list[Word]:
    """The content words; the first piece left once chat is stripped opens a sentence."""
    words = []
    follows = False
    for number, piece in enumerate(pieces):
        if _is_title(piece) and number + 1 < len(pieces):
            continue
        term = analyzer.term(piece.folded)
        if term is None and _is_acronym(piece.typed):
            term = piece.folded  # "US", "WHO": not the stopwords they fold to
        follows = follows and not piece.parted and not piece.opens_sentence
        if term is not None:
            opens = piece.opens_sentence or not number
            words.append(Word(piece.typed, piece.folded, term, opens, follows=follows))
            follows = True
    return words


def _is_title(piece: _Piece) -> bool:
    """Whether the piece is a title before a name ("Mr", "dr"), not an acronym ("MS", "DR")."""
    return piece.folded in _HONORIFICS and not _is_acronym(piece.typed)


def _is_acronym(typed: str) -> bool:
    return len(typed) >= 2 and typed.isalpha() and typed.isupper()


def _about_the_briefing(words: tuple[Word, ...], light: frozenset[str]) -> bool:
    """Whether the question asks only when or where the briefing is from, or who published it.

    "what's the date on this story?", "which city is this datelined from": the
    overview gives the briefing's date and dateline.
    """
    about = _ABOUT_THE_BRIEFING
    topics = [w.folded for w in words if w.folded in about or w.folded not in light]
    return bool(topics) and about.issuperset(topics)


def _defined(
    pieces: list[_Piece], words: tuple[Word, ...], light: frozenset[str]
) -> frozenset[str]:
    """The folded words of X in "who is X", "what does X stand for", a bare "X?" and the like.

    X is a name or a short noun phrase: "who is visiting Pyongyang" asks who,
    not what "visiting Pyongyang" is.
    """
    # "what's shoigu's job basically", "wat is KCNA": trailing adverbs and chat spellings of
    # "what" do not change what is asked.
    adverbs = default_adverbs()
    folded = [piece.folded for piece in pieces]
    while folded and folded[-1] in adverbs:
        folded.pop()
    sentence = _WHAT.sub("what", " ".join(folded))
    for pattern in _DEFINITION:
        if match := pattern.match(sentence):
            found = match["x"].split()
            verb = found[0] in light or found[0].endswith(("ing", "ed"))
            return frozenset() if verb or len(found) > _DEFINED_WORDS else frozenset(found)
    return _topic(pieces, words, light)


def _topic(pieces: list[_Piece], words: tuple[Word, ...], light: frozenset[str]) -> frozenset[str]:
    """The words of a question that is only a name or a short noun phrase.

    "Freedom Shield?", or what "tell me about the KCNA" or "any news on
    Shoigu" leave once their framing is stripped, asks what the briefing
    says about it: first, the sentence that introduces it. A question word,
    a preposition (a piece with no ``Word``: a stopword), a verb or an opening
    auxiliary ("did North Korea test a missile?") makes it a real question.
    """
    if pieces and pieces[0].folded in _YES_NO:
        return frozenset()
    spoken = [
        p
        for p in pieces
        if p.folded not in _DETERMINERS and p.folded not in light and not _is_title(p)
    ]
    content = [w for w in words if w.folded not in light]
    verbs = default_verbs()
    if len(content) != len(spoken) or any(verbs.is_verb(w.folded, w.term) for w in content):
        return frozenset()
    return frozenset(w.folded for w in content) if len(content) <= _DEFINED_WORDS else frozenset()
