"""The project's data files in YAML (configuration, codebook, themes, mappings, ...)."""

from __future__ import annotations

from pathlib import Path

import yaml

from hailong.core.catalogue import Msg, is_key
from hailong.core.errors import ConfigError
from hailong.core.yamltext import parse_yaml


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
    what = Msg(what) if is_key(what) else what  # "what.codebook_file": shown in the language
    if not path.is_file():
        raise ConfigError("err.yaml_missing", file=path, hint=hint, what=what)
    try:
        raw = parse_yaml(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError("err.yaml_invalid", file=path, what=what, exc=exc) from None
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError("err.yaml_not_mapping", file=path, found=type(raw).__name__, what=what)
    return raw
