import pytest

from bot.render import HELP, render_answer
from index.answering import Correction, Status, answer, evidence_for
from index.attribution import cited_sources
from index.briefing import Briefing, Paragraph
from index.loading import read_briefing
from index.question import read_question
from index.search import Index


@pytest.mark.parametrize(
    ("question", "paragraph", "words"),
    [
        ("Who is Russia's top security official visiting Pyongyang?", 4, "Sergei Shoigu"),
        ("Who denounced Freedom Shield?", 9, "a rehearsal of war of aggression"),
        ("Where did Pyongyang test-launch cruise missiles?", 12, "Yellow Sea"),
        ("When did North Korea attack its neighbour?", 10, "1950"),
    ],
)
def test_the_right_paragraph_comes_first_and_its_sentence_is_picked(
    bundled_index, question, paragraph, words
):
    result = answer(bundled_index, question)
    assert result.status is Status.ANSWERED
    best = result.best
    assert best.paragraph == paragraph
    assert words in best.sentence
    assert best.sentence in best.text


def test_passages_are_verbatim_slices_ranked_best_first(bundled_index, bundled):
    result = answer(bundled_index, "missile test", k=5)
    assert 1 < len(result.passages) <= 5
    scores = [p.score for p in result.passages]
    assert scores == sorted(scores, reverse=True)
    for passage in result.passages:
        assert bundled.body[passage.chunk.start : passage.chunk.end] == passage.text
        assert bundled.body[passage.sentence_start : passage.sentence_end] == passage.sentence


def test_the_cited_outlet_comes_from_the_best_sentence(bundled_index):
    assert answer(bundled_index, "Who reported Shoigu's visit?").best.cites == ("TASS",)
    assert answer(bundled_index, "Who oversaw the anti-aircraft test-fire?").best.cites == ("KCNA",)


def test_a_name_the_briefing_never_mentions_is_named_in_the_refusal(bundled_index):
    result = answer(bundled_index, "What did China say about the missile test?")
    assert result.status is Status.NOT_COVERED
    assert result.passages == ()
    assert result.missing == ("China",)


@pytest.mark.parametrize(
    ("question", "shown"),
    [
        ("What did Shoigu tell Zürich about Kim?", "Zürich"),
        ("What did Shoigu tell “Beijing” about Kim?", "Beijing"),
        ("What did Shoigu tell China’s envoy about Kim?", "China"),
        # A name that is also a chat word or an adverb is still a name.
        ("What did Kim say about BC?", "BC"),
        ("What did Wise say about the missile test?", "Wise"),
    ],
)
def test_a_missing_name_is_found_and_shown_as_typed(bundled_index, question, shown):
    result = answer(bundled_index, question)
    assert result.status is Status.NOT_COVERED
    assert shown in result.missing


def test_off_topic_questions_are_not_answered(bundled_index):
    for question in [
        "Who won the Champions League final?",
        "what's a good recipe for kimchi jjigae?",
    ]:
        assert answer(bundled_index, question).status is Status.NOT_COVERED


@pytest.mark.parametrize(
    ("question", "status"),
    [
        ("", Status.EMPTY),
        ("  \n\t", Status.EMPTY),
        ("what is it?", Status.HELP),  # asked of a bot, the usage answers it
        ("what was it?", Status.NO_SEARCH_TERMS),
        ("?!", Status.NO_SEARCH_TERMS),
    ],
)
def test_empty_and_stopword_questions_get_a_status_not_an_error(bundled_index, question, status):
    assert answer(bundled_index, question).status is status


def test_an_acronym_the_briefing_spells_out_is_understood(bundled_index):
    result = answer(bundled_index, "Which threats did the WMD drill target?")
    assert result.answered and result.best.paragraph == 13


def test_the_briefing_filter_limits_passages(bundled, analyzer, chunker):
    from index.parsing import parse_briefing

    other = parse_briefing("Shoigu also visited a missile factory.\n", "other")
    index = Index.build([bundled, other], analyzer, chunker)
    assert {
        p.briefing.id for p in answer(index, "Shoigu missile", k=5, briefing_id="other").passages
    } == {"other"}
    assert answer(index, "What did China say?").briefings_searched == 2


