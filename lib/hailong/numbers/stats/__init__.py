"""Figures leadership can trust: intervals, weights, reliability, disclosure control, ranks.

Plain functions over numbers, arrays and DataFrames, with no survey structure in them
(:mod:`hailong.numbers.scoring` applies them to the survey). Each says which textbook formula it
implements; ``tests/test_stats.py`` checks each against an independent computation.

The package re-exports the public names of its modules, so callers write
``from hailong.numbers import stats as st`` and ``st.wilson_interval`` (and, imported as
``name as name``, the few private helpers :mod:`hailong.numbers.scoring` and the tests
reach through it):

- :mod:`~hailong.numbers.stats.intervals`: means, shares, Wilson and t intervals, the FPC,
  rounding as printed (the helpers every other module uses);
- :mod:`~hailong.numbers.stats.weighting`: post-stratification, Kish's effective size,
  weighted means and shares;
- :mod:`~hailong.numbers.stats.calibration`: raking to population margins, trimming,
  Kish's design effect;
- :mod:`~hailong.numbers.stats.reliability`: Cronbach's alpha and Feldt's interval;
- :mod:`~hailong.numbers.stats.suppression`: primary and secondary suppression of tables;
- :mod:`~hailong.numbers.stats.reading`: relative standard errors, tiers, comparisons with
  the whole and between rounds;
- :mod:`~hailong.numbers.stats.multiplicity`: p-values adjusted by Holm or
  Benjamini–Hochberg;
- :mod:`~hailong.numbers.stats.ranks`: ranks and joint rank ranges.

Conventions
-----------
- ``confidence`` is the two-sided level (0.95 = 95%). ``population`` /
  ``stratum_sizes`` (the roster sizes ``N``) give the finite population correction,
  which describes the roster itself (when every listed cooperative has answered there is
  nothing left to estimate about *those* cooperatives). The survey's statements are about
  how well a unit's authorities support cooperatives — a process the roster is one draw
  of — so :mod:`hailong.numbers.scoring` uses model-based (superpopulation) variance,
  without the FPC, for every published interval, comparison, tier and rank.
- Proportions are shares 0–1; intervals are ``(low, high)``; missing input gives NaN,
  never an exception (a unit without respondents is a normal case).

Main references: W. G. Cochran, *Sampling Techniques*, 3rd ed. (1977) — FPC (eq. 2.8,
3.2), ratio estimator variance (eq. 6.9), stratified variance (eq. 5.6); E. B. Wilson
(1927), J. Am. Stat. Assoc. 22:209 — score interval; L. Kish, *Survey Sampling* (1965) —
effective sample size; L. S. Feldt (1965), Psychometrika 30:357 — interval of alpha;
L. J. Cronbach (1951), Psychometrika 16:297; W. Revelle, R package *psych*, ``alpha``;
T. Lumley, *Complex Surveys* (2010) — linearization of a ratio, domains.
"""

from __future__ import annotations

from hailong.numbers.stats.calibration import (
    TRIM_FACTOR,
    Calibration,
    calibrate,
    design_effect,
    margin_gap,
    rake,
    trim,
    trim_cap,
)
from hailong.numbers.stats.intervals import _fpc_variance as _fpc_variance
from hailong.numbers.stats.intervals import _wilson as _wilson
from hailong.numbers.stats.intervals import (
    mean_interval,
    mean_se,
    ratio_se,
    rounded,
    t_bounds,
    wilson_from_se,
    wilson_interval,
    z_value,
)
from hailong.numbers.stats.multiplicity import METHODS, adjust_p, two_sided_p
from hailong.numbers.stats.ranks import RANK_BLOCK, joint_z, rank_ranges
from hailong.numbers.stats.ranks import _min_ranks as _min_ranks
from hailong.numbers.stats.reading import (
    ABOVE,
    BELOW,
    SIMILAR,
    change_interval,
    compare_with_rest,
    overlap_covariance,
    paired_change_interval,
    relative_se,
    tier_of,
    tier_span,
    unreliable,
    verdicts,
)
from hailong.numbers.stats.reliability import cronbach_alpha, feldt_interval, spearman_brown
from hailong.numbers.stats.suppression import (
    PRIMARY,
    SECONDARY,
    Suppression,
    suppress_table,
)
from hailong.numbers.stats.suppression import _Relations as _Relations
from hailong.numbers.stats.weighting import _POOL as _POOL
from hailong.numbers.stats.weighting import (
    COLLAPSE_RULES,
    Estimate,
    PostStrata,
    kish_effective_n,
    poststratify,
    rest_means,
    weighted_mean,
    weighted_proportion,
    weighted_ratio,
)

__all__ = [
    "ABOVE", "BELOW", "COLLAPSE_RULES", "METHODS", "PRIMARY", "RANK_BLOCK", "SECONDARY",
    "SIMILAR", "TRIM_FACTOR", "Calibration", "Estimate", "PostStrata", "Suppression",
    "adjust_p", "calibrate", "change_interval", "compare_with_rest",
    "cronbach_alpha", "design_effect", "feldt_interval", "joint_z", "kish_effective_n",
    "margin_gap",
    "mean_interval", "mean_se", "overlap_covariance", "paired_change_interval",
    "poststratify", "rake", "rank_ranges", "ratio_se", "relative_se", "rest_means",
    "rounded", "spearman_brown",
    "suppress_table", "t_bounds", "tier_of", "tier_span", "trim", "trim_cap", "two_sided_p",
    "unreliable",
    "verdicts", "weighted_mean", "weighted_proportion", "weighted_ratio",
    "wilson_from_se", "wilson_interval", "z_value",
]
