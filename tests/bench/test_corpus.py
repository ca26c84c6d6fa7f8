"""The benchmark corpus is seeded, real-worded, and one chunk per paragraph."""

from bench.corpus import generate
from index.analysis import Analyzer
from index.chunking import DEFAULT_MAX_TOKENS, Chunker
from index.parsing import parse_briefing
from index.search import Index


def test_the_same_seed_gives_the_same_corpus():
    assert generate(60, 5, seed=3) == generate(60, 5, seed=3)
    assert generate(60, 5, seed=3) != generate(60, 5, seed=4)


def test_every_paragraph_is_one_chunk_of_about_a_hundred_words(encoding):
    corpus = generate(120, 10, seed=1)
    briefings = [parse_briefing(text, briefing_id) for briefing_id, text in corpus.briefings]
    index = Index.build(briefings, Analyzer(), Chunker(encoding))
    assert len(index.chunks) == len(corpus.paragraphs) == 120
    assert [chunk.text for chunk in index.chunks] == corpus.paragraphs
    assert all(chunk.tokens <= DEFAULT_MAX_TOKENS for chunk in index.chunks)
    words = [len(text.split()) for text in corpus.paragraphs]
    assert 60 <= sum(words) / len(words) <= 110


def test_most_questions_find_something(encoding):
    corpus = generate(100, 40, seed=2)
    analyzer = Analyzer()
    briefings = [parse_briefing(text, briefing_id) for briefing_id, text in corpus.briefings]
    index = Index.build(briefings, analyzer, Chunker(encoding))
    found = [bool(index.search(analyzer.analyze(q), 10)) for q in corpus.questions]
    assert sum(found) >= 0.9 * len(found)
