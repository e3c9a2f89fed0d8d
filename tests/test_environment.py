"""The pip and conda descriptions of the environment must not drift apart."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
#: conda-forge names that differ from pip's (conda name -> pip name).
CONDA_TO_PIP = {"playwright-python": "playwright"}


def _name(spec: str) -> str:
    return re.split(r"[=<>!~ \[]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _pip_specs() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            out[_name(line)] = line
    return out


def _conda_specs() -> dict[str, str]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    out = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and _name(dep) not in ("python", "pip"):
            name = _name(dep)
            out[CONDA_TO_PIP.get(name, name)] = dep
    return out


def test_conda_and_pip_name_the_same_packages():
    assert set(_conda_specs()) == set(_pip_specs())


def test_conda_and_pip_pin_the_same_versions():
    pip, conda = _pip_specs(), _conda_specs()
    for name, spec in pip.items():
        version = re.split(r"==|<|>=", spec, maxsplit=1)[1]
        assert version in conda[name], (name, spec, conda[name])


def test_lock_pins_every_direct_dependency():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            n, v = line.split("==", 1)
            lock[_name(n)] = v.strip()
    for name, spec in _pip_specs().items():
        assert name in lock, f"{name} is missing from requirements.lock"
        if "==" in spec:
            assert lock[name] == spec.split("==", 1)[1], name


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_pyproject_declares_every_import_of_the_library():
    """Every module lib/hailong imports (function-level imports too) comes from the
    standard library, hailong itself, or a distribution pyproject.toml names."""
    import ast
    import importlib.metadata
    import sys
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    specs = project["dependencies"] + [
        s for extra in project["optional-dependencies"].values() for s in extra]
    declared = {_norm(_name(s)) for s in specs}
    imported = set()
    for path in (ROOT / "lib" / "hailong").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    providers = importlib.metadata.packages_distributions()
    missing = {}
    for module in sorted(imported - set(sys.stdlib_module_names) - {"hailong"}):
        dists = {_norm(d) for d in providers.get(module, [module])}
        if not dists & declared:
            missing[module] = sorted(dists)
    assert not missing, f"imported by lib/hailong but not in pyproject.toml: {missing}"


def test_pre_commit_runs_the_pinned_ruff():
    hooks = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    rev = next(r["rev"] for r in hooks["repos"] if r["repo"].endswith("/ruff-pre-commit"))
    assert rev == "v" + _pip_specs()["ruff"].split("==", 1)[1]
