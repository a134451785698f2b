"""Atomic file writing: write to a temporary file beside the target, then rename.

A crash or an exception while writing leaves no partial file behind and never damages an
existing file at the target path. (A process killed outright, e.g. by SIGKILL, cannot clean
up: it may leave a hidden ``.<name>.*.tmp*`` file beside the target, but the target itself is
untouched.)
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from growthzones.errors import OutputError

__all__ = ["atomic_path", "check_output_path"]

# Files SQLite (GeoPackage) and other GDAL drivers may create beside the file being written.
_SIDECARS = ("-journal", "-wal", "-shm", ".aux.xml")


def check_output_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Path:
    """Check that ``path`` can be written, before any work is done.

    The folder is probed by creating (and removing) a temporary file in it, so a folder that
    cannot be written is found even where permission bits do not tell (running as root, a
    read-only mount, ``/proc``).

    Parameters
    ----------
    path
        The output file.
    overwrite
        If False, an existing file is an error.

    Returns
    -------
    Path
        The path as given.

    Raises
    ------
    OutputError
        If the path is a folder, its folder does not exist, is not a folder or cannot be
        written, or the file exists and ``overwrite`` is False.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "shortlist.csv"
    >>> check_output_path(out).name
    'shortlist.csv'
    >>> _ = out.write_text("rank")
    >>> try:
    ...     check_output_path(out, overwrite=False)
    ... except OutputError as e:
    ...     print(e)
    output '...shortlist.csv' already exists: remove it or pass --overwrite
    """
    p = Path(path)
    if p.is_dir():
        msg = f"output {str(path)!r} is a folder: give a file name, e.g. {str(p / 'shortlist.gpkg')!r}"
        raise OutputError(msg)
    parent = p.parent if str(p.parent) else Path(".")
    if not parent.exists():
        msg = f"output folder {str(parent)!r} does not exist: create it first or choose another path"
        raise OutputError(msg)
    if not parent.is_dir():
        msg = f"output folder {str(parent)!r} is a file, not a folder: choose another path for {p.name!r}"
        raise OutputError(msg)
    if not os.access(parent, os.W_OK):
        msg = f"output folder {str(parent)!r} is not writable: choose another folder"
        raise OutputError(msg)
    if p.exists() and not overwrite:
        msg = f"output {str(path)!r} already exists: remove it or pass --overwrite"
        raise OutputError(msg)
    os.close(_probe(p)[0])
    return p


def _probe(final: Path) -> tuple[int, Path]:
    """Create an empty hidden temporary file beside ``final``; OutputError if that fails."""
    parent = final.parent if str(final.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp" + final.suffix, dir=parent)
    except OSError as exc:
        msg = f"output folder {str(parent)!r} is not writable ({exc.strerror or exc}): choose another folder"
        raise OutputError(msg) from exc
    tmp = Path(name)
    with contextlib.suppress(OSError):
        tmp.unlink()
    return fd, tmp


def _cleanup(tmp: Path) -> None:
    for p in (tmp, *(tmp.with_name(tmp.name + s) for s in _SIDECARS)):
        with contextlib.suppress(OSError):
            p.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` if the block succeeds.

    If the block raises (or is interrupted), the temporary file is removed and an existing
    file at ``path`` is left exactly as it was.

    Parameters
    ----------
    path
        The final output path.
    overwrite
        If False, refuse to replace an existing file (checked again at the final rename).

    Yields
    ------
    Path
        A path in the same folder that does not exist yet; write the whole file there.

    Raises
    ------
    OutputError
        If the output cannot be written there (see :func:`check_output_path`), or the
        operating system refuses the write or the rename.

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
    fd, tmp = _probe(final)
    os.close(fd)
    # Writers such as pyogrio refuse or append to an existing file: hand them a fresh name
    # (it was created and removed by _probe, so it is unique in the folder).
    try:
        yield tmp
        if not tmp.exists():
            msg = f"internal error: nothing was written for {str(final)!r}"
            raise OutputError(msg)
        if overwrite:
            os.replace(tmp, final)
        else:
            _link_new(tmp, final)
    except OSError as exc:
        if exc.errno is None:
            raise
        msg = f"cannot write {str(final)!r}: {exc.strerror}; choose another path"
        raise OutputError(msg) from exc
    finally:
        _cleanup(tmp)


def _link_new(tmp: Path, final: Path) -> None:
    """Move ``tmp`` to ``final`` only if ``final`` still does not exist (no race)."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        msg = f"output {str(final)!r} already exists: remove it or pass --overwrite"
        raise OutputError(msg) from None
    except OSError:  # no hard links on this file system: check, then rename
        if final.exists():
            msg = f"output {str(final)!r} already exists: remove it or pass --overwrite"
            raise OutputError(msg) from None
        os.replace(tmp, final)
