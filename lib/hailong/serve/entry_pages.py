"""The pages of assisted entry (Nhập phiếu): choose a cooperative, its form, what was
saved, the round's entries (corrections) and the double-entry comparison (Đối chiếu).

The handlers only read the request and render; what is shown and saved comes from
:mod:`hailong.serve.entry` (run outside the event loop).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import tornado.web

from hailong.ingest.entries import METHODS, EntryError
from hailong.numbers import coverage
from hailong.publish.questionnaire import read_payload
from hailong.reference.config import Config
from hailong.serve import entry
from hailong.serve.base import Base, today

__all__ = ["EntryFind", "EntryForm", "EntrySaved", "EntryList", "EntryCompare"]


def _progress_data(config_path: Path, year: int) -> coverage.ProgressData:
    return coverage.load_progress(year, config_path)


class EntryBase(Base):
    """What the entry pages share: the round's data (read outside the event loop)."""

    async def data(self, year: int):
        return await self.in_thread(_progress_data, self.serve.config_path, year)

    def entry_page(self, template: str, *, config: Config, year: int, **kw) -> None:
        self.page(template, config=config, year=year, double=config.double_entry,
                  fmt_day=entry.fmt_day, **kw)


class EntryFind(EntryBase):
    """GET /entry: a unit's cooperatives to enter, searched by name or code."""

    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        data = await self.data(year)
        units = entry.units_of(data)
        unit = self.get_argument("unit", "")
        unit = unit if unit in dict(units) else ""
        query = self.get_argument("q", "")[:80]
        scanned = read_payload(query)   # the QR code of a printed sheet, typed by a scanner
        if scanned and scanned[0] == year and entry.coop_of(data, scanned[1]):
            self.redirect(f"/entry/form?{urlencode({'round': year, 'coop': scanned[1]})}")
            return
        everyone = self.get_argument("all", "") == "1"
        coops = entry.choices(data, unit, query, everyone)
        self.entry_page("entry.html", config=config, year=year, units=units, unit=unit,
                        query=query, everyone=everyone, coops=coops)


class EntryForm(EntryBase):
    """GET/POST /entry/form: one cooperative's questionnaire (new, a correction with
    ``edit=<entry id>``, or a third look with ``third=<coop id>``)."""

    def _who(self) -> str:
        if self.serve.password:
            return self.current_user or ""
        return " ".join(self.get_argument("entered_by", "").split())[:60]

    async def _context(self, config: Config, year: int):
        data = await self.data(year)
        log = entry.log_of(config, year)
        edit = self.get_argument("edit", "")
        third = self.get_argument("third", "")
        values: dict[str, str] = {}
        if edit:
            old = next((e for _, e in log if e.entry_id == edit), None)
            if old is None or any(e.supersedes == edit for _, e in log):
                raise tornado.web.HTTPError(404)
            coop = entry.coop_of(data, old.coop_id)
            how = entry.Keying(old.keying, old.double)
            values = entry.values_of(old)
        elif third:
            pending = [c for c in entry.comparisons(log, data.codebook, self.lang)
                       if c["coop_id"] == third and not c["awaiting"]]
            if not pending or not config.double_entry:
                raise tornado.web.HTTPError(404)
            coop = entry.coop_of(data, third)
            how = entry.Keying(0, True, pending[0]["first"].entered_by)
            values = entry.values_of(pending[0]["first"])
        else:
            coop = entry.coop_of(data, self.get_argument("coop", ""))
            how = None
        if coop is None:
            raise tornado.web.HTTPError(404)
        if how is None:
            how = entry.keying(log, coop.coop_id, self._who(), config.double_entry)
        return data, log, coop, how, values, edit, third

    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        data, _, coop, how, values, edit, third = await self._context(config, year)
        values = {"visit_date": today(), **values}
        if not self.serve.password:
            values.setdefault("entered_by", "")
        self._form(config, year, data, coop, how, values, edit, third, error="",
                   missing=(), refused=how.refused)

    async def post(self) -> None:
        config = self.config()
        year = self.year(config)
        data, _, coop, how, _, edit, third = await self._context(config, year)
        values = {k: self.get_argument(k, "") for k in self.request.arguments
                  if k.startswith("a_") or k in ("respondent_name", "respondent_phone",
                                                 "visit_date", "method", "entered_by")}
        values = {k: v[:2000] for k, v in values.items()}
        if how.refused:
            self.set_status(409)
            self._form(config, year, data, coop, how, values, edit, third, error="",
                       missing=(), refused=how.refused)
            return
        try:
            saved = await self.in_thread(
                entry.save, config, year, data.codebook, coop, values,
                who=self._who(), how=how, supersedes=edit)
        except EntryError as err:
            self.set_status(400)
            self._form(config, year, data, coop, how, values, edit, third,
                       error=err.render(self.lang),
                       missing=tuple(getattr(err, "missing", ())), refused="")
            return
        self.redirect(f"/entry/saved?{urlencode({'round': year, 'entry': saved.entry_id})}",
                      status=303)

    def _form(self, config, year, data, coop, how, values, edit, third, *, error, missing,
              refused) -> None:
        self.entry_page("entry_form.html", config=config, year=year, coop=coop, how=how,
                        groups=entry.sheet_form(data.codebook, coop, self.lang),
                        values=values, edit=edit, third=third, error=error,
                        missing=set(missing), refused=refused, methods=METHODS,
                        need_name=not self.serve.password)


class EntrySaved(EntryBase):
    """GET /entry/saved: what was saved, and the unit's coverage now."""

    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        entry_id = self.get_argument("entry", "")
        log = entry.log_of(config, year)
        saved = next((e for _, e in log if e.entry_id == entry_id), None)
        if saved is None:
            raise tornado.web.HTTPError(404)
        data = await self.data(year)
        coop = entry.coop_of(data, saved.coop_id)
        if coop is None:
            raise tornado.web.HTTPError(404)
        row = next(r for r in entry.entry_rows(log, data, data.codebook, self.lang)
                   if r["id"] == entry_id)
        self.entry_page("entry_saved.html", config=config, year=year, saved=saved,
                        coop=coop, row=row,
                        coverage=entry.unit_coverage(data, coop.unit, self.lang))


class EntryList(EntryBase):
    """GET /entry/list: every entry of the round, with its status and "Sửa"."""

    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        log = entry.log_of(config, year)
        data = await self.data(year) if log else None
        rows = entry.entry_rows(log, data, data.codebook if data else None, self.lang)
        self.entry_page("entry_list.html", config=config, year=year, rows=rows)


class EntryCompare(EntryBase):
    """GET /entry/compare: the double-entered sheets still to settle (Đối chiếu)."""

    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        log = entry.log_of(config, year)
        items = []
        if log:
            data = await self.data(year)
            items = entry.comparisons(log, data.codebook, self.lang)
        self.entry_page("entry_compare.html", config=config, year=year, items=items)