@pytest.mark.parametrize(
    ("sentence", "cited"),
    [
        ("Moscow's top official was there, Russian news agency TASS reported, again.", ("TASS",)),
        ("Kim oversaw it, the Korean Central News Agency (KCNA) said on Friday.", ("KCNA",)),
        ("Kim said it showed strength, KCNA said.", ("Kim", "KCNA")),
        ("The talks went well, according to Yonhap.", ("Yonhap",)),
        ("He said nothing, and it said little.", ()),
        ("Nobody said a thing, and No one reported it.", ()),
        ("No one is cited here.", ()),
    ],
)
def test_cited_sources(sentence, cited):
    assert cited_sources(sentence) == cited


def test_each_acronym_is_spelled_out_once_per_index(bundled, analyzer, chunker):
    index = Index.build([bundled], analyzer, chunker)
    answer(index, "What did the WMD drill target?")
    assert index.spelled_out.remembered() == {"WMD": "weapons of mass destruction"}
    # Remembered, the phrase is not searched for again.
    assert index.spelled_out.get("WMD", lambda _: "searched again") == "weapons of mass destruction"


@pytest.mark.parametrize(
    "question",
    [
        "Hi! Who is visiting Pyongyang?",
        "Good morning all — who is Russia's security chief?",
        "Just curious: where did the cruise missile test take place?",
        "<@123456789012345678> what did KCNA say? 🙏",
        "What's the name of the joint exercise between South Korea and the US?",
        # Everyday spellings of what the briefing says: initials, links, lone letters.
        "How many U.S. soldiers are in South Korea?",
        "what about U.N. sanctions",
        "N. Korea missiles",
        "what is Freedom Shield? https://www.example.com/world/asia-pacific/x",
        "what happened on March 21",
        "e.g. what did Kim do",
        # An adverb says how, not what: the briefing need not say "personally".
        "did kim personally oversee the test",
        "What did Russia and North Korea officially sign, historically speaking?",
        "what date did kim oversee the test",  # "date" asks when, like "day"
        # Chat spellings: "abt" is "about", "yr" is "year", "-wise" typed apart.
        "what did kim say abt the test",
        "did the north fire missiles last yr",
        "anything new sanctions wise",
        "was it a nuke they tested",
        "is NK nuclear armed? just checking b4 i post",  # context that trails a question
        "morning, what did I miss re north korea?",
        "which city were the talks in",  # "city" names the kind of answer, not a topic
    ],
)
def test_chat_and_light_words_are_never_listed_as_missing(bundled_index, question):
    result = answer(bundled_index, question)
    assert result.status is Status.ANSWERED
    assert result.missing == ()
    assert "Not in the briefing" not in render_answer(result)


def test_a_typo_in_a_name_is_read_as_the_briefings_spelling(bundled_index):
    result = answer(bundled_index, "Which treaty did Shiogu sign?")
    assert result.corrections == (Correction("Shiogu", "Shoigu"),)
    assert "Shiogu" not in result.missing
    assert render_answer(result).endswith('\n-# Read "Shiogu" as "Shoigu"')


@pytest.mark.parametrize(
    ("question", "typed", "typo"),
    [
        ("What treaty did Shoigu praise?", "Shoigu", "soigu"),
        ("what treaty did shoigu praise", "shoigu", "shiogu"),
        ("Who is visiting Pyongyang?", "Pyongyang", "Pyongyng"),
        ("what did kcna say kim's army would be equipped with", "kcna", "kcan"),
        ("what did seoul say about the ballistic missiles", "missiles", "missles"),
        ("what about the ballistic missile", "missile", "missle"),
    ],
)
def test_a_typo_changes_nothing_but_the_note(bundled_index, question, typed, typo):
    spelt, misspelt = (
        answer(bundled_index, question),
        answer(bundled_index, question.replace(typed, typo)),
    )
    assert misspelt.status is spelt.status is Status.ANSWERED
    assert [p.paragraph for p in misspelt.passages] == [p.paragraph for p in spelt.passages]
    # The note names the briefing's form of the word nearest the typo: "missles" is "missiles".
    assert [(c.typed, c.read_as.casefold()) for c in misspelt.corrections] == [
        (typo, typed.lower())
    ]


