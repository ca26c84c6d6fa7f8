"""A small bounded memo, shared by the threads that answer questions.

An index remembers work that depends only on its own text (what an acronym
stands for, each chunk's sentences and their terms). Past ``limit`` entries
the oldest half is forgotten, so made-up input cannot grow memory for ever.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class Memo(Generic[K, V]):
    """Values by key, computed once each while they are remembered."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._values: dict[K, V] = {}
        self._lock = threading.Lock()

    def get(self, key: K, compute: Callable[[K], V]) -> V:
        """The value for ``key``, computed (outside the lock) if it is not remembered."""
        with self._lock:
            if key in self._values:
                return self._values[key]
        value = compute(key)
        with self._lock:
            if len(self._values) >= self._limit:
                for old in list(self._values)[: self._limit // 2]:
                    del self._values[old]
            self._values[key] = value
        return value

    def remembered(self) -> dict[K, V]:
        """A copy of what is remembered now."""
        with self._lock:
            return dict(self._values)
