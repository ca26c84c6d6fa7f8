"""Write ``index/data/derivations.txt``: words WordNet derives from one another, as index terms.

    apt-get install wordnet-base                 # WordNet 3.0's database files
    python bench/derivations.py                  # reads /usr/share/wordnet
    python bench/derivations.py --wordnet DIR --out FILE

"Invaded" and "invasion" stem apart ("invad", "invas"), so a question using
one is refused by a briefing that says the other. WordNet links such pairs
("derivationally related form" pointers, ``+`` in its database). Each pair
whose two words share their first letters ("decide", "decision"; WordNet
also links words that share no form, such as "depart" and "leave", and
those are left out) is written as the two analyzer terms. The table depends on the analyzer
that makes the terms, so its version is written at the top: regenerate the
table whenever the analyzer's version changes (a test checks that it matches).

The database format is WordNet's own (``wndb(5WN)``): one synset per line,
its words, then its pointers, each with the source and target word numbers.
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
_PARTS_OF_SPEECH = ("noun", "verb", "adj", "adv")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python bench/derivations.py", description=__doc__)
    parser.add_argument("--wordnet", type=Path, default=Path("/usr/share/wordnet"))
    parser.add_argument("--out", type=Path, default=ROOT / "index" / "data" / "derivations.txt")
    args = parser.parse_args(argv)
    analyzer = Analyzer()
    related = derivations(args.wordnet, analyzer)
    lines = [
        "# Derivationally related words (WordNet 3.0, Copyright 2006 by Princeton University;",
        "# licence in index/data/WORDNET-LICENSE), as index terms: a term, then its relatives.",
        "# Written by bench/derivations.py; regenerate it when the analyzer changes.",
        f"analyzer {analyzer.version}",
        *(" ".join([term, *sorted(others)]) for term, others in sorted(related.items())),
    ]
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.out}: {len(related):,} terms, {sum(map(len, related.values())):,} relatives")


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
