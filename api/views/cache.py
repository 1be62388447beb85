"""Rendered pages and maps, and other values worth keeping, in bounded, thread-safe LRU types."""

from __future__ import annotations

import gzip
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from threading import Lock
from typing import Generic, TypeVar

from cachetools import LRUCache

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True, slots=True)
class Rendered:
    """A page's HTML, plain and gzip-encoded."""

    html: bytes
    gzipped: bytes

    @classmethod
    def of(cls, html: str) -> Rendered:
        data = html.encode("utf-8")
        return cls(data, gzip.compress(data, 6))


class RenderedPages(Generic[K]):
    """The ``size`` most recently used rendered pages by key, shared by request threads."""

    def __init__(self, size: int) -> None:
        self._pages: LRUCache[K, Rendered] = LRUCache(maxsize=size)
        self._lock = Lock()

    def get(self, key: K) -> Rendered | None:
        with self._lock:
            return self._pages.get(key)

    def put(self, key: K, page: Rendered) -> Rendered:
        with self._lock:
            self._pages[key] = page
        return page

    def discard(self, stale: Callable[[K], bool]) -> int:
        """Drop the pages whose key is ``stale``; how many were dropped."""
        with self._lock:
            keys = [key for key in self._pages if stale(key)]
            for key in keys:
                del self._pages[key]
        return len(keys)

    def __len__(self) -> int:
        with self._lock:
            return len(self._pages)


class Kept(Generic[K, V]):
    """The ``size`` most recently used values by key (plan documents, status parts), shared
    by request threads."""

    def __init__(self, size: int) -> None:
        self._values: LRUCache[K, V] = LRUCache(maxsize=size)
        self._lock = Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            return self._values.get(key)

    def put(self, key: K, value: V) -> V:
        with self._lock:
            self._values[key] = value
        return value
