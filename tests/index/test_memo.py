"""The memo computes each value once while remembered, and forgets past its limit."""

from index.memo import Memo


def test_a_value_is_computed_once_then_remembered():
    calls = []
    memo: Memo[str, int] = Memo(limit=8)
    assert memo.get("a", lambda key: calls.append(key) or 1) == 1
    assert memo.get("a", lambda key: calls.append(key) or 2) == 1
    assert calls == ["a"]


def test_past_its_limit_the_oldest_half_is_forgotten():
    memo: Memo[int, int] = Memo(limit=4)
    for key in range(5):
        memo.get(key, lambda k: k * 10)
    assert memo.remembered() == {2: 20, 3: 30, 4: 40}
