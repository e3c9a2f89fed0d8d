"""What the report of a withheld unit can still say: who answered, the city's figures as
context, and what it takes to have the unit's own figures published next round."""

from __future__ import annotations

from hailong.core.text import nfc
from hailong.present import fmt
from hailong.present.narrative.base import _cap
from hailong.present.narrative.figures import UnitFigures


def participation(figures: UnitFigures, lang: str = "vi") -> str:
    """"3 trên 7 HTX trong danh sách của huyện X đã trả lời khảo sát (42,9%)." """
    f = figures
    fmt.check_lang(lang)
    share = fmt.percent(f.coverage, 1, lang) if f.roster_n else fmt.SUPPRESSED
    return nfc(_cap(fmt.t("withheld_participation", lang, n=fmt.count(f.answered, lang),
                          roster=fmt.count(f.roster_n, lang), unit=f.inline_name,
                          share=share)))


def city_context(city: UnitFigures, lang: str = "vi") -> str:
    """The city's index, tier and respondents in one sentence ("" if the city's figures
    are withheld too)."""
    fmt.check_lang(lang)
    if not city.published:
        return ""
    return nfc(fmt.t("withheld_city_context", lang, index=fmt.number(city.index, 1, lang),
                     tier=city.tier_label or fmt.SUPPRESSED,
                     n=fmt.count(city.answered, lang)))


def more_needed(figures: UnitFigures) -> int:
    """How many more cooperatives must answer for the unit to reach the minimum
    (``min_n``); 0 when it already has enough answers (withheld for another reason)."""
    return max(int(figures.min_n) - int(figures.answered), 0)


def next_round(figures: UnitFigures, lang: str = "vi") -> str:
    """What the unit can do to be published next round: how many more answers it needs;
    when its roster is shorter than the minimum, that its answers count in the city's
    figures; when it is withheld to protect another unit, that more answers help."""
    f = figures
    fmt.check_lang(lang)
    c = lambda k: fmt.count(k, lang)  # noqa: E731
    fields = dict(unit=f.inline_name, n=c(f.answered), roster=c(f.roster_n),
                  min_n=c(f.min_n), unit_level=f.level, more=c(more_needed(f)))
    if f.withheld == "secondary" and f.answered >= f.min_n:
        return nfc(_cap(fmt.t("withheld_next_round_secondary", lang, **fields)))
    if f.roster_n < f.min_n:
        return nfc(_cap(fmt.t("withheld_next_round_roster", lang, **fields)))
    return nfc(_cap(fmt.t("withheld_next_round", lang, **fields)))
