"""Nothing from a dataset or a model file is ever run as code.

An AST scan of the package fails on any way to turn bytes into code or objects: pickle and
its relatives, eval/exec/compile, YAML loaders other than safe_load, pandas/numpy/joblib
pickle loaders, dynamic imports, shells, Jinja templates built from strings. The report's
template is scanned for markup that would bypass escaping. Each rule is tested on a snippet
that breaks it, so a scanner that stopped seeing would fail too.
"""

from __future__ import annotations

import ast
import re

import pytest

from support import ROOT

PACKAGE = ROOT / "reconcile"
FORBIDDEN_MODULES = {"pickle", "cPickle", "_pickle", "dill", "cloudpickle", "marshal", "shelve",
                     "joblib", "jsonpickle", "code", "codeop"}
FORBIDDEN_CALLS = {"eval", "exec", "compile", "__import__", "execfile", "breakpoint"}
FORBIDDEN_ATTRIBUTES = {
    "load": {"yaml", "pickle", "marshal", "joblib", "torch", "dill"},
    "unsafe_load": {"yaml"}, "full_load": {"yaml"}, "load_all": {"yaml"},
    "read_pickle": {"pd", "pandas"}, "system": {"os"}, "popen": {"os"},
    "import_module": {"importlib"}, "from_string": None, "Template": {"jinja2"},
}


def violations(source: str, name: str = "<snippet>") -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source, name)):
        where = f"{name}:{getattr(node, 'lineno', '?')}"
        if isinstance(node, ast.Import):
            found += [f"{where}: import {a.name}" for a in node.names
                      if a.name.split(".")[0] in FORBIDDEN_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.module:
            if node.module.split(".")[0] in FORBIDDEN_MODULES:
                found.append(f"{where}: from {node.module} import ...")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in FORBIDDEN_CALLS:
                found.append(f"{where}: {func.id}()")
            elif isinstance(func, ast.Attribute) and func.attr in FORBIDDEN_ATTRIBUTES:
                owners = FORBIDDEN_ATTRIBUTES[func.attr]
                owner = func.value.id if isinstance(func.value, ast.Name) else None
                if owners is None or owner in owners:
                    found.append(f"{where}: {owner}.{func.attr}()")
            for keyword in node.keywords:
                if (keyword.arg in {"allow_pickle", "shell"}
                        and not (isinstance(keyword.value, ast.Constant)
                                 and keyword.value.value is False)):
                    found.append(f"{where}: {keyword.arg}=...")
    return found


def test_the_package_turns_no_input_into_code() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        found += violations(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert found == []


@pytest.mark.parametrize("snippet", [
    "import pickle", "from cloudpickle import loads", "import marshal",
    "yaml.load(text)", "yaml.unsafe_load(text)", "yaml.full_load(text)",
    "eval(cell)", "exec(cell)", "compile(cell, 'x', 'exec')", "__import__(name)",
    "pd.read_pickle(path)", "np.load(path, allow_pickle=True)", "joblib.load(path)",
    "os.system(command)", "subprocess.run(command, shell=True)",
    "importlib.import_module(name)", "env.from_string(text)", "jinja2.Template(text)",
])
def test_the_scan_sees_each_forbidden_construct(snippet: str) -> None:
    assert violations(snippet)


@pytest.mark.parametrize("snippet", ["yaml.safe_load(text)", "np.load(path)",
                                     "tomllib.loads(text)", "json.loads(text)",
                                     "subprocess.run(['x'], shell=False)"])
def test_the_scan_lets_safe_loaders_through(snippet: str) -> None:
    assert violations(snippet) == []


def test_model_files_are_read_with_tomllib_only() -> None:
    source = (PACKAGE / "config" / "loading.py").read_text(encoding="utf-8")
    assert "tomllib.loads(" in source
    assert not re.search(r"\byaml\b", source)


def test_the_report_template_escapes_everything() -> None:
    """Autoescape on, and no way around it in the template; the one Markup in report/html.py
    wraps HTML built with every text escaped (the quantity tree)."""
    for template in (PACKAGE / "templates").glob("*.j2"):
        text = template.read_text(encoding="utf-8")
        for bypass in ("|safe", "| safe", "autoescape", "|e(", "Markup", "{% raw", "<script"):
            assert bypass not in text, (template.name, bypass)
    tree = ast.parse((PACKAGE / "report" / "html.py").read_text(encoding="utf-8"))
    environments = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Attribute) and n.func.attr == "Environment"]
    assert environments
    for call in environments:
        autoescape = {k.arg: k.value for k in call.keywords}.get("autoescape")
        assert isinstance(autoescape, ast.Constant) and autoescape.value is True
    markups = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
               and isinstance(n.func, ast.Name) and n.func.id == "Markup"]
    assert len(markups) == 1
