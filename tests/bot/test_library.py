"""The library: answers from one index, and adds or removes briefings all or nothing."""

from __future__ import annotations

import shutil

import pytest

from bot.library import Library, LibraryError, open_index
from bot.uploads import check_upload
from tests.bot.conftest import SHOIGU_QUESTION
from tests.conftest import BRIEFINGS, BUNDLED_ID

PENGUINS = b"HOBART: Researchers counted 4,000 emperor penguins, the Antarctic Division said.\n"


class FailingOpener:
    """Opens indexes normally until told to fail, like a disk that fills up."""

    def __init__(self) -> None:
        self.failing = False

    def __call__(self, paths, cache_dir):
        if self.failing:
            raise OSError(28, "No space left on device")
        return open_index(paths, cache_dir)


async def test_answers_from_the_loaded_briefings(settings):
    library = Library.load(settings)
    result = await library.answer(SHOIGU_QUESTION)
    assert result.answered and result.best.paragraph == 4
    assert [b.id for b in library.briefings] == [BUNDLED_ID]


async def test_add_is_indexed_stored_and_loaded_again(settings):
    library = Library.load(settings)
    before = library.index
    briefing = await library.add(check_upload("penguins.txt", PENGUINS))

    assert briefing.id == "penguins"
    assert library.index is not before
    assert (await library.answer("emperor penguins")).best.briefing.id == "penguins"
    assert [b.id for b in library.uploaded()] == ["penguins"]
    assert (settings.uploads_dir / "penguins.txt").read_bytes() == PENGUINS
    assert {b.id for b in Library.load(settings).briefings} == {BUNDLED_ID, "penguins"}


async def test_taken_names_are_refused(settings):
    library = Library.load(settings)
    with pytest.raises(LibraryError, match="already loaded"):
        await library.add(check_upload(f"{BUNDLED_ID}.txt", PENGUINS))
    assert not settings.uploads_dir.exists()


async def test_a_failed_rebuild_changes_nothing(settings):
    opener = FailingOpener()
    library = Library.load(settings, opener)
    before = library.index
    opener.failing = True
    with pytest.raises(LibraryError, match=r"could not be added: .*\(No space left on device\)"):
        await library.add(check_upload("penguins.txt", PENGUINS))
    assert library.index is before
    assert list(settings.uploads_dir.iterdir()) == []

    opener.failing = False
    await library.add(check_upload("penguins.txt", PENGUINS))
    opener.failing = True
    with pytest.raises(LibraryError, match="could not be removed"):
        await library.remove("penguins")
    assert (settings.uploads_dir / "penguins.txt").read_bytes() == PENGUINS
    assert library.find("penguins") is not None


async def test_remove_deletes_uploads_only(settings):
    library = Library.load(settings)
    await library.add(check_upload("penguins.txt", PENGUINS))
    with pytest.raises(LibraryError, match="was not added with /briefing-add"):
        await library.remove(BUNDLED_ID)
    removed = await library.remove("penguins")
    assert removed.id == "penguins"
    assert library.find("penguins") is None
    assert list(settings.uploads_dir.iterdir()) == []
    assert (BRIEFINGS / f"{BUNDLED_ID}.txt").exists()


async def test_the_last_briefing_stays(make_settings, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    settings = make_settings(BRIEFBOT_BRIEFINGS=str(empty))
    settings.uploads_dir.mkdir(parents=True)
    shutil.copy(BRIEFINGS / f"{BUNDLED_ID}.txt", settings.uploads_dir / "only.txt")
    library = Library.load(settings)
    with pytest.raises(LibraryError, match="only briefing left"):
        await library.remove("only")
    assert (settings.uploads_dir / "only.txt").exists()
    assert library.find("only") is not None


def test_find_by_id_or_title_in_any_case(settings):
    library = Library.load(settings)
    assert library.find(BUNDLED_ID.upper()).id == BUNDLED_ID
    assert library.find("  " + BUNDLED_ID + " ").id == BUNDLED_ID
    assert library.find("nothing") is None


async def test_a_data_folder_that_refuses_writes_is_explained(settings):
    library = Library.load(settings)
    settings.uploads_dir.write_bytes(b"")  # a file where the uploads folder should be
    with pytest.raises(LibraryError, match=r"data folder refused it \(File exists\)"):
        await library.add(check_upload("penguins.txt", PENGUINS))
    assert library.find("penguins") is None
