"""The alias table: groups of names, looked up by one word or by several."""

from index.aliases import Aliases, default_aliases

TABLE = [
    "# a comment line",
    "north korea = dprk = pyongyang = north korean  # demonyms too",
    "weapons of mass destruction = wmd",
]


def test_single_words_and_phrases_name_their_group():
    aliases = Aliases.parse(TABLE)
    group = ("north korea", "dprk", "pyongyang", "north korean")
    assert aliases.groups["dprk"] == aliases.groups["pyongyang"] == group
    assert aliases.phrases["north korean"] == group
    assert "north korean" not in aliases.groups


def test_a_phrase_is_keyed_by_the_words_a_question_is_read_as():
    # Stopwords are not words of a question, so "weapons of mass destruction" is read
    # as "weapons mass destruction".
    assert Aliases.parse(TABLE).phrases["weapons mass destruction"][-1] == "wmd"


def test_a_word_is_read_as_the_first_other_name_the_index_knows():
    aliases = Aliases.parse(TABLE)
    assert aliases.read("dprk", lambda name: name == "pyongyang") == "pyongyang"
    assert aliases.read("dprk", lambda name: True) == "north korea"
    assert aliases.read("dprk", lambda name: False) is None


def test_the_shipped_table_knows_everyday_abbreviations():
    assert default_aliases().groups["yr"][0] == "year"
    assert default_aliases().groups["nuke"][0] == "nuclear"
