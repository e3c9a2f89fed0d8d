"""The package's layout: stages as folders, imports only down the pipeline, no cycle.

Every import counts, at module level or inside a function, and so does a string that names
a module of the package (a module imported by name, e.g. a worker's warm-up list). The
stages, lowest first, are :data:`STAGES`; ``docs/design.md`` draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from hailong.reference.config import PROJECT_ROOT

PACKAGE = PROJECT_ROOT / "lib" / "hailong"

#: The stages, lowest first: a module may import its own stage and those before it.
STAGES = ("core", "reference", "ingest", "sample", "numbers", "present", "publish", "run",
          "serve")
#: Modules above every stage: the command line and the package's front door.
TOP = {"hailong", "hailong.__main__", "hailong.cli"}


def module_names(package: Path) -> dict[str, Path]:
    """``{dotted name: file}`` of every module of a package folder."""
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules that ``name`` imports anywhere in its file (every
    ``import``, ``from ... import``, relative ones resolved, and module names in strings)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    found: set[str] = set()

    def add(target: str) -> None:
        while target and target not in known:      # hailong.a.b.func -> hailong.a.b
            target = target.rpartition(".")[0]
        if target and target != name:
            found.add(target)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name.split(".") if is_package else name.split(".")[:-1]
                here = here[: len(here) - (node.level - 1)]
                base = ".".join(here + ([node.module] if node.module else []))
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                add(sub if sub in known else base)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            if text.startswith("hailong.") and text in known:
                add(text)
    return found


def import_graph(package: Path) -> dict[str, set[str]]:
    """``{module: modules of the package it imports}``."""
    names = module_names(package)
    known = set(names)
    return {name: imports_of(name, path, known) for name, path in names.items()}


def stage_of(module: str) -> int:
    """The stage's rank (0 = lowest); :data:`TOP` modules rank above every stage."""
    if module in TOP:
        return len(STAGES)
    parts = module.split(".")
    if len(parts) < 2 or parts[1] not in STAGES:
        raise ValueError(f"{module} is in no stage: move it into one of {STAGES}")
    return STAGES.index(parts[1])


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    """Every import from a lower stage into a higher one, as ``a -> b``."""
    return sorted(f"{a} -> {b}" for a, targets in graph.items() for b in targets
                  if stage_of(b) > stage_of(a))


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted;
    a module that imports itself is one too."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1 or v in graph.get(v, ()):
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


# --------------------------------------------------------------------- the package itself

@pytest.fixture(scope="module")
def graph():
    return import_graph(PACKAGE)


def test_every_module_is_in_a_stage(graph):
    for module in graph:
        stage_of(module)               # raises for a module outside the stages
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders == set(STAGES)


def test_no_import_points_up_the_pipeline(graph):
    assert upward_imports(graph) == []


def test_no_import_cycle(graph):
    assert cycles(graph) == []


def test_the_graph_sees_function_level_imports_and_module_names_in_strings(graph):
    # run.build imports the PDF printer inside a function; executors names the modules a
    # worker warms up as strings
    assert "hailong.publish.pdf" in graph["hailong.run.build"]
    assert "hailong.run.kernel" in graph["hailong.run.executors"]


# ------------------------------------------------------------- the checker catches faults

def _package(tmp_path: Path, files: dict[str, str]) -> Path:
    root = tmp_path / "hailong"
    for rel, text in {"__init__.py": "", **files}.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_the_checker_finds_an_upward_import_inside_a_function(tmp_path):
    root = _package(tmp_path, {
        "core/__init__.py": "", "core/errors.py": "",
        "numbers/__init__.py": "",
        "numbers/scoring.py": "def f():\n    from ..present import fmt\n",
        "present/__init__.py": "", "present/fmt.py": "from hailong.numbers.scoring import f\n",
    })
    g = import_graph(root)
    assert upward_imports(g) == ["hailong.numbers.scoring -> hailong.present.fmt"]
    assert cycles(g) == [["hailong.numbers.scoring", "hailong.present.fmt"]]


def test_the_checker_finds_a_cycle_within_a_stage_and_a_module_outside_the_stages(tmp_path):
    root = _package(tmp_path, {
        "reference/__init__.py": "",
        "reference/config.py": "import hailong.reference.geography\n",
        "reference/geography.py": "from hailong.reference import codebook\n",
        "reference/codebook.py": "from hailong.reference.config import read\n",
        "stray.py": "",
    })
    g = import_graph(root)
    assert cycles(g) == [["hailong.reference.codebook", "hailong.reference.config",
                          "hailong.reference.geography"]]
    with pytest.raises(ValueError, match="hailong.stray is in no stage"):
        stage_of("hailong.stray")


# ----------------------------------------------------------------------- the front door

def test_the_front_door_names_the_public_api_without_importing_it():
    import subprocess
    import sys

    code = ("import sys, hailong; heavy = [m for m in ('pandas', 'matplotlib', 'hailong.run.build')"
            " if m in sys.modules]; print(heavy); "
            "from hailong.numbers.pipeline import load_results; "
            "print(hailong.load_results is load_results, 'build' in dir(hailong))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split("\n")
    assert out[:2] == ["[]", "True True"]


def test_an_unknown_name_is_an_attribute_error():
    import hailong

    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        hailong.nothing  # noqa: B018
