"""A question word the briefing has only in a derived form is read as that form."""

import pytest

from bot.render import render_answer
from index.analysis import Analyzer
from index.answering import Status, answer
from index.derivations import Derivations, default_derivations


def test_the_table_was_written_for_this_analyzer():
    # Its terms are this analyzer's: regenerate it (bench/wordnet.py) when that changes.
    assert default_derivations().analyzer == Analyzer().version


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("which country invaded ukraine", 2),  # "Moscow's 2022 invasion of Ukraine"
        ("What did Seoul accuse Kim of?", 2),  # "accusing": no derivation needed
    ],
)
def test_a_derived_word_finds_the_paragraph_that_has_it(bundled_index, question, paragraph):
    result = answer(bundled_index, question)
    assert result.status is Status.ANSWERED
    assert result.best.paragraph == paragraph
    assert "not mention" not in render_answer(result)


def test_a_word_with_no_derived_form_in_the_briefing_is_still_missing(bundled_index):
    result = answer(bundled_index, "Which country invaded Ukraine's farms?")
    assert result.missing == ("farms",)


def test_the_table_reads_a_term_and_its_relatives():
    table = Derivations.parse("# comment\nanalyzer 9-x\ninvad invas\nsign signatur signer\n")
    assert table.analyzer == "9-x"
    assert table.of("sign") == ("signatur", "signer")
    assert table.of("invas") == ()
