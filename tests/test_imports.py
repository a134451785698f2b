"""No module imports another module's private (``_underscore``) name.

A private name is the owning module's business: a module that needs it should get a public
name in the right module instead. The one exception is a package's own private submodules
(``growthzones.app._shared``), which the members of that package share. The floors themselves
(which module may import which) are checked by ``lint-imports`` (pyproject ``[tool.importlinter]``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "growthzones"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def private_imports(text: str, package: str) -> list[str]:
    """``from x import _y`` in ``text`` (a module of ``package``) that take another module's private name."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.ImportFrom):
            continue
        if node.level:  # relative: resolve against the importing package
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = f"{base}.{node.module}" if node.module else base
        else:
            module = node.module or ""
        if not module.startswith("growthzones"):
            continue
        for alias in node.names:
            name = alias.name
            if not name.startswith("_") or name.startswith("__"):
                continue
            is_submodule = (PACKAGE.parent / module.replace(".", "/") / f"{name}.py").exists()
            if is_submodule and (package == module or package.startswith(module + ".")):
                continue  # a package's private submodule, used inside that package
            found.append(f"line {node.lineno}: from {module} import {name}")
    return found


def _package_of(path: Path) -> str:
    name = _module_name(path)
    return name if path.name == "__init__.py" else name.rpartition(".")[0]


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=_module_name)
def test_no_private_names_across_modules(path: Path) -> None:
    assert private_imports(path.read_text(encoding="utf-8"), _package_of(path)) == []


def test_checker_flags_private_names_and_allows_own_private_submodules() -> None:
    text = (
        "from growthzones.config import _str\n"  # another module's private function
        "from growthzones.app import _shared\n"  # the app's private submodule
        "from growthzones import config\n"
        "from . import _robust\n"
    )
    # Outside growthzones.app, taking the app's private submodule is flagged too.
    assert private_imports(text, "growthzones") == [
        "line 1: from growthzones.config import _str",
        "line 2: from growthzones.app import _shared",
        "line 4: from growthzones import _robust",
    ]
    assert private_imports(text, "growthzones.app") == ["line 1: from growthzones.config import _str"]
