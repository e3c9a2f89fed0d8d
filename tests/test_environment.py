"""The pip and conda descriptions of the environment must not drift apart."""

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


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
            out[_name(dep)] = dep
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
