"""One state of the library: the segments each server sees, replaced whole, never changed.

A question reads one ``Shelf`` from start to end, so it is answered from the
old library or the new one, never a mix (``bot.library`` makes the shelves).
A server sees the configured segments plus its own uploads (and, in the
operator's home server, uploads that belong to no server); a direct message
sees only the configured briefings. A configured briefing wins over an
upload of the same name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from index.briefing import Briefing
from index.briefingtable import ids_of, titles_of
from index.search import Index
from index.segments import Segments

# An upload's owner and briefing id; the owner None is "no server" (adopted old uploads).
UploadKey = tuple[int | None, str]


@dataclass(frozen=True)
class View:
    """What one server sees: its segments searched as one, and its name lookups."""

    index: Segments
    by_name: Mapping[str, str]  # case-folded titles and ids to ids; an id wins over a title
    removable: tuple[Briefing, ...]

    @classmethod
    def of(cls, segments: list[Index], removable: Iterable[str]) -> View:
        """The view of ``segments``, named from their columns: no briefing is made for it."""
        index = Segments(segments)
        ids = ids_of(index.briefings)
        titles = titles_of(index.briefings)
        by_title = {t.casefold(): i for t, i in zip(titles, ids, strict=True) if t}
        by_id = {i.casefold(): i for i in ids}
        return cls(index, by_title | by_id, tuple(index.briefing(i) for i in removable))

    def find(self, name: str) -> Briefing | None:
        """The briefing whose id, or failing that title, is ``name`` (case and spacing aside)."""
        found = self.by_name.get(" ".join(name.split()).casefold())
        return None if found is None else self.index.briefing(found)


@dataclass(frozen=True)
class Shelf:
    """One state of the library; views are made for each server when first asked for."""

    configured: Index
    uploads: Mapping[UploadKey, Index]
    home_guild: int | None
    added: tuple[Index, ...] = ()  # configured files added since ``configured`` was built
    _views: dict[int | None, View] = field(default_factory=dict, repr=False, compare=False)

    def view(self, guild_id: int | None) -> View:
        """The briefings a question from ``guild_id`` (None: a direct message) may see."""
        view = self._views.get(guild_id)
        if view is None:
            view = self._views[guild_id] = self._make_view(guild_id)
        return view

    def owner_of(self, guild_id: int | None, briefing_id: str) -> UploadKey | None:
        """The key of the upload ``guild_id`` may remove under this id, if any."""
        for owner in self._owners(guild_id):
            if (owner, briefing_id) in self.uploads:
                return (owner, briefing_id)
        return None

    def _owners(self, guild_id: int | None) -> list[int | None]:
        """Whose uploads a server sees: its own, and in the home server no server's."""
        if guild_id is None:
            return []
        return [guild_id, None] if guild_id == self.home_guild else [guild_id]

    @property
    def configured_segments(self) -> tuple[Index, ...]:
        """The segments of the configured briefings, which every question sees."""
        return (self.configured, *self.added)

    @property
    def configured_names(self) -> set[str]:
        """The ids of the configured briefings."""
        return {i for segment in self.configured_segments for i in ids_of(segment.briefings)}

    def segments_of(self, owner: int | None) -> list[Index]:
        """The distinct segments holding ``owner``'s uploads (a merged one holds several)."""
        found = {id(s): s for (key_owner, _), s in self.uploads.items() if key_owner == owner}
        return list(found.values())

    def _make_view(self, guild_id: int | None) -> View:
        segments = list(self.configured_segments)
        seen = self.configured_names
        removable = []
        for owner in self._owners(guild_id):
            for segment in self.segments_of(owner):
                ids = list(ids_of(segment.briefings))
                if seen.isdisjoint(ids):  # a configured briefing of the same name wins
                    segments.append(segment)
                    seen.update(ids)
                    removable.extend(ids)
        return View.of(segments, removable)
