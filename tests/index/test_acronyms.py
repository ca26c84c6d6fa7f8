"""Acronyms: the runs of question words one may stand for."""

from hypothesis import given
from hypothesis import strategies as st

from index.acronyms import initials


def test_initials_are_of_runs_of_three_to_six_words():
    runs = initials(["korean", "central", "news", "agency"])
    assert (0, 4, "kcna") in runs
    assert (1, 4, "cna") in runs
    assert all(3 <= end - start <= 6 for start, end, _ in runs)


@given(st.lists(st.text(alphabet="abcxyz", min_size=1, max_size=5), max_size=12))
def test_each_run_is_the_first_letters_of_its_words(words):
    for start, end, letters in initials(words):
        assert letters == "".join(word[0] for word in words[start:end])
    expected = sum(max(0, len(words) - n + 1) for n in range(3, 7))
    assert len(initials(words)) == expected
