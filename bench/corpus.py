"""A seeded synthetic news corpus: briefings of ~100-word paragraphs, and questions.

Words are real English: cl100k_base's whole-word tokens (" government",
" missile"), ranked by token id, which roughly follows frequency, so the head
is function words the analyzer drops and the rest are words it stems. A tail
of made-up proper names ("Kelvard") stands in for the rare names of news.
Word ranks are drawn from a Zipf-Mandelbrot law. Paragraphs are cut into
capitalised sentences, some with commas, possessives, hyphens or an
attribution ("Marlow said"), so that folding, splitting and stemming all do
real work. Every paragraph fits one 160-token chunk, so a corpus of N
paragraphs is an index of N chunks.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import numpy as np

from index.chunking import DEFAULT_MAX_TOKENS
from index.tokens import load_encoding

PARAGRAPHS_PER_BRIEFING = 25
ZIPF_EXPONENT = 1.07
ZIPF_SHIFT = 2.7
NAMES = 60_000
WORDS_PER_PARAGRAPH = (80, 110)

_WHOLE_WORD = re.compile(rb" [a-z]{2,}")
_VOWEL = re.compile(r"[aeiouy]")
_LONG_WORD = re.compile(r"[A-Za-z]{4,}")


@dataclass(frozen=True)
class Corpus:
    """Briefing texts (id, text) and questions about them, all from one seed."""

    briefings: tuple[tuple[str, str], ...]
    questions: tuple[str, ...]

    @property
    def paragraphs(self) -> list[str]:
        """Every paragraph's text, in reading order (the chunks of the engine)."""
        return [line for _, text in self.briefings for line in text.strip().split("\n\n")[1:]]


def vocabulary() -> list[str]:
    """Real words most frequent first, then made-up names."""
    encoding = load_encoding()
    words = []
    for token in range(encoding.n_vocab):
        try:
            raw = encoding.decode_single_token_bytes(token)
        except KeyError:
            continue
        if _WHOLE_WORD.fullmatch(raw):
            word = raw[1:].decode()
            if _VOWEL.search(word) and (len(word) > 2 or word in _SHORT_WORDS):
                words.append(word)
    return words + _names(words, NAMES)


def generate(paragraphs: int, questions: int, seed: int = 0) -> Corpus:
    """``paragraphs`` paragraphs in briefings of 25, and ``questions`` questions."""
    rng = np.random.default_rng(seed)
    words = np.array(vocabulary(), dtype=object)
    ranks = np.arange(1, len(words) + 1)
    weights = 1 / (ranks + ZIPF_SHIFT) ** ZIPF_EXPONENT
    weights /= weights.sum()
    low, high = WORDS_PER_PARAGRAPH
    sizes = rng.integers(low, high + 1, size=paragraphs)
    drawn = words[rng.choice(len(words), size=int(sizes.sum()), p=weights)]
    bounds = np.concatenate(([0], np.cumsum(sizes)))
    texts = _fitting([_paragraph(list(drawn[a:b]), rng) for a, b in itertools.pairwise(bounds)])
    briefings = tuple(
        (f"briefing-{number:05d}", _briefing(texts[start : start + PARAGRAPHS_PER_BRIEFING]))
        for number, start in enumerate(range(0, paragraphs, PARAGRAPHS_PER_BRIEFING))
    )
    asked = tuple(_question(texts[int(rng.integers(len(texts)))], rng) for _ in range(questions))
    return Corpus(briefings, asked)


# Two-letter words worth keeping: the ones English uses.
_SHORT_WORDS = frozenset(
    {
        "an",
        "as",
        "at",
        "be",
        "by",
        "do",
        "go",
        "he",
        "if",
        "in",
        "is",
        "it",
        "me",
        "my",
        "no",
        "of",
        "on",
        "or",
        "so",
        "to",
        "up",
        "us",
        "we",
    }
)
_QUESTIONS = (
    "What did {0} say about {1}?",
    "What happened with {0} and {1}?",
    "Why did {0} {1}?",
    "Who {0} the {1}?",
    "{0} {1}?",
    "When was {0} {1}?",
)


def _fitting(texts: list[str]) -> list[str]:
    """The paragraphs, a long one shortened by whole sentences until it fits one chunk."""
    encoding = load_encoding()
    counts = [len(tokens) for tokens in encoding.encode_ordinary_batch(texts)]
    for number, tokens in enumerate(counts):
        text, count = texts[number], tokens
        while count > DEFAULT_MAX_TOKENS and ". " in text:
            text = text[: text.rindex(". ") + 1]
            count = len(encoding.encode_ordinary(text))
        texts[number] = text
    return texts


def _names(words: list[str], count: int) -> list[str]:
    """Capitalised blends of two short words: plausible, rare proper names."""
    pieces = [word for word in words if 3 <= len(word) <= 5]
    rng = np.random.default_rng(1)
    names: dict[str, None] = {}
    while len(names) < count:
        first, second = rng.choice(len(pieces), size=2)
        names[(pieces[first] + pieces[second][1:]).capitalize()] = None
    return list(names)


def _paragraph(words: list[str], rng: np.random.Generator) -> str:
    sentences = []
    while words:
        size = min(len(words), int(rng.integers(8, 26)))
        sentence, words = words[:size], words[size:]
        sentences.append(_sentence(sentence, rng))
    return " ".join(sentences)


def _sentence(words: list[str], rng: np.random.Generator) -> str:
    rolls = rng.random(len(words)).tolist()
    made: list[str] = []
    skip = False
    for i, (word, roll) in enumerate(zip(words, rolls, strict=True)):
        if skip:
            skip = False
            continue
        if roll < 0.02 and i + 1 < len(words):
            made.append(f"{word}-{words[i + 1]}")
            skip = True
        elif roll < 0.05 and word[:1].isupper():
            made.append(f"{word}'s")
        elif roll < 0.11 and i + 1 < len(words):
            made.append(f"{word},")
        else:
            made.append(word)
    text = " ".join(made)
    text = text[:1].upper() + text[1:]
    names = [word for word in words if word[:1].isupper()]
    if names and rolls[0] < 0.25:
        return f"{text}, {names[0]} said."
    return f"{text}."


def _briefing(paragraphs: list[str]) -> str:
    title = " ".join(paragraphs[0].split()[:6]).rstrip(",.")
    return "\n\n".join([f"# {title}", *paragraphs]) + "\n"


def _question(paragraph: str, rng: np.random.Generator) -> str:
    """A question built from two to four words of a paragraph, so most have an answer."""
    words = _LONG_WORD.findall(paragraph)
    picked = [words[int(i)] for i in rng.choice(len(words), size=int(rng.integers(2, 5)))]
    template = _QUESTIONS[int(rng.integers(len(_QUESTIONS)))]
    return template.format(picked[0].lower(), " ".join(picked[1:]).lower())
