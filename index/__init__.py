"""briefbot's core: briefings in, verbatim attributed answers out.

Nothing here knows about Discord or reads the environment; every dependency
is passed in, so the whole pipeline runs (and is tested) on plain data:
files -> Briefing -> Chunk -> Index -> Answer -> rendered reply.
"""

from pathlib import Path

# The tables shipped with the engine: the chat lexicon, aliases, word tables, refusal model.
DATA = Path(__file__).parent / "data"