def test_a_misspelt_everyday_word_is_not_read_as_a_word_of_the_briefing(bundled_index):
    # "coment" is two edits from the briefing's "combat" and one from "comment".
    typo = answer(bundled_index, "did china coment on the shoigu visit")
    spelt = answer(bundled_index, "did china comment on the shoigu visit")
    assert typo.corrections == ()
    assert typo.status is spelt.status is Status.NOT_COVERED


def test_a_word_one_edit_from_a_dictionary_word_the_briefing_has_is_read_as_it(bundled_index):
    result = answer(bundled_index, "what threats was the drill speciically targeting")
    assert result.corrections == (Correction("speciically", "specifically"),)
    assert result.best.paragraph == 13


@pytest.mark.parametrize(
    ("question", "typed", "spelt"),
    [
        ("what happened at the elysse palace", "elysse", "Élysée"),  # accents kept
        ("what about monchengladbak", "monchengladbak", "Mönchengladbach"),
        ("who holdd talks", "holdd", "held"),  # the form written, not the lemma "hold"
    ],
)
def test_a_typo_is_noted_in_the_briefings_own_spelling(analyzer, chunker, question, typed, spelt):
    from index.parsing import parse_briefing

    text = (
        "Leaders met at the Élysée Palace on Monday to discuss the budget.\n\n"
        "The president held talks with the Mönchengladbach mayor.\n"
    )
    index = Index.build([parse_briefing(text, "paris")], analyzer, chunker)
    assert answer(index, question).corrections == (Correction(typed, spelt),)


def test_a_dictionary_word_is_not_read_as_a_typo(bundled_index):
    result = answer(bundled_index, "What is the range of the new anti-aircraft missile?")
    assert result.corrections == ()
    assert "range" in result.missing


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("What does KCNA stand for?", 7),  # "the Korean Central News Agency (KCNA)"
        ("Who is Shoigu?", 4),  # his first mention gives his job
        ("Who is Sergei Shoigu?", 4),
        ("What is Shoigu's role?", 4),  # the post he holds is how he is introduced
        ("any news on shoigu?", 4),
        ("tell me about freedom shield", 9),  # "known as Freedom Shield", not its next mention
    ],
)
def test_a_definition_question_gets_the_sentence_that_introduces_its_subject(
    bundled_index, question, paragraph
):
    assert answer(bundled_index, question).best.paragraph == paragraph


@pytest.mark.parametrize("message", ["thanks!", "hi", "👍", "ok cool", "ty bot"])
def test_chat_gets_a_friendly_reply(bundled_index, message):
    result = answer(bundled_index, message)
    assert result.status is Status.CHAT
    assert "not mention" not in render_answer(result)


def test_help_gets_the_usage(bundled_index):
    result = answer(bundled_index, "help")
    assert result.status is Status.HELP
    assert render_answer(result) == HELP


@pytest.mark.parametrize(
    "message",
    [
        "summary",
        "tl;dr",
        "what is this about",
        "Can you summarize the briefing?",
        # When or where the briefing is from: the overview gives its date and dateline.
        "what date is this news from?",
        "hey, when was this published",
        "what's the date on this story?",
        "which city is this article datelined from",
    ],
)
def test_a_summary_request_gets_the_overview(bundled_index, bundled, message):
    result = answer(bundled_index, message)
    assert result.status is Status.SUMMARY
    (lede,) = result.passages
    assert lede.paragraph == 1 and lede.text in bundled.body
    reply = render_answer(result)
    assert reply.startswith(f"**{bundled.name}** · 2025-03-21 · 14 paragraphs\n> **")
    assert "North Korea said on Friday (Mar 21) it had test-fired" in reply


def test_an_unknown_name_is_looked_for_in_the_answering_briefing(bundled, analyzer, chunker):
    other = Briefing("other", "Zelensky spoke in Kyiv.", (Paragraph(1, 0, 23),), digest="z")
    index = Index.build([bundled, other], analyzer, chunker)
    missile = read_question("What did Zelensky say about the anti-aircraft missile test?", analyzer)
    assert evidence_for(index, missile).unknown_name == 1.0
    assert answer(index, missile).missing == ("Zelensky",)
    spoke = read_question("Where did Zelensky speak?", analyzer)
    assert evidence_for(index, spoke).unknown_name == 0.0


