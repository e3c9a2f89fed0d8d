"""The project's data files in YAML (configuration, codebook, themes, mappings, ...)."""

from __future__ import annotations

from pathlib import Path

import yaml

from hailong.core.errors import ConfigError


def read_yaml(path: str | Path, what: str, hint: str | None = None) -> dict:
    """A project data file in YAML (configuration, codebook, themes, mappings, ...) as a
    dict; an empty file gives ``{}``.

    Raises
    ------
    ConfigError
        If the file is missing (with ``hint``: where its path is set), is not YAML or is
        not a mapping of keys to values; the message names ``what`` ("codebook file",
        ...) and the file.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"The {what} does not exist.", file=path, hint=hint)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(f"The {what} is not valid YAML: {exc}", file=path) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"The {what} must be a mapping of keys to values.", file=path,
                          found=type(raw).__name__)
    return raw
