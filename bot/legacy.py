"""Adopt the uploads an older briefbot kept as files in ``BRIEFBOT_DATA_DIR/briefings/``.

They were visible in every server, and nothing recorded which server added
them. So they become uploads that belong to no server: shown only in the
operator's home server (``BRIEFBOT_GUILD_ID``), listed by ``briefbot
uploads`` for the operator to assign to a server. Nothing is deleted: once
every file is in the store, the folder is renamed to ``briefings.adopted``
so it is not adopted again. Processes that start together may both adopt;
the store keeps one copy of each.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.store import Store, UploadTakenError
from index.loading import BRIEFING_SUFFIXES

log = logging.getLogger(__name__)

ADOPTED_SUFFIX = ".adopted"


def adopt_legacy_uploads(folder: Path, store: Store) -> int:
    """Store the briefing files in ``folder`` as no server's uploads; returns how many."""
    try:
        files = sorted(
            path
            for path in folder.iterdir()
            if path.suffix.lower() in BRIEFING_SUFFIXES
            and path.is_file()
            and not path.name.startswith(".")
        )
    except FileNotFoundError:
        return 0
    except OSError as error:
        log.warning("could not read the old uploads folder %s: %s", folder, error)
        return 0
    adopted = 0
    for path in files:
        try:
            store.add_upload(None, path.stem + path.suffix.lower(), path.read_bytes())
            adopted += 1
        except UploadTakenError:
            pass  # adopted already, by another process starting at the same time
        except OSError as error:
            log.warning("could not adopt the old upload %s: %s", path, error)
            return adopted
    try:
        folder.rename(folder.with_name(folder.name + ADOPTED_SUFFIX))
    except FileNotFoundError:
        pass  # another process renamed it
    except OSError as error:
        log.warning("adopted the old uploads but could not rename %s: %s", folder, error)
    if adopted:
        log.warning(
            "adopted %d upload(s) from %s: they belong to no server and show only in "
            "BRIEFBOT_GUILD_ID's server; `briefbot uploads` lists them and assigns them",
            adopted,
            folder,
        )
    return adopted
