"""The core knows nothing of the web layer (DESIGN.md, "Lessons from the codebases we admire").

``repository``, ``siren`` and ``renditions`` import no Flask, no Werkzeug and nothing of
``app``; dependencies point one way (``renditions`` may use ``repository``, nothing else
crosses). Checked twice: statically, by reading every module's imports with ``ast``
(function-local imports, relative imports and ``importlib.import_module("...")`` calls
included), and dynamically, by importing every module in a fresh interpreter where
importing Flask, Werkzeug or ``app`` raises.
"""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_PACKAGES = ("repository", "siren", "renditions")
FORBIDDEN = ("flask", "werkzeug", "app")
#: Which first-party packages each core package may import (besides itself).
MAY_IMPORT = {"repository": set(), "siren": set(), "renditions": {"repository"}}
FIRST_PARTY = {"app", "siren", "repository", "renditions"}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, *, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in ``source``."""
    found: list[tuple[int, str]] = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((node.lineno, target))
            # "from . import app" or "from .. import flask": the names may be modules too.
            found.extend((node.lineno, f"{target}.{alias.name}" if target else alias.name)
                         for alias in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if (
                name in ("import_module", "__import__")
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.append((node.lineno, node.args[0].value))
    return found


def _top(name: str) -> str:
    return name.split(".")[0]


def core_modules() -> list[Path]:
    return sorted(p for pkg in CORE_PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def test_every_core_package_is_scanned():
    scanned = {p.relative_to(ROOT).parts[0] for p in core_modules()}
    assert scanned == set(CORE_PACKAGES)


def test_core_packages_import_no_flask_werkzeug_or_app():
    offences = []
    for path in core_modules():
        module = _module_name(path)
        for line, name in imported_modules(
            path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
        ):
            if _top(name) in FORBIDDEN:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offences, "the core must not depend on the web layer:\n" + "\n".join(offences)


def test_dependencies_between_core_packages_point_one_way():
    offences = []
    for path in core_modules():
        module = _module_name(path)
        own = _top(module)
        allowed = MAY_IMPORT[own] | {own}
        for line, name in imported_modules(
            path.read_text(encoding="utf-8"), module, is_package=path.name == "__init__.py"
        ):
            if _top(name) in FIRST_PARTY and _top(name) not in allowed:
                offences.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert not offences, "\n".join(offences)


@pytest.mark.parametrize(
    "source, module, is_package, expected",
    [
        ("import flask", "repository.x", False, "flask"),
        ("import werkzeug.exceptions as wx", "siren.x", False, "werkzeug.exceptions"),
        ("from flask import current_app", "siren", True, "flask"),
        ("def f():\n    from app.errors import x", "renditions.x", False, "app.errors"),
        ("from .. import app", "repository.x", False, "app"),
        ("from ..app import create_app", "repository.x", False, "app"),
        ("from ... import flask", "repository.sub.x", False, "flask"),
        ("import importlib\nimportlib.import_module('flask')", "siren.x", False, "flask"),
        ("__import__('werkzeug')", "siren.x", False, "werkzeug"),
    ],
)
def test_the_scanner_sees_every_form_of_import(source, module, is_package, expected):
    names = [name for _, name in imported_modules(source, module, is_package=is_package)]
    assert any(_top(n) == _top(expected) for n in names), names


def test_relative_imports_inside_a_package_are_not_mistaken_for_app():
    names = [n for _, n in imported_modules("from . import paths\nfrom .errors import X",
                                            "repository.service", is_package=False)]
    assert all(_top(n) == "repository" for n in names), names


def test_core_packages_import_with_flask_absent():
    script = f"""
import importlib, importlib.abc, pkgutil, sys
sys.path.insert(0, {str(ROOT)!r})
FORBIDDEN = {FORBIDDEN!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in FORBIDDEN:
            raise ImportError('the core imported ' + name)
sys.meta_path.insert(0, Block())
for package in {CORE_PACKAGES!r}:
    top = importlib.import_module(package)
    for info in pkgutil.walk_packages(top.__path__, package + '.'):
        importlib.import_module(info.name)
leaked = sorted(m for m in sys.modules if m.split('.')[0] in FORBIDDEN)
assert not leaked, leaked
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
