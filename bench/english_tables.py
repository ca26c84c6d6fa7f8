"""Write index/data/lemmas.txt and index/data/words.txt from simplemma's English dictionary.

    python bench/english_tables.py

Run it after changing the simplemma version pinned in pyproject.toml (the
tests fail until it is run). index/english.py says what the files hold and
why they answer exactly as simplemma does.
"""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run as a script: make ``index`` importable
    sys.path.insert(0, str(ROOT))

from index.english import (  # noqa: E402
    LEMMAS_FILE,
    WORDS_FILE,
    is_plain,
    rule_form,
    simplemma_form,
)


def plain_words() -> list[str]:
    """Every plain word simplemma may find in its English dictionary: each key, lowercased."""
    from simplemma.strategies import DEFAULT_DICTIONARY_FACTORY

    keys = DEFAULT_DICTIONARY_FACTORY.get_dictionary("en")
    return sorted({key.lower() for key in keys} - {""}, key=str.encode)


def tables() -> tuple[str, str]:
    """The text of lemmas.txt and of words.txt, as simplemma gives them now."""
    import simplemma

    header = f"# simplemma {version('simplemma')} English, written by bench/english_tables.py\n"
    lemmas, known = [], []
    for word in filter(is_plain, plain_words()):
        form = simplemma_form(word)
        if form != rule_form(word):
            if any(ch.isspace() for ch in form):
                raise ValueError(f"{word!r}: a base form with a space cannot be stored")
            lemmas.append(f"{word}\t{form}\n")
        if simplemma.is_known(word, lang="en"):
            known.append(f"{word}\n")
    return header + "".join(lemmas), header + "".join(known)


def main() -> None:
    lemmas, words = tables()
    LEMMAS_FILE.write_text(lemmas, encoding="utf-8")
    WORDS_FILE.write_text(words, encoding="utf-8")
    print(f"wrote {LEMMAS_FILE} and {WORDS_FILE}")


if __name__ == "__main__":
    main()
