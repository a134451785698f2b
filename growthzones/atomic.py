"""Atomic file writing: write to a temporary file beside the target, then rename.

A crash or an exception while writing leaves no partial file behind and never damages an
existing file at the target path.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from growthzones.errors import OutputError

__all__ = ["atomic_path", "check_output_path"]


def check_output_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
    """Check that ``path`` can be written, before any work is done.

    Parameters
    ----------
    path
        The output file.
    overwrite
        If False, an existing file is an error.

    Returns
    -------
    Path
        The path, resolved.

    Raises
    ------
    OutputError
        If the path is a folder, its folder does not exist or is not writable, or it exists
        and ``overwrite`` is False.
    """
    p = Path(path)
    if p.is_dir():
        msg = f"output {str(path)!r} is a folder: give a file name, e.g. {str(p / 'shortlist.gpkg')!r}"
        raise OutputError(msg)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        msg = f"output folder {str(parent)!r} does not exist: create it first or choose another path"
        raise OutputError(msg)
    if not os.access(parent, os.W_OK):
        msg = f"output folder {str(parent)!r} is not writable: choose another folder"
        raise OutputError(msg)
    if p.exists() and not overwrite:
        msg = f"output {str(path)!r} already exists: remove it or pass --overwrite"
        raise OutputError(msg)
    return p


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds.

    Parameters
    ----------
    path
        The final output path.
    overwrite
        If False, refuse to replace an existing file.

    Yields
    ------
    Path
        A path in the same folder that does not exist yet; write the whole file there.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> with atomic_path(d / "a.txt") as tmp:
    ...     _ = tmp.write_text("hello")
    >>> (d / "a.txt").read_text()
    'hello'
    """
    final = check_output_path(path, overwrite=overwrite)
    fd, tmpname = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp" + final.suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(tmpname)
    # Writers such as pyogrio refuse or append to an existing file: hand them a fresh name.
    tmp.unlink()
    try:
        yield tmp
        if not tmp.exists():
            msg = f"internal error: nothing was written for {str(final)!r}"
            raise OutputError(msg)
        os.replace(tmp, final)
    except PermissionError as exc:
        msg = f"cannot write {str(final)!r}: {exc.strerror}; choose another path"
        raise OutputError(msg) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
