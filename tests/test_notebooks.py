"""The analyst notebooks run top to bottom on the bundled demo, and are committed clean.

Each notebook is executed with nbclient in a fresh kernel (the ``python3`` kernel, which
jupyter_client starts with this interpreter, so the kernel sees the same environment as the
tests). The kernel's working directory and temporary folder are the test's ``tmp_path``, so
nothing is left behind. The committed ``.ipynb`` files must have no outputs or execution counts,
and must be exactly what ``notebooks/make_notebooks.py`` writes.
"""

from __future__ import annotations

import importlib.util
import json
import sys

import nbclient
import nbformat
import pytest
from tinyproject import REPO

NOTEBOOKS = REPO / "notebooks"
NAMES = [
    "01_quickstart.ipynb",
    "02_reweighting.ipynb",
    "03_methods.ipynb",
    "04_robustness.ipynb",
    "05_bring_your_own_layers.ipynb",
    "06_site_discovery.ipynb",
    "07_portfolio.ipynb",
]


def _make_notebooks():
    spec = importlib.util.spec_from_file_location("make_notebooks", NOTEBOOKS / "make_notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_notebook_is_listed():
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == NAMES
    assert list(_make_notebooks().NOTEBOOKS) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    nb = json.loads((NOTEBOOKS / name).read_text(encoding="utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{name}: cells {dirty} have outputs or execution counts; run python notebooks/make_notebooks.py"


def test_notebooks_match_their_generator():
    make = _make_notebooks()
    stale = [n for n in NAMES if (NOTEBOOKS / n).read_text(encoding="utf-8") != make.render(n)]
    assert not stale, f"{stale} differ from notebooks/make_notebooks.py; run python notebooks/make_notebooks.py"


def test_python3_kernel_is_this_interpreter():
    from jupyter_client.kernelspec import KernelSpecManager

    argv = KernelSpecManager().get_kernel_spec("python3").argv
    # jupyter_client replaces a bare "python" with sys.executable when it starts the kernel.
    assert argv[0] in ("python", "python3", sys.executable), argv


#: Files each notebook writes into its temporary folder (under the kernel's TMPDIR).
WRITES = {
    "01_quickstart.ipynb": ("growthzones-quickstart-*", {"shortlist.gpkg", "shortlist.csv", "map.html"}),
    "02_reweighting.ipynb": ("growthzones-reweighting-*", {"demo_ahp.toml", "shortlist_ahp.gpkg"}),
    "04_robustness.ipynb": ("growthzones-robustness-*", {"robust.gpkg"}),
    "05_bring_your_own_layers.ipynb": ("growthzones-byo-*", {"my_area.toml", "shortlist.gpkg", "shortlist.csv"}),
    "06_site_discovery.ipynb": ("growthzones-discovery-*", {"area.gpkg", "surface.tif", "regions.gpkg"}),
    "07_portfolio.ipynb": ("growthzones-portfolio-*", {"portfolio.gpkg"}),
}


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs(name, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the kernel's tempfile.mkdtemp() lands here
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    resources = {"metadata": {"path": str(tmp_path)}}  # the kernel's working directory
    client = nbclient.NotebookClient(nb, timeout=120, kernel_name="python3", resources=resources)
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert not [o for o in outputs if o.output_type == "error"]
    if any("plots." in c.source or "plt." in c.source for c in nb.cells if c.cell_type == "code"):
        # figures are drawn inline, not only shown as "<Figure size ...>"
        assert any("image/png" in o.get("data", {}) for o in outputs)
    if name in WRITES:
        pattern, files = WRITES[name]
        folders = list(tmp_path.glob(pattern))
        assert len(folders) == 1
        assert files <= {p.name for p in folders[0].iterdir()}
