"""Small random draws shared by the sample generator: a weighted key, an integer split,
a fake phone number."""

from __future__ import annotations

import math

import numpy as np


def _pick(rng: np.random.Generator, weights: dict):
    """One key of ``weights`` drawn with probability proportional to its weight."""
    keys = list(weights)
    w = np.asarray([weights[k] for k in keys], dtype=float)
    return keys[int(rng.choice(len(keys), p=w / w.sum()))]


def _largest_remainder(weights: dict[str, float], total: int) -> dict[str, int]:
    """Split ``total`` into integers proportional to ``weights`` (Hamilton's method)."""
    s = sum(weights.values())
    exact = {k: total * w / s for k, w in weights.items()}
    out = {k: math.floor(v) for k, v in exact.items()}
    rest = total - sum(out.values())
    for k in sorted(exact, key=lambda k: (out[k] - exact[k], k))[:rest]:
        out[k] += 1
    return out


def _phone(number: int) -> str:
    """A clearly fake phone number ``0900 xxx xxx``."""
    return f"0900 {number // 1000:03d} {number % 1000:03d}"
