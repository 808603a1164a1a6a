"""Imports point one way: interfaces -> projections -> application -> domain.
The domain imports only the standard library and the eventsourcing domain."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ["domain", "application", "projections", "interfaces"]
DOMAIN_MAY_IMPORT = {"eventsourcing.domain", "eventsourcing.utils"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def modules_of(layer: str) -> list[Path]:
    return sorted((ROOT / layer).rglob("*.py"))


@pytest.mark.parametrize("layer", LAYERS)
def test_no_layer_imports_a_layer_above_it(layer: str) -> None:
    above = LAYERS[LAYERS.index(layer) + 1 :]
    if layer == "application":
        above = ["projections", "interfaces"]
    for path in modules_of(layer):
        for name in imported_modules(path):
            assert name.split(".")[0] not in above, f"{path.name} imports {name}"


def test_the_domain_imports_only_the_standard_library_and_eventsourcing_domain() -> None:
    for path in modules_of("domain"):
        for name in imported_modules(path):
            top = name.split(".")[0]
            allowed = top in sys.stdlib_module_names or top == "domain" or name in DOMAIN_MAY_IMPORT
            assert allowed, f"domain/{path.name} imports {name}"
