"""YAML text is parsed one way (libyaml when PyYAML has it): the same values and errors as
``yaml.safe_load``, the reference used only here."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hailong.core import catalogue
from hailong.core.yamltext import LOADER, parse_yaml

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path", [catalogue.CATALOGUE_FILE, ROOT / "data" / "hailong.yaml",
                                  *sorted((ROOT / "data").glob("*/*.yaml"))[:6]],
                         ids=lambda p: Path(p).name)
def test_the_projects_yaml_files_read_the_same_as_safe_load(path):
    text = Path(path).read_text(encoding="utf-8")
    assert parse_yaml(text) == yaml.safe_load(text)


def test_safe_subset_only_and_errors_say_where():
    assert parse_yaml("") is None
    assert parse_yaml("a: 1\nb: [x, 'ế']\nc: 2022-10-01") == yaml.safe_load(
        "a: 1\nb: [x, 'ế']\nc: 2022-10-01")
    with pytest.raises(yaml.YAMLError):          # no Python objects, whatever the loader
        parse_yaml("!!python/object/apply:os.system ['true']")
    with pytest.raises(yaml.YAMLError) as err:
        parse_yaml("a: 1\nb: [unclosed\n")
    assert err.value.problem_mark.line >= 1      # the line is in the message


def test_the_fast_loader_is_used_where_pyyaml_has_libyaml():
    assert LOADER is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)
