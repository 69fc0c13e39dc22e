"""Issue 12's readability limits for the core, checked on every run: no function over about
50 lines or with more than 6 parameters, so that a newcomer can read why a span became a
place one screen at a time."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "storymap"
CORE = ["resolve", "gazetteer", "recognize.py", "pipeline.py", "matcher.py", "model.py"]
MAX_LINES = 50
MAX_PARAMETERS = 6


def core_functions() -> list[tuple[str, ast.FunctionDef | ast.AsyncFunctionDef]]:
    found = []
    for part in CORE:
        path = PACKAGE / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    found.append((f"{file.relative_to(PACKAGE)}:{node.lineno} {node.name}", node))
    return found


def parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> int:
    a = node.args
    names = [*a.posonlyargs, *a.args, *a.kwonlyargs]
    own = 1 if names and names[0].arg in ("self", "cls") else 0
    return len(names) - own + (a.vararg is not None) + (a.kwarg is not None)


def test_the_core_is_found() -> None:
    assert len(core_functions()) > 100


@pytest.mark.parametrize("limit", ["lines", "parameters"])
def test_core_functions_stay_small(limit: str) -> None:
    too_big = []
    for where, node in core_functions():
        size = (node.end_lineno or node.lineno) - node.lineno + 1
        if limit == "lines" and size > MAX_LINES:
            too_big.append(f"{where}: {size} lines")
        if limit == "parameters" and parameters(node) > MAX_PARAMETERS:
            too_big.append(f"{where}: {parameters(node)} parameters")
    assert not too_big
