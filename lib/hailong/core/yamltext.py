"""YAML text to Python values, the one way every part of hailong parses YAML.

``yaml.safe_load`` parses in pure Python: the message catalogue (200 kB) took 0,3–0,5 s
to read in every process (each command, worker and test). PyYAML's binding of libyaml,
when it was built with it, reads the same values ten times faster; the same safe subset
of YAML (no Python objects), the same errors (``yaml.YAMLError`` with line and column).
"""

from __future__ import annotations

import yaml

#: The fastest safe loader this PyYAML has: libyaml's (``CSafeLoader``), else pure Python.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str):
    """The value of the YAML document ``text`` (``None`` for an empty one), as
    ``yaml.safe_load`` gives it.

    Raises
    ------
    yaml.YAMLError
        If ``text`` is not YAML.
    """
    return yaml.load(text, Loader=LOADER)  # noqa: S506 - a safe loader
