"""nDCG as trec_eval computes it, on hand-worked rankings."""

import math

import pytest

from bench.scifact import ndcg


def test_a_perfect_ranking_scores_one():
    assert ndcg(["a", "b", "x"], {"a": 1, "b": 1}) == pytest.approx(1.0)


def test_a_relevant_document_lower_down_is_discounted_by_log2_of_its_rank():
    assert ndcg(["x", "a"], {"a": 1}) == pytest.approx(1 / math.log2(3))


def test_grades_are_gains_and_the_ideal_orders_them():
    expected = (1 + 2 / math.log2(3)) / (2 + 1 / math.log2(3))
    assert ndcg(["b", "a"], {"a": 2, "b": 1}) == pytest.approx(expected)


def test_nothing_relevant_retrieved_scores_zero():
    assert ndcg(["x", "y"], {"a": 1}) == 0.0
