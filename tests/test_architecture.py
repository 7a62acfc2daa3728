"""ARCHITECTURE.md is kept true: every module of the package is in its map, no module imports
a layer above its own, the imports form no cycle, and no module grows past 300 lines.

Imports are read from the source (ast), all of them, including those inside functions (a
lazy import is still a dependency); only those under ``if TYPE_CHECKING:`` are left out,
since they exist for type checkers alone.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "reconcile"
MAX_LINES = 300
# ``from reconcile import __version__``: the version is data every layer may read
VERSION_ONLY = {"__version__"}


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def architecture_map() -> dict[str, int]:
    """module -> layer number, from the tables of ARCHITECTURE.md: a layer heading
    ``### N. name`` followed by rows ``| `reconcile/x/y.py` | job |``."""
    layers: dict[str, int] = {}
    layer = None
    for line in (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8").splitlines():
        heading = re.match(r"### (\d+)\. ", line)
        if heading:
            layer = int(heading.group(1))
            continue
        row = re.match(r"\|\s*`(reconcile/[\w/]+\.py)`\s*\|", line)
        if row and layer is not None:
            layers[module_name(ROOT / row.group(1))] = layer
    return layers


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(module: str) -> set[str]:
    """The package's modules that ``module`` imports."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skipped = _type_checking_lines(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if getattr(node, "lineno", None) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in MODULES)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("reconcile"):
                continue
            names = {alias.name for alias in node.names}
            submodules = {f"{node.module}.{name}" for name in names} & MODULES.keys()
            found.update(submodules)
            if names - {name.rsplit(".", 1)[1] for name in submodules} - (
                    VERSION_ONLY if node.module == "reconcile" else set()):
                found.add(node.module)
    found.discard(module)
    return found


def test_every_module_is_in_the_map_and_the_map_names_no_missing_module():
    mapped = architecture_map()
    assert not set(MODULES) - set(mapped), "modules missing from ARCHITECTURE.md"
    assert not set(mapped) - set(MODULES), "ARCHITECTURE.md names modules that do not exist"


def test_no_module_imports_a_layer_above_its_own():
    layers = architecture_map()
    upward = [f"{module} (layer {layers[module]}) imports {target} (layer {layers[target]})"
              for module in MODULES for target in imports_of(module)
              if layers[target] > layers[module]]
    assert not upward


def test_the_imports_form_no_cycle():
    graph = {module: imports_of(module) for module in MODULES}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph[module]):
            if state.get(target) == 1:
                cycles.append(path[path.index(target):] + [target])
            elif target not in state:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert not cycles


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_is_longer_than_300_lines(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_the_checker_sees_a_planted_upward_import_and_cycle(tmp_path, monkeypatch):
    """The checks can fail: an import of the CLI from the dataset layer, and a pair of
    modules importing each other, are both caught."""
    dataset = MODULES["reconcile.dataset.records"]
    planted = dataset.read_text(encoding="utf-8") + "\nimport reconcile.cli\n"
    copy = tmp_path / "records.py"
    copy.write_text(planted, encoding="utf-8")
    monkeypatch.setitem(MODULES, "reconcile.dataset.records", copy)
    assert "reconcile.cli" in imports_of("reconcile.dataset.records")
    with pytest.raises(AssertionError):
        test_no_module_imports_a_layer_above_its_own()
    back = tmp_path / "cli.py"
    back.write_text("import reconcile.dataset.records\n", encoding="utf-8")
    monkeypatch.setitem(MODULES, "reconcile.cli", back)
    with pytest.raises(AssertionError):
        test_the_imports_form_no_cycle()
