"""Write the word tables briefbot takes from WordNet 3.0, as index terms.

    apt-get install wordnet-base                 # WordNet 3.0's database files
    python bench/wordnet.py                      # reads /usr/share/wordnet
    python bench/wordnet.py --wordnet DIR --data DIR

``index/data/derivations.txt``: "invaded" and "invasion" stem apart
("invad", "invas"), so a question using one was refused by a briefing that
says the other. WordNet links such pairs ("derivationally related form"
pointers, ``+`` in its database). Each pair whose two words share their
first letters ("decide", "decision"; WordNet also links words that share no
form, such as "depart" and "leave", and those are left out) is written as
the two analyzer terms.

``index/data/verbs.txt``: the terms whose words are mostly verbs (by the
sense counts of WordNet's tagged corpus, ``cntlist.rev``), those that are
verbs too (so their "-ed" and "-ing" forms are verbs), and the nouns and
adjectives that end so ("meeting", "speed"). A reply lists the nouns and
names a briefing lacks, not the verbs ("watch", "praised").

``index/data/adverbs.txt``: the words WordNet knows only as adverbs
("personally", "historically"). A question word the index lacks that is one
says how, not what: it is no evidence that the briefing misses the topic.

The first two tables depend on the analyzer that makes the terms, so its version is
written at the top of each: regenerate them whenever the analyzer's version
changes (a test checks that it matches). The database format is WordNet's
own (``wndb(5WN)``): one synset per line, its words, then its pointers, each
with the source and target word numbers.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script: make ``index`` importable
    sys.path.insert(0, str(ROOT))

from index.analysis import Analyzer  # noqa: E402

# Two words derive from one another if they share this many first letters
# (or all but the last of the shorter: "die", "death" do not; "sign", "signer" do).
SHARED_START = 4
# A word is mostly a verb if its verb senses are tagged this many times as
# often as its others ("watch": 176 to 17; "test", 45 to 36, is not).
MOSTLY = 3
_PARTS_OF_SPEECH = ("noun", "verb", "adj", "adv")
_HEADER = (
    "# {what}.\n"
    "# From WordNet 3.0 (Copyright 2006 by Princeton University; licence in\n"
    "# index/data/WORDNET-LICENSE) by bench/wordnet.py: regenerate it when the analyzer changes.\n"
    "analyzer {version}\n"
)
# Folded words, not terms: the analyzer does not make them, so they carry no version.
_ADVERBS_HEADER = (
    "# Words WordNet knows only as adverbs, one a line, folded.\n"
    "# From WordNet 3.0 (Copyright 2006 by Princeton University; licence in\n"
    "# index/data/WORDNET-LICENSE) by bench/wordnet.py.\n"
)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/wordnet.py", description=__doc__)
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--data", type=Path, default=ROOT / "index" / "data")
    args = parser.parse_args(argv)
    analyzer = Analyzer()
    related = derivations(args.wordnet, analyzer)
    lines = [" ".join([term, *sorted(others)]) for term, others in sorted(related.items())]
    what = "Derivationally related words, one term a line, then its relatives"
    _write(args.data / "derivations.txt", what, analyzer, lines)
    print(f"derivations: {len(related):,} terms, {sum(map(len, related.values())):,} relatives")
    classes = verbs(args.wordnet, analyzer)
    what = (
        "Verbs, one line each: terms 'mostly' verbs, terms verbs 'also', and the words\n"
        "# ending in -ed or -ing that are a 'noun' or adjective"
    )
    lines = [" ".join([kind, *sorted(words)]) for kind, words in classes.items()]
    _write(args.data / "verbs.txt", what, analyzer, lines)
    print("verbs: " + ", ".join(f"{len(words):,} {kind}" for kind, words in classes.items()))
    only = sorted(adverbs(args.wordnet))
    text = _ADVERBS_HEADER + "\n".join(only) + "\n"
    (args.data / "adverbs.txt").write_text(text, encoding="utf-8")
    print(f"adverbs: {len(only):,}")


def _write(path: Path, what: str, analyzer: Analyzer, lines: list[str]) -> None:
    header = _HEADER.format(what=what, version=analyzer.version)
    path.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")


def derivations(wordnet: Path, analyzer: Analyzer) -> dict[str, set[str]]:
    """Each term and the terms of the words derived from or into it."""
    synsets = dict(_synsets(wordnet))
    related: dict[str, set[str]] = defaultdict(set)
    for words, pointers in synsets.values():
        for symbol, target, source_word, target_word in pointers:
            if symbol != "+" or target not in synsets:
                continue
            one, other = words[source_word - 1], synsets[target][0][target_word - 1]
            if not _derived(one, other):
                continue
            a, b = _term(analyzer, one), _term(analyzer, other)
            if a and b and a != b:
                related[a].add(b)
                related[b].add(a)
    return related


def _derived(one: str, other: str) -> bool:
    shorter = min(len(one), len(other))
    shared = next(
        (i for i, pair in enumerate(zip(one, other, strict=False)) if pair[0] != pair[1]), shorter
    )
    return shared >= min(SHARED_START, shorter - 1)


def verbs(wordnet: Path, analyzer: Analyzer) -> dict[str, set[str]]:
    """``mostly`` and ``also`` verb terms, and ``noun`` words ending in "-ed" or "-ing"."""
    tagged: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # term: [verb, other] counts
    for line in (wordnet / "cntlist.rev").read_text(encoding="latin-1").splitlines():
        key, _, count = line.split()
        lemma, kind = key.split("%")[0], key.split("%")[1][0]
        if term := _term(analyzer, lemma):
            tagged[term][kind != "2"] += int(count)
    lemmas = {part: set(_lemmas(wordnet, part)) for part in _PARTS_OF_SPEECH}
    others = lemmas["noun"] | lemmas["adj"] | lemmas["adv"]
    verb_terms = {t for lemma in lemmas["verb"] if (t := _term(analyzer, lemma))}
    other_terms = {t for lemma in others if (t := _term(analyzer, lemma))}
    mostly = {
        term
        for term in verb_terms
        if (term in tagged and tagged[term][0] >= MOSTLY * tagged[term][1] > 0)
        or (term not in tagged and term not in other_terms)
    }
    nouns = {word for word in others if word.isalpha() and word.endswith(("ed", "ing"))}
    return {"mostly": mostly, "also": verb_terms - mostly, "noun": nouns}


def adverbs(wordnet: Path) -> set[str]:
    """The words of four letters or more that WordNet lists as adverbs and as nothing else.

    Shorter ones are as often abbreviations of something else ("bc", "bce").
    """
    others = {lemma for part in ("noun", "verb", "adj") for lemma in _lemmas(wordnet, part)}
    adverbs = _lemmas(wordnet, "adv")
    return {w for w in adverbs if w.isalpha() and len(w) > 3 and w not in others}


def _lemmas(wordnet: Path, part: str) -> Iterator[str]:
    with (wordnet / f"index.{part}").open(encoding="latin-1") as lines:
        for line in lines:
            if not line.startswith("  "):
                yield line.split(" ", 1)[0]


def _term(analyzer: Analyzer, word: str) -> str | None:
    """The word's one index term; None for a phrase ("take_off") or a stopword."""
    if not word.isalpha():
        return None
    terms = analyzer.analyze(word)
    return terms[0] if len(terms) == 1 else None


