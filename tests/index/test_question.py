"""A question is read once: chat and Discord markup out, names told from sentence starts."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from index.answering import answer
from index.chat import Intent, Kind, default_lexicon
from index.evaluation import parse_cases
from index.question import read_question
from tests.conftest import PROJECT


def words(question):
    return [(word.typed, word.named) for word in question.words]


def test_a_capital_that_opens_a_sentence_is_not_a_name(analyzer):
    read = read_question("Unsurprisingly, what did Shoigu say? Hailed it?", analyzer)
    assert words(read) == [("Unsurprisingly", False), ("Shoigu", True), ("Hailed", False)]


def test_the_first_word_after_chat_opens_the_question(analyzer):
    read = read_question("Hi! Shoigu visited whom?", analyzer)
    assert words(read) == [("Shoigu", False), ("visited", False)]


def test_discord_markup_is_not_part_of_the_question(analyzer):
    read = read_question(
        "<@123456789012345678> <@&987654321098765432> <#111111111111111111> "
        "<:pepe:112233445566778899> what did KCNA say <t:1700000000:R>",
        analyzer,
    )
    assert [word.typed for word in read.words] == ["KCNA"]


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        ("What did the U.S. military say?", ["US", "military"]),
        ("any U.N. sanctions on N. Korea?", ["UN", "sanctions", "Korea"]),
        ("e.g. what did Kim do", ["eg", "Kim"]),  # "eg" is a filler the lexicon knows
        (
            "what is Freedom Shield? https://www.example.com/world/asia/x?id=1",
            ["Freedom", "Shield"],
        ),
        ("what did KCNA say www.example.org/kcna.html", ["KCNA"]),
        ("what is plan B. Why was it dropped", ["plan", "B", "dropped"]),
    ],
)
def test_initials_links_and_lone_letters_are_read_as_a_reader_means_them(analyzer, question, typed):
    assert [word.typed for word in read_question(question, analyzer).words] == typed


def test_an_acronym_that_folds_to_a_stopword_is_kept(analyzer):
    assert [w.typed for w in read_question("What did the WHO say?", analyzer).words] == ["WHO"]
    assert read_question("Who did they tell?", analyzer).words == ()


@pytest.mark.parametrize(
    ("question", "defined"),
    [
        ("What does KCNA stand for?", ["KCNA"]),
        ("who is Shoigu", ["Shoigu"]),
        ("could someone tell me who putin is", ["putin"]),
        ("What's the Freedom Shield?", ["Freedom", "Shield"]),
        ("Who is visiting Pyongyang?", []),
        ("What was tested?", []),
        ("shoigu's job?", ["shoigu"]),
        ("what's Shoigu's position in Russia", ["Shoigu"]),
        ("whats the role of the IAEA", ["IAEA"]),
        ("what is the army's position on the treaty", []),
        ("what was the role of russia in the war", []),
        ("who got the job", []),
        ("Freedom Shield?", ["Freedom", "Shield"]),  # a bare topic
        ("tell me about the KCNA", ["KCNA"]),  # a bare topic once the framing is stripped
        ("watch kim", []),  # a verb: not a topic
        ("did north korea test a missile?", []),  # yes or no: a claim, not a topic
        ("whats kcna stand for", ["kcna"]),
        ("KCNA stands for?", ["KCNA"]),
        ("what's shoigu's job title basically", ["shoigu"]),  # a trailing adverb
        ("wat is kcna", ["kcna"]),
        ("Mr Putin?", ["Putin"]),  # a bare topic, its title aside
        ("will Freedom Shield continue?", []),
    ],
)
def test_definition_questions_name_what_they_ask_to_define(analyzer, question, defined):
    read = read_question(question, analyzer)
    assert [word.typed for word in read.defines] == defined
    if defined:
        assert read.words == read.defines  # "stand", "for" are not the topic


def test_empty_and_chat_only_messages(analyzer):
    assert read_question("  ", analyzer).intent is Intent.EMPTY
    assert read_question("👍", analyzer).intent is Intent.CHAT
    assert read_question("thanks!", analyzer).intent is Intent.CHAT


DIRECT = [
    case
    for case in parse_cases((PROJECT / "tests" / "data" / "eval.jsonl").read_text().splitlines())
    if case.kind == "direct"
]
LEXICON = default_lexicon()


def phrases(kind):
    return sorted(" ".join(phrase) for phrase in LEXICON.phrases[kind])


@settings(max_examples=60, deadline=None)
@given(
    case=st.sampled_from(DIRECT),
    greeting=st.sampled_from(phrases(Kind.GREETING)),
    framing=st.sampled_from(phrases(Kind.FRAMING)),
    thanks=st.sampled_from(phrases(Kind.THANKS)),
)
def test_chat_around_a_question_does_not_change_its_answer(
    bundled_index, case, greeting, framing, thanks
):
    plain = answer(bundled_index, case.question)
    chatty = answer(bundled_index, f"{greeting.capitalize()}! {framing} {case.question} {thanks}")
    assert chatty.status is plain.status
    assert [p.paragraph for p in chatty.passages] == [p.paragraph for p in plain.passages]


def test_who_s_and_what_s_are_who_is_and_what_is(analyzer):
    assert [w.typed for w in read_question("who's Kim?", analyzer).defines] == ["Kim"]
    assert [w.typed for w in read_question("What's KCNA?", analyzer).defines] == ["KCNA"]


def test_what_did_x_do_asks_what_happened_not_what_x_is(analyzer):
    assert read_question("what did the US do", analyzer).defines == ()


@pytest.mark.parametrize(
    ("message", "number"),
    [
        ("paragraph 3", 3),
        ("what does para 12 say?", 12),
        ("hi! show me paragraph 40 please", 40),
        ("Quote paragraph 2 of the briefing", 2),
        ("can you show paragraph 2", 2),
        ("i want paragraph 2", 2),
        ("whats in paragraph 3", 3),
        ("what did paragraph 3 say again", 3),
        ("pg 13", None),
        ("what about paragraph 3 and the missiles", None),
        ("paragraph", None),
    ],
)
def test_a_request_for_a_paragraph_by_its_number(analyzer, message, number):
    read = read_question(message, analyzer)
    assert read.paragraph == number
    assert (read.intent is Intent.PARAGRAPH) == (number is not None)


@pytest.mark.parametrize(
    ("message", "intent"),
    [
        ("What did the US say?", Intent.QUESTION),
        ("What did the U.S. say?", Intent.QUESTION),
        ("what did it say", Intent.SUMMARY),
        ("WHAT IS THIS ABOUT", Intent.SUMMARY),  # shouting, not naming
        ("OK thanks", Intent.CHAT),
    ],
)
def test_an_acronym_that_folds_to_filler_makes_a_question_not_a_summary(analyzer, message, intent):
    assert read_question(message, analyzer).intent is intent


@pytest.mark.parametrize(
    ("message", "follows"),
    [
        ("rehearsal of war", [False, True]),  # only a stopword between: a phrase
        ("what did kim please test", [False, False]),  # politeness stripped from between
        ("Kim tested it. Missiles flew", [False, True, False, True]),  # a sentence ends
    ],
)
def test_a_word_follows_the_one_before_only_with_nothing_stripped_between(
    analyzer, message, follows
):
    assert [word.follows for word in read_question(message, analyzer).words] == follows


@pytest.mark.parametrize(
    "question",
    ["what did Mr Shoigu say about the treaty?", "What did Mr. Shoigu say about the treaty?"],
)
def test_a_title_before_a_name_is_not_a_word_of_the_question(analyzer, question):
    words = read_question(question, analyzer).words
    assert [(w.typed, w.named) for w in words] == [("Shoigu", True), ("treaty", False)]


@pytest.mark.parametrize(
    ("question", "speaker"),
    [
        ("what did kim say about the new weapon", ["kim"]),
        ("Would you tell me what Mr Kim said about the new system?", ["Kim"]),
        ("what did the Korean Central News Agency report", ["Korean", "Central", "News", "Agency"]),
        ("how long after the drills ended did NK announce the test?", []),
        ("what did kim test", []),
    ],
)
def test_what_x_said_names_its_speaker(analyzer, question, speaker):
    assert [word.typed for word in read_question(question, analyzer).speaker] == speaker


@pytest.mark.parametrize(
    ("question", "typed"),
    [
        ("is MS mentioned", ["MS"]),  # capitals: an acronym, not "Ms"
        ("what did DR Congo say", ["DR", "Congo"]),
        ("how much money was set aside for school", ["money", "set", "aside", "school"]),
    ],
)
def test_titles_and_trailing_context_keep_real_words(analyzer, question, typed):
    assert [word.typed for word in read_question(question, analyzer).words] == typed
