"""bench/wordnet.py reads WordNet's database format into the tables briefbot ships."""

from bench.wordnet import adverbs, derivations, verbs
from index.analysis import Analyzer

# Three synsets in WordNet's data-file format (wndb(5WN)): "invade" points to
# "invasion" (+, word 1 to word 1), and "depart" to "leave", which shares no form.
VERBS = """  1 This line, indented, is part of the licence header.
00000001 35 v 01 invade 0 001 + 00000010 n 0101 | march aggressively into
00000002 38 v 01 depart 0 001 + 00000020 n 0101 | go away
"""
NOUNS = """00000010 04 n 01 invasion 0 001 + 00000001 v 0101 | the act of invading
00000020 04 n 01 leave 0 000 | permission to do something
"""


def test_derivations_sharing_their_start_are_kept_as_terms(tmp_path):
    (tmp_path / "data.verb").write_text(VERBS)
    (tmp_path / "data.noun").write_text(NOUNS)
    (tmp_path / "data.adj").write_text("")
    (tmp_path / "data.adv").write_text("")
    related = derivations(tmp_path, Analyzer())
    assert related == {"invad": {"invas"}, "invas": {"invad"}}


# Sense counts (cntlist.rev: sense key, sense number, times tagged) and the
# index files' lemmas: "watch" is tagged mostly as a verb (%2), "bomb" mostly
# as a noun (%1), and "bombing" is a noun of its own.
COUNTS = """watch%2:39:00:: 1 77
watch%1:06:00:: 1 9
bomb%1:06:00:: 1 8
bomb%2:33:00:: 1 3
"""
INDEXES = {
    "verb": "watch v 1 0 1 1 00000001\nbomb v 1 0 1 1 00000002\n",
    "noun": "watch n 1 0 1 1 00000010\nbomb n 1 0 1 1 00000011\nbombing n 1 0 1 1 00000012\n",
    "adj": "",
    "adv": "",
}


def test_verbs_are_classed_by_how_often_each_sense_is_tagged(tmp_path):
    (tmp_path / "cntlist.rev").write_text(COUNTS)
    for part, text in INDEXES.items():
        (tmp_path / f"index.{part}").write_text(text)
    classes = verbs(tmp_path, Analyzer())
    assert classes == {"mostly": {"watch"}, "also": {"bomb"}, "noun": {"bombing"}}


def test_adverbs_are_the_words_listed_only_as_adverbs(tmp_path):
    indexes = {
        "adv": "personally r 1 0 1 1 1\nfast r 1 0 1 1 2\nad_hoc r 1 0 1 1 3\nbc r 1 0 1 1 4\n",
        "adj": "fast a 1 0 1 1 00000004\n",
        "noun": "",
        "verb": "",
    }
    for part, text in indexes.items():
        (tmp_path / f"index.{part}").write_text(text)
    assert adverbs(tmp_path) == {"personally"}
