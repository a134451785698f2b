"""The Dask cluster a chunked surface runs on: a local one by default, or any scheduler by address."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from typing import Any

from growthzones.errors import SurfaceError

__all__ = ["cluster"]

log = logging.getLogger(__name__)


@contextlib.contextmanager
def cluster(
    scheduler: str | None = None,
    *,
    workers: int | None = None,
    memory_limit: str | float | None = None,
    timeout: float = 10.0,
) -> Iterator[Any]:
    """A ``distributed.Client`` for the block, closed (and a local cluster stopped) afterwards.

    Parameters
    ----------
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); None starts a local
        cluster of ``workers`` single-threaded worker processes (default: one per core).
    workers
        Local worker processes.
    memory_limit
        Per local worker (Dask's spill/pause thresholds apply to it).
    timeout
        Seconds to wait for the scheduler to answer.

    Raises
    ------
    SurfaceError
        The scheduler does not answer: said before any work starts.

    Examples
    --------
    >>> try:
    ...     with cluster("tcp://127.0.0.1:9", timeout=0.5):
    ...         pass
    ... except SurfaceError as e:
    ...     print(str(e)[:57])
    the Dask scheduler at 'tcp://127.0.0.1:9' does not answer
    """
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=f"{timeout}s", set_as_default=True)
        except (OSError, TimeoutError) as exc:
            msg = (
                f"the Dask scheduler at {scheduler!r} does not answer ({type(exc).__name__}); start it "
                "(`dask scheduler`) and its workers, check the address (tcp://host:8786), or leave --scheduler "
                "out to run on a local cluster"
            )
            raise SurfaceError(msg) from None
        try:
            yield client
        finally:
            client.close()
        return
    n = workers or os.cpu_count() or 1
    local = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, memory_limit=memory_limit or "auto",
                         dashboard_address=None)  # fmt: skip
    client = Client(local, set_as_default=True)
    try:
        yield client
    finally:
        client.close()
        local.close()
