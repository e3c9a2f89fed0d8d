"""One note on "—" everywhere (fmt.withheld_note), and no ``min_n`` threaded through the
charts, tables, sentences and writers of hailong.present and hailong.publish."""

from __future__ import annotations

import html
import importlib
import inspect
import pkgutil
from types import ModuleType

import numpy as np
import pandas as pd
import pytest

import hailong.present
import hailong.publish
from hailong.core.errors import ParameterError
from hailong.present import charts, fmt

#: Results.meta with secondary suppression on and unusual thresholds (so that the note
#: can only have them from meta).
SECONDARY = {"min_n": 7, "secondary_suppression": True, "group_n": 12}


def test_the_note_names_min_n_and_group_n_from_meta_in_both_languages():
    vi = fmt.withheld_note(SECONDARY, "vi")
    assert vi == ("— : không công bố (dưới 7 HTX trả lời; hoặc dưới 12 HTX trả lời và tất cả "
                  "trả lời giống nhau; hoặc ẩn thêm để không suy ra được số liệu đã ẩn từ số "
                  "liệu toàn thành phố)")
    en = fmt.withheld_note(SECONDARY, "en")
    assert en == ("— : not published (fewer than 7 cooperatives answered; or fewer than 12 "
                  "answered and all gave the same answer; or withheld so that a withheld "
                  "figure cannot be worked out from the city's)")


def test_without_secondary_suppression_the_note_names_only_min_n():
    meta = {"min_n": 7, "secondary_suppression": False, "group_n": 12}
    assert fmt.withheld_note(meta, "vi") == "— : không công bố (dưới 7 HTX trả lời)"
    assert fmt.withheld_note(meta, "en") == (
        "— : not published (fewer than 7 cooperatives answered)")


def test_the_note_needs_the_threshold_of_meta():
    with pytest.raises(ParameterError, match="min_n"):
        fmt.withheld_note({"confidence": 0.95}, "vi")
    with pytest.raises(ParameterError, match="min_n"):
        fmt.withheld_note(None, "en")


def test_tables_and_charts_show_the_same_note_and_only_under_a_dash():
    dims = pd.DataFrame({"measure": ["D01", "D02"], "label": ["A", "B"],
                         "index": [71.3, np.nan], "satisfied": [0.8, np.nan],
                         "n": [20, 3], "suppressed": [False, True]})
    note = fmt.withheld_note(SECONDARY, "en")
    assert html.escape(note) in fmt.dimension_table_html(dims, None, "en", SECONDARY)
    assert "not published" not in fmt.dimension_table_html(dims.iloc[:1], None, "en",
                                                           SECONDARY)
    fig = charts.dimension_profile(dims, None, unit_label="U", city_label="", source="S",
                                   lang="en", meta=SECONDARY)
    assert fig.get_supxlabel() == f"{note}\nS"
    shown = charts.dimension_profile(dims.iloc[:1], None, unit_label="U", city_label="",
                                     source="S", lang="en", meta=SECONDARY)
    assert shown.get_supxlabel() == "S"


# ------------------------------------------------ no min_n parameter in present / publish

#: Records, not functions that draw or write: the figures of one unit as
#: ``narrative.unit_figures`` reads them from ``Results.meta`` (its ``min_n`` is a fact the
#: sentences quote, never passed in by a caller).
_RECORDS = {"hailong.present.narrative.figures.UnitFigures.__init__"}


def _modules(package: ModuleType) -> list[ModuleType]:
    names = [package.__name__] + [m.name for m in pkgutil.walk_packages(
        package.__path__, package.__name__ + ".")]
    return [importlib.import_module(n) for n in names]


def _callables(module: ModuleType):
    """``(qualified name, function)`` of every function and method defined in ``module``."""
    for name, obj in vars(module).items():
        if getattr(obj, "__module__", None) != module.__name__:
            continue
        if inspect.isfunction(obj):
            yield f"{module.__name__}.{name}", obj
        elif inspect.isclass(obj):
            for attr, member in vars(obj).items():
                if isinstance(member, (staticmethod, classmethod)):
                    member = member.__func__
                elif isinstance(member, property):
                    member = member.fget
                if inspect.isfunction(member):
                    yield f"{module.__name__}.{name}.{attr}", member


def _with_min_n(modules: list[ModuleType]) -> list[str]:
    return sorted(name for m in modules for name, f in _callables(m)
                  if "min_n" in inspect.signature(f).parameters and name not in _RECORDS)


def test_the_scan_finds_a_min_n_parameter_where_there_is_one():
    # numbers/ computes with min_n: the scan must see it, or the next test proves nothing
    import hailong.numbers.disclosure as disclosure

    assert "hailong.numbers.disclosure.complements" in _with_min_n([disclosure])


def test_no_function_of_present_or_publish_takes_min_n():
    modules = _modules(hailong.present) + _modules(hailong.publish)
    assert len(modules) > 20
    assert sum(1 for m in modules for _ in _callables(m)) > 200
    assert _with_min_n(modules) == []
