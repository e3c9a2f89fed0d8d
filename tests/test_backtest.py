"""The back test: the build publishes exactly the figures of the committed reference.

Every figure of the sample rounds (every table of every published page, the numbers of
their text, every workbook cell) was written to ``tests/data/backtest/<year>.json``
before the library was reorganised; a change that moves code must leave them all as they
were. A change that alters a figure on purpose renews the reference in the same commit
(``python tests/backtest.py --write``) and says in the commit what changed and why.
"""

from __future__ import annotations

import json

import pytest

from backtest import ROUNDS, build_round, published_figures, reference_path


def _differences(expected: dict, found: dict) -> list[str]:
    """Where two sets of figures differ, one line per place (file, table/sheet, row)."""
    lines = [f"{name}: missing" for name in expected if name not in found]
    lines += [f"{name}: not in the reference" for name in found if name not in expected]
    for name in sorted(set(expected) & set(found)):
        a, b = expected[name], found[name]
        if a == b:
            continue
        parts = a.keys() if isinstance(a, dict) else []
        for part in parts:
            x, y = a.get(part), b.get(part)
            if x == y:
                continue
            if isinstance(x, list) and isinstance(y, list):
                for i, (rx, ry) in enumerate(zip(x, y)):
                    if rx != ry:
                        lines.append(f"{name} / {part} / {i}: {rx!r} != {ry!r}")
                        break
                if len(x) != len(y):
                    lines.append(f"{name} / {part}: {len(x)} entries, now {len(y)}")
            else:
                lines.append(f"{name} / {part}: {x!r} != {y!r}")
    return lines


@pytest.mark.slow
@pytest.mark.parametrize("year", ROUNDS)
def test_published_figures_match_the_reference(year, tmp_path):
    expected = json.loads(reference_path(year).read_text(encoding="utf-8"))
    # Through JSON, as the reference was stored (tuples become lists, and so on).
    found = json.loads(json.dumps(published_figures(build_round(year, tmp_path))))
    differences = _differences(expected, found)
    assert not differences, "\n".join(differences[:40])


def test_the_comparison_finds_a_changed_figure():
    expected = {"311.html": {"tables": [[["Chỉ số", "76,2"]]], "text_numbers": ["76,2"]}}
    changed = {"311.html": {"tables": [[["Chỉ số", "76,3"]]], "text_numbers": ["76,2"]}}
    assert _differences(expected, expected) == []
    assert _differences(expected, changed) == [
        "311.html / tables / 0: [['Chỉ số', '76,2']] != [['Chỉ số', '76,3']]"]
    assert _differences(expected, {}) == ["311.html: missing"]
