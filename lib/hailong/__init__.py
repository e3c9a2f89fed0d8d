"""hailong: reports of the Hai Phong cooperatives' satisfaction survey.

The package is laid out as the pipeline's stages, lowest first (``docs/design.md``):

``core``       errors, files (fingerprints, atomic writes, permissions), messages, text
``reference``  configuration, codebook (the questionnaire), administrative units
``ingest``     read roster and exports, validate, ledger, processed store
``sample``     the bundled synthetic data (and a national-scale one for benchmarks)
``numbers``    statistics, scores of every unit, coverage, rounds and trends
``present``    formats, charts, narrative text, notebook views
``publish``    HTML pages, PDF, workbook, open data, internal lists: the writers
``run``        builds: planning, workers and kernels, what is up to date
``cli``        the ``hailong`` command

This front door names what analysts and notebooks use most; each name is imported only
when first used, so ``import hailong`` stays cheap::

    import hailong
    res = hailong.load_results(2022)          # the round's Results (computed once, stored)
    trend = hailong.report_trend(2022)        # the rounds lined up for the trend

In JupyterLab, ``%load_ext hailong`` shows results and trends as tables.
"""

from __future__ import annotations

import importlib

from hailong.core.errors import HailongError
from hailong.core.version import __version__

#: Public name -> the module that defines it.
_PUBLIC = {
    "load_config": "hailong.reference.config",
    "load_codebook": "hailong.reference.codebook",
    "load_units": "hailong.reference.geography",
    "CITY": "hailong.reference.geography",
    "load_results": "hailong.numbers.pipeline",
    "open_round": "hailong.numbers.pipeline",
    "compute_results": "hailong.numbers.scoring",
    "Results": "hailong.numbers.scoring",
    "report_trend": "hailong.numbers.trend_cache",
    "load_progress": "hailong.numbers.coverage",
    "build": "hailong.run.build",
}

__all__ = ["HailongError", "__version__", "load_ipython_extension", *_PUBLIC]


def __getattr__(name: str) -> object:
    """Import a public name's module on first use (PEP 562)."""
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'hailong' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext hailong``: results and trends show as tables in the notebook."""
    importlib.import_module("hailong.present.display")