Pointer = tuple[str, tuple[str, str], int, int]


def _synsets(wordnet: Path) -> Iterator[tuple[tuple[str, str], tuple[list[str], list[Pointer]]]]:
    """((offset, part of speech), (words, pointers)) for every synset of every data file."""
    for part in _PARTS_OF_SPEECH:
        with (wordnet / f"data.{part}").open(encoding="latin-1") as lines:
            for line in lines:
                if not line.startswith("  "):  # the licence, indented, heads each file
                    yield _synset(line)


def _synset(line: str) -> tuple[tuple[str, str], tuple[list[str], list[Pointer]]]:
    fields = line.split("|", 1)[0].split()
    offset, kind = fields[0], _kind(fields[2])
    count = int(fields[3], 16)
    words = [fields[4 + 2 * i].lower() for i in range(count)]
    at = 4 + 2 * count
    pointers: list[Pointer] = []
    for n in range(int(fields[at])):
        symbol, target, target_kind, numbers = fields[at + 1 + 4 * n : at + 5 + 4 * n]
        pointers.append(
            (symbol, (target, _kind(target_kind)), int(numbers[:2], 16), int(numbers[2:], 16))
        )
    return (offset, kind), (words, pointers)


def _kind(code: str) -> str:
    return "a" if code == "s" else code  # adjective satellites share the adjectives' file


if __name__ == "__main__":
    main()
