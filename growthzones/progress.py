"""The one progress-callback shape of the library: ``progress(done, total, label)``.

Long work (reading layers, extracting criteria, sampling weights, building the GB stack,
locating regions) takes an optional callback of this shape and calls it with how many of
``total`` steps are done and a short label of the step. The library never draws anything:
the CLI turns the calls into a tqdm bar (:func:`growthzones.cli._common.progress_bar`) and
the app into ``st.progress``. A leaf module, so every floor can name the type.
"""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["Progress"]

#: ``progress(done, total, label)``: ``done`` of ``total`` steps finished, ``label`` says which.
Progress = Callable[[int, int, str], None]