def test_a_name_the_briefing_lacks_is_refused(bundled_index):
    result = answer(bundled_index, "What did China say about the missile test?")
    assert result.status is Status.NOT_COVERED
    assert render_answer(result) == "The briefing does not mention China."


@pytest.mark.parametrize("question", ["what was the test", "who is dead", "when did they test"])
def test_a_question_is_never_taken_for_chat(bundled_index, question):
    assert answer(bundled_index, question).status not in (Status.CHAT, Status.HELP)


@pytest.mark.parametrize(
    ("question", "name"), [("Did Modi meet Kim?", "Modi"), ("Did Lula visit?", "Lula")]
)
def test_a_name_near_a_stopword_is_still_a_name(bundled_index, question, name):
    assert name in answer(bundled_index, question).missing


def test_an_acronym_is_not_read_as_any_words_with_its_initials(bundled_index):
    # "Putin made" has the initials of PM, but is no prime minister.
    result = answer(bundled_index, "What did the PM say?")
    assert result.status is Status.NOT_COVERED and result.missing == ("PM",)


def test_a_question_looks_up_a_few_acronyms_at_most(bundled, analyzer, chunker):
    index = Index.build([bundled], analyzer, chunker)
    answer(index, "What about QXA QXB QXC QXD QXE QXF QXG QXH?")
    assert len(index.spelled_out.remembered()) == 4


@pytest.mark.parametrize(
    "question", ["lol who is kim", "bro what did KCNA say", "ok cool, what did kim test"]
)
def test_chat_words_inside_a_question_are_not_missing_topics(bundled_index, question):
    result = answer(bundled_index, question)
    assert result.status is Status.ANSWERED
    assert result.missing == ()


def test_a_chat_word_capitalised_inside_a_sentence_is_a_name(bundled_index):
    sister = answer(bundled_index, "What did Kim Yo Jong say?")
    assert sister.status is Status.NOT_COVERED and sister.missing == ("Yo",)
    assert answer(bundled_index, "thanks Bro, who visited Pyongyang?").answered
    assert answer(bundled_index, "yo who visited Pyongyang?").answered


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        # Paragraph 8, "Kim said it showed...": "it" is paragraph 7's test.
        ("What did Kim say the test showed?", 8),
        # Paragraph 6, "He also hailed a ... treaty": he is paragraph 5's Shoigu, so the
        # passage holds Shoigu for the refusal decision too, and "praise" is not refused.
        ("What treaty did Shoigu praise?", 6),
    ],
)
def test_a_paragraph_is_read_with_what_the_one_before_it_names(bundled_index, question, paragraph):
    assert answer(bundled_index, question).best.paragraph == paragraph


# Paragraph 2 names its own subject: the count stays paragraph 1's, however many of
# the question's words paragraph 2 adds to those it would be lent.
SURVEY = (
    "HOBART: Researchers counted 4,000 emperor penguins near the Ross Sea, the Antarctic "
    "Division said on Wednesday.\n\n"
    "The survey team flew drones over the colony for three weeks.\n"
)
# Both paragraphs hold "ministry", "said", "air" and "defence"; the shorter would score
# higher, but the other says "air defence".
PLANS = (
    "The ministry said defence spending on air patrols would double.\n\n"
    "The ministry said its plans for air defence will be published next year, along with the "
    "budget.\n"
)
# "Kremlin" is one of Russia's names in the alias table: paragraph 2 is Russia's, though
# the briefing names Russia too (so the question's "Russia" is read as itself).
DRILLS = (
    "The Pacific drills ended on Monday, the ministry said.\n\n"
    "The Kremlin's drills ended on Tuesday, the ministry said.\n\n"
    "Russia and Japan will hold talks next year.\n"
)

# "UN" is the United Nations, but paragraph 1's "United States" and "nations" are not.
NATIONS = (
    "The United States told the nations of Asia that the missile tests would go on.\n\n"
    "Officials said that the missile tests would go on all year.\n\n"
    "The UN will meet on Monday.\n"
)

# Paragraph 1 names Pyongyang, but not in the sentence about a visit; paragraph 2's
# sentence holds the visit and North Korea, Pyongyang's other name.
VISIT = (
    "Talks with Pyongyang stalled in March. The president made a rare visit to the region "
    "last year.\n\n"
    "The defence minister of Russia is on a visit to North Korea this week, state media said.\n\n"
    "Markets in Tokyo rose on Monday.\n\n"
    "Farmers expect rain next week.\n"
)


