"""The ``briefing`` option: autocompleted from the loaded briefings, resolved by id or title."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.library import Library, library_of
from bot.render import escape
from index.briefing import Briefing
from index.briefingtable import dates_of, ids_of, titles_of

MAX_CHOICES = 25
CHOICE_LIMIT = 100


class UnknownBriefingError(UserFacingError, app_commands.AppCommandError):
    """No loaded briefing has the name the user gave."""


class BriefingOption(app_commands.Transformer):
    """Any loaded briefing."""

    def candidates(self, library: Library, guild_id: int | None) -> Sequence[Briefing]:
        """The briefings this option offers as choices in ``guild_id``."""
        return library.briefings(guild_id)

    async def transform(self, interaction: discord.Interaction[Any], value: str) -> Briefing:
        """The briefing named ``value``; UnknownBriefingError lists the choices."""
        library = library_of(interaction.client)
        briefing = library.find(value, interaction.guild_id)
        if briefing is None:
            raise UnknownBriefingError(
                unknown(value, self.candidates(library, interaction.guild_id))
            )
        return briefing

    async def autocomplete(  # type: ignore[override]
        self, interaction: discord.Interaction[Any], value: str
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 briefings whose id or title contains what was typed, newest first."""
        library = library_of(interaction.client)
        return choices(self.candidates(library, interaction.guild_id), value)


class UploadedBriefingOption(BriefingOption):
    """A briefing that was added from Discord."""

    def candidates(self, library: Library, guild_id: int | None) -> Sequence[Briefing]:
        """Only this server's uploads can be removed (the library refuses the others)."""
        return library.removable(guild_id)


def choices(briefings: Sequence[Briefing], typed: str) -> list[app_commands.Choice[str]]:
    """Autocomplete choices for ``typed``: the id is the value, the title the label.

    Read as columns, so only the briefings offered are made.
    """
    wanted = typed.casefold().strip()
    ids, titles, dates = ids_of(briefings), titles_of(briefings), dates_of(briefings)
    matching = [
        n
        for n, briefing_id in enumerate(ids)
        if len(briefing_id) <= CHOICE_LIMIT
        and (wanted in briefing_id.casefold() or wanted in (titles[n] or "").casefold())
    ]
    matching.sort(key=lambda n: (dates[n] or "", ids[n]), reverse=True)
    return [
        app_commands.Choice(name=_label(briefings[n]), value=ids[n]) for n in matching[:MAX_CHOICES]
    ]


def unknown(name: str, briefings: Sequence[Briefing]) -> str:
    """Why ``name`` was not found, with the names that would be."""
    return f"There is no briefing named “{escape(name)[:100]}”. {choose_from(briefings)}".strip()


def choose_from(briefings: Sequence[Briefing]) -> str:
    """A hint naming (up to ten of) the briefings to choose from."""
    if not briefings:
        return ""
    names = ", ".join(escape(briefing_id)[:80] for briefing_id in ids_of(briefings)[:10])
    more = f" and {len(briefings) - 10} more" if len(briefings) > 10 else ""
    return f"Try one of: {names}{more}."


def _label(briefing: Briefing) -> str:
    date = f" ({briefing.date})" if briefing.date else ""
    return (briefing.title or briefing.id)[: CHOICE_LIMIT - len(date)] + date
