"""bench/derivations.py reads WordNet's database format and keeps derivations only."""

from bench.derivations import derivations
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
