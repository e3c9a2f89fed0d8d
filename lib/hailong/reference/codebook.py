"""The questionnaire as data: dimensions, items, answer scale, variants, sectors.

A codebook is a YAML file (``data/reference/codebook/*.yaml``); see the README beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hailong.core.errors import ConfigError
from hailong.core.messages import message
from hailong.core.text import nfc
from hailong.core.yamlfile import read_yaml


@dataclass(frozen=True)
class Item:
    """One scored question."""

    id: str
    number: str
    dimension: str
    vi: str
    en: str
    variants: tuple[str, ...]

    def text(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Dimension:
    """A group of items; its score is the mean of its items."""

    id: str
    vi: str
    en: str
    items: tuple[Item, ...]

    def text(self, lang: str = "vi") -> str:
        return self.vi if lang == "vi" else self.en


@dataclass(frozen=True)
class Scale:
    """An answer scale: labels and their numbers.

    Attributes
    ----------
    min, max
        The scale's end points, used by the 0–100 index ``(mean - min) / (max - min) * 100``.
    labels
        ``{value: {"vi": ..., "en": ...}}`` in ascending order of value.
    satisfied
        The values that count as "satisfied".
    """

    id: str
    min: float
    max: float
    labels: dict[int, dict[str, str]]
    satisfied: frozenset[int]

    def label(self, value: int, lang: str = "vi") -> str:
        return self.labels[value][lang]


@dataclass(frozen=True)
class Codebook:
    """A questionnaire version. Load it with :func:`load_codebook`."""

    path: Path
    version: str
    status: str
    title: dict[str, str]
    scale: Scale
    no_opinion: tuple[str, ...]
    variants: dict[str, dict[str, str]]
    sectors: dict[str, dict[str, str]]
    dimensions: tuple[Dimension, ...]
    overall: Item
    open_questions: tuple[Item, ...]
    export_fields: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def items(self) -> tuple[Item, ...]:
        """All items of all dimensions, in questionnaire order (without ``overall``)."""
        return tuple(i for d in self.dimensions for i in d.items)

    @property
    def scored_items(self) -> tuple[Item, ...]:
        """Dimension items then the overall item: every column that holds a score."""
        return self.items + (self.overall,)

    def item(self, item_id: str) -> Item:
        for it in self.scored_items + self.open_questions:
            if it.id == item_id:
                return it
        raise KeyError(item_id)

    def dimension(self, dim_id: str) -> Dimension:
        for d in self.dimensions:
            if d.id == dim_id:
                return d
        raise KeyError(dim_id)

    def no_opinion_label(self, lang: str = "vi") -> str:
        """How a form offers "no opinion": the codebook's first wording in Vietnamese,
        the catalogue's phrase in another language."""
        if lang == "vi" and self.no_opinion:
            return self.no_opinion[0]
        return message("q_no_opinion", lang)

    def variant_of_sector(self, sector: str) -> str:
        """The respondent variant (NN / PNN / QTD) of a sector id."""
        return self.sectors[sector]["variant"]


def _text(node: dict, path: Path, where: str) -> tuple[str, str]:
    try:
        return nfc(str(node["vi"])), nfc(str(node.get("en", node["vi"])))
    except (KeyError, TypeError):
        raise ConfigError("err.needs_vietnamese_text_vi", file=path, where=where) from None


def load_codebook(path: str | Path) -> Codebook:
    """Read and check a codebook YAML file.

    Raises
    ------
    ConfigError
        If the file is missing, an id repeats, or the selected scale is not defined.
    """
    path = Path(path)
    raw = read_yaml(path, "what.codebook_file", hint="hint.check_codebook_key")
    try:
        scale_id = raw["scale"]
        s = raw["scales"][scale_id]
    except (KeyError, TypeError):
        raise ConfigError("err.codebook_define_scales_select", file=path) from None
    labels = {int(lb["value"]): {"vi": nfc(lb["vi"]), "en": lb.get("en", lb["vi"])}
              for lb in s["labels"]}
    scale = Scale(id=scale_id, min=float(s["min"]), max=float(s["max"]),
                  labels=dict(sorted(labels.items())),
                  satisfied=frozenset(int(v) for v in s["satisfied"]))
    variants = {v["id"]: {"vi": nfc(v["vi"]), "en": v.get("en", v["vi"])}
                for v in raw.get("variants", [])}
    all_variants = tuple(variants)
    sectors = {}
    for sct in raw.get("sectors", []):
        if sct["variant"] not in variants:
            raise ConfigError("err.sector_maps_unknown_variant", file=path, found=sct["variant"],
                              expected=", ".join(variants), id=sct['id'])
        sectors[sct["id"]] = {"vi": nfc(sct["vi"]), "en": sct.get("en", sct["vi"]),
                              "variant": sct["variant"]}
    seen: set[str] = set()

    def make_item(node: dict, dim: str, where: str) -> Item:
        iid = str(node.get("id", ""))
        if not iid or iid in seen:
            raise ConfigError("err.item_id_empty_used", file=path, where=where, iid=iid)
        seen.add(iid)
        vi, en = _text(node, path, f"{where} {iid}")
        vs = tuple(node.get("variants") or all_variants)
        unknown = set(vs) - set(variants)
        if unknown:
            raise ConfigError("err.item_names_unknown_variants", file=path, found=sorted(unknown),
                              expected=", ".join(variants), iid=iid)
        return Item(id=iid, number=str(node.get("number", iid)), dimension=dim,
                    vi=vi, en=en, variants=vs)

    dims = []
    for d in raw.get("dimensions", []):
        vi, en = _text(d, path, f"dimension {d.get('id')}")
        items = tuple(make_item(i, d["id"], f"dimension {d['id']}") for i in d.get("items", []))
        if not items:
            raise ConfigError("err.dimension_items", file=path, id=d['id'])
        dims.append(Dimension(id=d["id"], vi=vi, en=en, items=items))
    if not dims:
        raise ConfigError("err.codebook_dimensions", file=path)
    overall = make_item(raw["overall"], "OVERALL", "overall")
    opens = tuple(make_item(q, "OPEN", "open question") for q in raw.get("open_questions", []))
    fields = {k: tuple(nfc(a) for a in v) for k, v in (raw.get("export_fields") or {}).items()}
    return Codebook(
        path=path, version=str(raw.get("version", path.stem)), status=raw.get("status", ""),
        title={"vi": nfc(raw["title"]["vi"]), "en": raw["title"].get("en", "")},
        scale=scale, no_opinion=tuple(nfc(x) for x in raw.get("no_opinion", [])),
        variants=variants, sectors=sectors, dimensions=tuple(dims), overall=overall,
        open_questions=opens, export_fields=fields,
    )