@pytest.mark.parametrize(
    ("text", "question", "paragraph"),
    [
        pytest.param(
            SURVEY,
            "How many emperor penguins did the survey team count near the colony?",
            1,
            id="a paragraph on a new subject is not read with the one before",
        ),
        pytest.param(
            PLANS,
            "What did the ministry say about air defence?",
            2,
            id="the question's words in a row",
        ),
        pytest.param(
            PLANS,
            "What did the ministry say about air patrols?",
            1,
            id="the question's other words in a row",
        ),
        pytest.param(
            DRILLS,
            "When did Russia's drills end?",
            2,
            id="another name of a question word",
        ),
        pytest.param(
            NATIONS,
            "What did the UN say about the missile tests?",
            2,
            id="another name of several words is held only in a row",
        ),
        pytest.param(
            VISIT,
            "who is visiting pyongyang",
            2,
            id="another name is near the question's other words in its sentence",
        ),
    ],
)
def test_reranking_puts_the_answering_paragraph_first(analyzer, chunker, text, question, paragraph):
    index = Index.build([read_briefing(text.encode(), "briefing")], analyzer, chunker)
    assert answer(index, question).best.paragraph == paragraph


# Paragraph 1 introduces the leader as "North Korea's leader", paragraph 2 says "North
# Korean leader" in the question's words; the alias table makes "North Korean" North Korea.
LEADER = (
    "North Korea's leader Kim Jong Un watched the test on Friday, state media said.\n\n"
    "The North Korean leader then met army officers.\n"
)
# Paragraph 1 holds "north", "Korea" and "leader", but not "North Korea" in a row.
TOUR = (
    "The leader toured the north of the country before flying to Korea.\n\n"
    "The North Korean leader then met army officers.\n"
)


@pytest.mark.parametrize(
    ("text", "paragraph"),
    [
        pytest.param(LEADER, 1, id="by a longer name in the alias table"),
        pytest.param(TOUR, 2, id="only with that name's words in a row"),
    ],
)
def test_who_is_x_is_answered_where_x_is_introduced_by_any_of_its_names(
    analyzer, chunker, text, paragraph
):
    index = Index.build([read_briefing(text.encode(), "briefing")], analyzer, chunker)
    assert answer(index, "who's the north korean leader?").best.paragraph == paragraph


# "Both said" cites no one the question names.
BOTH = (
    "Kim held talks with Putin on Monday, and the talks went well.\n\n"
    "Both said the talks on the treaty were useful.\n\n"
    "Kim said the treaty would last, state media reported.\n"
)


def test_a_source_that_names_no_one_is_not_the_speaker(analyzer, chunker):
    index = Index.build([read_briefing(BOTH.encode(), "briefing")], analyzer, chunker)
    assert answer(index, "what did kim say about the talks").best.paragraph != 2


# Paragraph 1 holds every word of the question; paragraph 2 is what Kim said.
SAID = (
    "Kim toured a new missile factory on Monday, where workers showed him a new weapon.\n\n"
    "Kim said the weapon would be deployed next year, state media reported.\n\n"
    "Markets fell on Tuesday.\n\n"
    "Farmers expect rain next week.\n"
)


@pytest.mark.parametrize(
    ("question", "paragraph"),
    [
        ("what did kim say about the new weapon", 2),
        ("what Kim said about the new weapon?", 2),
        ("what did kim see at the factory", 1),  # not a question about what he said
    ],
)
def test_what_x_said_is_answered_by_the_sentence_citing_x(analyzer, chunker, question, paragraph):
    index = Index.build([read_briefing(SAID.encode(), "briefing")], analyzer, chunker)
    assert answer(index, question).best.paragraph == paragraph


def test_an_acronym_stands_for_the_words_it_is_spelled_out_as(bundled_index):
    # Paragraph 7 spells out "Korean Central News Agency (KCNA)"; paragraph 8 says
    # "KCNA said" and is the one about the army.
    question = "What did the Korean Central News Agency say the army would be equipped with?"
    assert answer(bundled_index, question).best.paragraph == 8
