"""Keeping freed memory in the process: a surface allocates and frees many grid-sized arrays.

By default glibc gives every large array its own memory map and returns it to the system
when the array is freed, so the next grid-sized array starts on fresh pages, each of which
the kernel must fault in and zero. A surface frees and allocates dozens of such arrays
(one per criterion, 0.3 to 0.6 GB each at 100 m over Great Britain), and on a virtual
machine those page faults cost a quarter of the run. :func:`keep_freed_memory` asks glibc to
serve large arrays from its heap and keep what is freed for the next one. The process's
resident memory then stays near its peak, and later work (GDAL writing the COG) can
fragment a heap that never maps: ``growthzones surface`` therefore keeps freed memory only
while the cells are computed (:func:`freed_memory_kept`) and gives it back afterwards.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
from collections.abc import Iterator
from typing import Any

__all__ = ["freed_memory_kept", "keep_freed_memory", "release_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4
# glibc's defaults (malloc/malloc.c): 128 kB trim threshold, 65,536 memory maps.
_DEFAULT_TRIM = 128 * 1024
_DEFAULT_MMAP_MAX = 65536


def _libc() -> Any:
    name = ctypes.util.find_library("c")
    if not name:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt  # noqa: B018  (absent outside glibc)
        libc.malloc_trim  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def keep_freed_memory() -> bool:
    """Ask glibc to reuse freed memory instead of returning it (True if it agreed; False elsewhere).

    Examples
    --------
    >>> kept = keep_freed_memory()
    >>> release_freed_memory() == kept
    True
    """
    libc = _libc()
    if libc is None:
        return False
    # No memory maps for large blocks (they come from the heap), and keep up to 2 GB of free
    # heap instead of trimming it after every free.
    return bool(libc.mallopt(_M_MMAP_MAX, 0)) and bool(libc.mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))


def release_freed_memory() -> bool:
    """Back to glibc's defaults, and free heap memory returned to the system (False outside glibc).

    Examples
    --------
    >>> isinstance(release_freed_memory(), bool)
    True
    """
    libc = _libc()
    if libc is None:
        return False
    libc.mallopt(_M_MMAP_MAX, _DEFAULT_MMAP_MAX)
    libc.mallopt(_M_TRIM_THRESHOLD, _DEFAULT_TRIM)
    libc.malloc_trim(0)
    return True


@contextlib.contextmanager
def freed_memory_kept() -> Iterator[bool]:
    """Keep freed memory for reuse inside the block; give it back at its end (yields whether glibc agreed).

    Examples
    --------
    >>> import numpy as np
    >>> with freed_memory_kept() as kept:
    ...     total = float(np.ones(1_000_000).sum())
    >>> total, isinstance(kept, bool)
    (1000000.0, True)
    """
    kept = keep_freed_memory()
    try:
        yield kept
    finally:
        if kept:
            release_freed_memory()
