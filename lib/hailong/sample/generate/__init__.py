"""Deterministic synthetic sample data: a roster and a survey export for one round.

The files have exactly the layout of the real inputs (docs/design.md, "Input files") and
behave like the 2022 round did: slow start, most answers in March–April, coverage just
past 85% three days before the deadline, a few late answers after the working group's
visits, lagging districts, duplicates, satisfaction with real contrasts. Every name and
contact is invented: phones ``0900 xxx xxx``, e-mails ``htxNNNN@example.com``.

The questionnaire (items, numbers, variants, sectors, labels) comes from the codebook and
the geography from the unit table; this package holds only name vocabulary and the effect
sizes of the simulation. The same seed always gives byte-identical files.

Several rounds share one history: every round starts from the roster of
:data:`BASE_YEAR` (the same cooperatives under the same codes), minus those founded later
(earlier rounds) or with a few dissolved and founded each year (later rounds). A round
after the 2025 reform (a unit table without districts) moves every cooperative to its
new commune through the crosswalks of data/reference/ and adds the cooperatives of former
Hải Dương. Rounds differ by the shifts in :data:`ROUND_SHIFT` and
:data:`ROUND_DIMENSION_SHIFT`.

Modules, lowest first: :mod:`~hailong.sample.generate.draws` (small random draws),
:mod:`~hailong.sample.generate.vocabulary` (names and sentences),
:mod:`~hailong.sample.generate.roster` (a roster from the unit table),
:mod:`~hailong.sample.generate.history` (the roster of other rounds, their shifts),
:mod:`~hailong.sample.generate.timeline` (who answers, when),
:mod:`~hailong.sample.generate.answers` (what they answer),
:mod:`~hailong.sample.generate.responses` (the submissions),
:mod:`~hailong.sample.generate.files` (the CSV files). This package holds
:func:`generate_sample`, which puts them together, and re-exports (as ``name as name``)
the constants and helpers :mod:`hailong.sample.national` reuses.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from hailong.core.errors import ParameterError
from hailong.reference.codebook import load_codebook
from hailong.reference.config import Config, load_config
from hailong.reference.geography import load_units
from hailong.sample.generate.answers import BASE as BASE
from hailong.sample.generate.answers import DIMENSION_EFFECT as DIMENSION_EFFECT
from hailong.sample.generate.answers import ITEM_SD as ITEM_SD
from hailong.sample.generate.answers import MEMBER_EFFECT as MEMBER_EFFECT
from hailong.sample.generate.answers import NO_OPINION_SHARE as NO_OPINION_SHARE
from hailong.sample.generate.answers import OVERALL_NO_OPINION as OVERALL_NO_OPINION
from hailong.sample.generate.answers import OVERALL_SD as OVERALL_SD
from hailong.sample.generate.answers import OVERALL_SHIFT as OVERALL_SHIFT
from hailong.sample.generate.answers import RESPONDENT_SD as RESPONDENT_SD
from hailong.sample.generate.answers import VARIANT_EFFECT as VARIANT_EFFECT
from hailong.sample.generate.answers import _open_answers as _open_answers
from hailong.sample.generate.answers import _scale_values as _scale_values
from hailong.sample.generate.answers import _to_scale as _to_scale
from hailong.sample.generate.draws import _largest_remainder as _largest_remainder
from hailong.sample.generate.draws import _phone as _phone
from hailong.sample.generate.files import (
    RESPONSES_FILE,
    ROSTER_FILE,
    _responses_export,
    _roster_export,
    _roster_headers,
    _write_csv,
)
from hailong.sample.generate.history import BASE_YEAR, _roster_of_round
from hailong.sample.generate.responses import _make_responses
from hailong.sample.generate.responses import _respondents as _respondents
from hailong.sample.generate.roster import CREDIT_SECTOR as CREDIT_SECTOR
from hailong.sample.generate.roster import MEMBER_SHARE as MEMBER_SHARE
from hailong.sample.generate.roster import MEMBER_SHARE_CREDIT as MEMBER_SHARE_CREDIT
from hailong.sample.generate.roster import SIZE_CLASSES as SIZE_CLASSES
from hailong.sample.generate.roster import SIZE_MIX as SIZE_MIX
from hailong.sample.generate.roster import _make_roster
from hailong.sample.generate.timeline import CREDIT_PROPENSITY as CREDIT_PROPENSITY
from hailong.sample.generate.timeline import DAY_SHAPE as DAY_SHAPE
from hailong.sample.generate.timeline import NON_MEMBER_PROPENSITY as NON_MEMBER_PROPENSITY
from hailong.sample.generate.timeline import _day_weights as _day_weights
from hailong.sample.generate.timeline import _round_dates
from hailong.sample.generate.vocabulary import DIFFICULTIES as DIFFICULTIES
from hailong.sample.generate.vocabulary import FAMILY as FAMILY
from hailong.sample.generate.vocabulary import FEMALE_DIRECTOR as FEMALE_DIRECTOR
from hailong.sample.generate.vocabulary import GIVEN as GIVEN
from hailong.sample.generate.vocabulary import MIDDLE as MIDDLE
from hailong.sample.generate.vocabulary import RECOMMENDATIONS as RECOMMENDATIONS

__all__ = ["generate_sample", "default_sample_dir"]


def default_sample_dir(config: Config | None = None, round_year: int = 2022) -> Path:
    """Where ``hailong sample`` writes by default: ``<data_dir>/sample/<round_year>``."""
    config = config or load_config()
    return config.data_dir / "sample" / str(round_year)


def generate_sample(out_dir: str | Path, seed: int = 2022, config: Config | None = None,
                    round_year: int = 2022) -> dict[str, Path]:
    """Write a synthetic roster and survey export of one round.

    Parameters
    ----------
    out_dir
        Folder to write ``roster.csv`` and ``responses.csv`` into (created if missing).
    seed
        Seed of the random generator: the same seed gives byte-identical files.
    config
        Project configuration (default: :func:`hailong.reference.config.load_config`).
    round_year
        The round whose codebook, unit table and dates are used.

    Returns
    -------
    dict
        ``{"roster": path, "responses": path}``.

    Raises
    ------
    ParameterError
        If ``seed`` is not a non-negative integer or the round does not exist.
    ConfigError
        If the round lacks its dates or the unit table has no districts.
    """
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
        raise ParameterError("err.sample_seed_non_negative", found=seed,
                             expected="exp.integer_0_e_g")
    config = config or load_config()
    rnd = config.round(round_year)
    _round_dates(rnd, config.path)
    codebook = load_codebook(rnd.codebook)
    units = load_units(rnd.units, on=rnd.geography_date)
    headers, yes_no = _roster_headers(config)
    if rnd.year == BASE_YEAR or BASE_YEAR not in config.rounds:
        rng = np.random.default_rng(int(seed))
        roster = _make_roster(rng, codebook, units, last_year=rnd.year)
        responses = _make_responses(rng, roster, codebook, rnd)
    else:
        roster, rng = _roster_of_round(int(seed), config, rnd, codebook, units)
        responses = _make_responses(rng, roster, codebook, rnd, year=rnd.year)
        if not units.codes("district"):  # after the reform: no district column
            roster = roster.assign(district_code="")
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"roster": out / ROSTER_FILE, "responses": out / RESPONSES_FILE}
    _write_csv(_roster_export(roster, codebook, headers, yes_no), paths["roster"])
    _write_csv(_responses_export(responses, codebook), paths["responses"])
    return paths
