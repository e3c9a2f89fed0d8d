"""What respondents answer: scored items from a latent satisfaction model mapped to the
scale, and free-text difficulties and recommendations."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from hailong.reference.codebook import Codebook
from hailong.sample.generate.draws import _pick
from hailong.sample.generate.history import _round_shift
from hailong.sample.generate.vocabulary import (
    DIFFICULTY_TEXTS,
    GENERAL_RECOMMENDATIONS,
    RECOMMENDATION_TEXTS,
    TOPIC_WEIGHTS,
)

#: Satisfaction model: a latent scale (mean, spreads), mapped to the scale's labels at CUTS.
BASE, RESPONDENT_SD, ITEM_SD, OVERALL_SD, OVERALL_SHIFT = 0.8, 0.4, 0.75, 0.35, 0.1
CUTS = (-1.6, -0.7, 0.35, 1.7)
MEMBER_EFFECT = 0.1
DISTRICT_EFFECT = {"303": 0.1, "304": 0.0, "305": -0.3, "306": 0.1, "307": -0.1,
                   "308": -0.2, "309": 0.05, "311": 0.35, "312": 0.15, "313": -0.4,
                   "314": 0.0, "315": -0.35, "316": 0.4, "317": -0.15}
VARIANT_EFFECT = {"NN": 0.0, "PNN": -0.15, "QTD": 0.2}
DIMENSION_EFFECT = {"D01": 0.45, "D02": 0.4, "D03": 0.1, "D04": 0.0, "D05": -0.1,
                    "D06": -0.15, "D07": -0.75, "D08": -0.7, "D09": -0.2, "D10": 0.05,
                    "D11": 0.0}
NO_OPINION_SHARE, OVERALL_NO_OPINION, STRAIGHT_LINERS = 0.045, 0.01, 0.07
#: Shares of respondents who write difficulties / recommendations.
DIFFICULTIES_SHARE, RECOMMENDATIONS_SHARE = 0.6, 0.5


def _answers(rng: np.random.Generator, coop: pd.DataFrame, codebook: Codebook,
             year: int | None = None) -> pd.DataFrame:
    """Scored answers (scale values; NaN = not asked, -1 = no opinion) of each responder.

    ``year`` (a round other than BASE_YEAR) adds that round's shifts to the latent scale.
    """
    items = codebook.items
    values = _scale_values(codebook)
    m = len(coop)
    asked = np.asarray([[v in it.variants for it in items] for v in coop["variant"]])
    mu = (BASE + coop["district_code"].map(DISTRICT_EFFECT).fillna(0.0).to_numpy()
          + coop["variant"].map(VARIANT_EFFECT).fillna(0.0).to_numpy()
          + MEMBER_EFFECT * coop["member"].to_numpy()
          + rng.normal(0, RESPONDENT_SD, m))
    dim = np.asarray([DIMENSION_EFFECT.get(it.dimension, 0.0) for it in items])
    latent = mu[:, None] + dim[None, :] + rng.normal(0, ITEM_SD, (m, len(items)))
    if year is not None:
        latent = latent + _round_shift(coop, items, year)
    scores = _to_scale(latent, values).astype(float)
    mean_latent = np.nanmean(np.where(asked, latent, np.nan), axis=1)
    overall = _to_scale(mean_latent + OVERALL_SHIFT + rng.normal(0, OVERALL_SD, m), values)
    flat = rng.random(m) < STRAIGHT_LINERS
    agree = values[int(np.floor(0.75 * (len(values) - 1) + 0.5))]
    scores[flat] = agree
    overall = np.where(flat, agree, overall).astype(float)
    scores[(rng.random(scores.shape) < NO_OPINION_SHARE) & ~flat[:, None]] = -1
    overall[rng.random(m) < OVERALL_NO_OPINION] = -1
    scores[~asked] = np.nan
    out = pd.DataFrame(scores, columns=[it.id for it in items])
    out[codebook.overall.id] = overall
    return out


def _scale_values(codebook: Codebook) -> list[int]:
    return list(codebook.scale.labels)


def _to_scale(latent: np.ndarray, values: list[int]) -> np.ndarray:
    """Map latent scores to scale values: 5 ordered categories, then onto the scale's labels."""
    pos = np.searchsorted(np.asarray(CUTS), latent) / len(CUTS)
    idx = np.floor(pos * (len(values) - 1) + 0.5).astype(int)
    return np.asarray(values)[idx]


def _open_answers(rng: np.random.Generator, variants: Sequence[str]) -> tuple[list[str], list[str]]:
    """Free-text difficulties and recommendations (empty when not answered)."""
    diff, rec = [], []
    for v in variants:
        d = ""
        if rng.random() < DIFFICULTIES_SHARE:
            d = _compose(rng, _sentences(rng, DIFFICULTY_TEXTS, v, 1 + int(rng.integers(3))))
        r = ""
        if rng.random() < RECOMMENDATIONS_SHARE:
            sents = _sentences(rng, RECOMMENDATION_TEXTS, v, 1 + int(rng.integers(2)))
            if rng.random() < 0.25:
                general = GENERAL_RECOMMENDATIONS
                sents.append(general[int(rng.integers(len(general)))])
            r = _compose(rng, sents)
        diff.append(d)
        rec.append(r)
    return diff, rec


def _sentences(rng: np.random.Generator, texts: dict, variant: str, k: int) -> list[str]:
    topics = {t: w for t, w in TOPIC_WEIGHTS.items() if any(
        tags is None or variant in tags for _, tags in texts.get(t, []))}
    out = []
    for _ in range(k):
        if not topics:
            break
        t = _pick(rng, topics)
        del topics[t]
        fits = [s for s, tags in texts[t] if tags is None or variant in tags]
        out.append(fits[int(rng.integers(len(fits)))])
    return out


def _compose(rng: np.random.Generator, sentences: list[str]) -> str:
    """Join sentences the ways people type them into a form."""
    style = int(rng.integers(4))
    if len(sentences) == 1:
        s = sentences[0]
        return s[0].lower() + s[1:-1] if style == 0 else s
    if style == 1:
        return " ".join(f"{i + 1}. {s}" for i, s in enumerate(sentences))
    if style == 2:
        return "; ".join(s.rstrip(".") for s in sentences) + "."
    return " ".join(sentences)
