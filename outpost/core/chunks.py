"""Work in chunks (分批): a query's parameters are limited, and batches keep memory flat."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


def chunked(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` as lists of `size` (the last one shorter), read lazily: a list, or an iterator
    such as a queryset's `.iterator()`, which is never held whole."""
    if size < 1:
        raise ValueError("a chunk holds at least one item")
    rest = iter(items)
    while chunk := list(itertools.islice(rest, size)):
        yield chunk
