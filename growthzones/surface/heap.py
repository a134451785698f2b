"""Keeping freed memory in the process: a surface allocates and frees many grid-sized arrays.

By default glibc gives every large array its own memory map and returns it to the system
when the array is freed, so the next grid-sized array starts on fresh pages, each of which
the kernel must fault in and zero. A surface frees and allocates dozens of such arrays
(one per criterion, 0.3 to 0.6 GB each at 100 m over Great Britain), and on a virtual
machine those page faults cost a quarter of the run. :func:`keep_freed_memory` asks glibc to
serve large arrays from its heap and keep what is freed for the next one. The process's
resident memory then stays near its peak until it exits, which suits a command-line run,
so ``growthzones surface`` calls it; a long-lived process (the app, a notebook) should not.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["keep_freed_memory"]

_M_TRIM_THRESHOLD = -1
_M_MMAP_MAX = -4


def keep_freed_memory() -> bool:
    """Ask glibc to reuse freed memory instead of returning it (True if it agreed; False elsewhere).

    Examples
    --------
    >>> isinstance(keep_freed_memory(), bool)
    True
    """
    name = ctypes.util.find_library("c")
    if not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (macOS, Windows, musl without mallopt)
        return False
    # No memory maps for large blocks (they come from the heap), and keep up to 2 GB of free
    # heap instead of trimming it after every free.
    return bool(mallopt(_M_MMAP_MAX, 0)) and bool(mallopt(_M_TRIM_THRESHOLD, 2**31 - 1))
