"""Segmenter results shared within a block, on one thread.

Where a record is enriched its text is analyzed more than once (for the index, and for the
glossary's concepts, in another mode). Inside :func:`shared_analysis` each segmenter runs
once per distinct text (MeCab's parse, the English words); the results are dropped when the
block ends, so what they hold is bounded by the record's text. Outside it nothing is kept.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Hashable, Iterator, TypeVar

T = TypeVar("T")

_local = threading.local()


@contextmanager
def shared_analysis() -> Iterator[None]:
    """Share segmenter results (see :func:`once`) until the block ends."""
    outer = getattr(_local, "memo", None)
    _local.memo = {} if outer is None else outer
    try:
        yield
    finally:
        _local.memo = outer


def once(kind: Hashable, text: str, compute: Callable[[str], T]) -> T:
    """``compute(text)``, computed once per ``(kind, text)`` inside :func:`shared_analysis`.

    Callers must not change what it returns."""
    memo = getattr(_local, "memo", None)
    if memo is None:
        return compute(text)
    key = (kind, text)
    found = memo.get(key)
    if found is None:
        found = memo[key] = compute(text)
    return found
