"""A reply names the nouns and names the briefing lacks, not the verbs."""

import pytest

from index.analysis import Analyzer
from index.answering import answer
from index.verbs import Verbs, default_verbs


def test_the_table_was_written_for_this_analyzer():
    # Its terms are this analyzer's: regenerate it (bench/wordnet.py) when that changes.
    assert default_verbs().analyzer == Analyzer().version


@pytest.mark.parametrize(
    ("question", "missing"),
    [
        ("did kim watch the missile test himself", ()),  # "watch" is mostly a verb
        ("Did Shoigu call Kim after the talks?", ()),  # nor is "call"
        ("Was the cruise missile test praised by Beijing?", ("Beijing",)),
        ("Did the drills include a bombing of the Yellow Sea islands?", ("bombing", "islands")),
        ("What was said at the meeting of the sisters?", ("sisters",)),  # "meeting" is there
    ],
)
def test_only_missing_nouns_and_names_are_listed(bundled_index, question, missing):
    assert answer(bundled_index, question).missing == missing


def test_inflected_forms_are_verbs_unless_the_word_is_a_noun():
    verbs = Verbs.parse("analyzer 4\nmostly watch\nalso bomb speed\nnoun bombing speed\n")
    assert verbs.is_verb("watch", "watch") and verbs.is_verb("watching", "watch")
    assert verbs.is_verb("bombed", "bomb")
    assert not verbs.is_verb("bomb", "bomb")  # a verb too, but mostly a noun
    assert not verbs.is_verb("bombing", "bomb")  # a noun of its own
    assert not verbs.is_verb("speed", "speed")
