"""The staff page's web application (Tornado): its pages, the audit log, the routes.

- **Nhận dữ liệu** (``/intake``): upload an export or a roster
  (:mod:`hailong.serve.inputs`), see ``hailong validate``'s result for it, download the
  data-quality report, make it the round's input (or put the earlier one back).
- **Tiến độ** (``/progress``): coverage by unit on a day with the target and pace
  (:mod:`hailong.numbers.coverage`, :mod:`hailong.present.progress_report`,
  :mod:`hailong.present.charts`), and the INTERNAL follow-up lists
  (:func:`hailong.publish.followup.write_internal`).
- **Báo cáo** (``/reports``): build the round's reports in a worker process
  (:mod:`hailong.serve.builds`) with live progress, then links to what was built.
- **Nhập phiếu** (``/entry``): assisted entry of a cooperative's questionnaire, its
  corrections and, under double entry, the comparison of two entries
  (:mod:`hailong.serve.entry_pages` over :mod:`hailong.serve.entry` and
  :mod:`hailong.ingest.entries`); the Tiến độ page prints the questionnaires to take
  on visits (:mod:`hailong.publish.questionnaire`).
- **Nhật ký** (``/audit``): the round's audit log (:mod:`hailong.core.audit`).

Every handler derives from :class:`hailong.serve.base.Base`. Every page text comes from
the message catalogue (``web_*`` keys). Forms carry Tornado's XSRF token; with a
password, every page needs the login (a signed, HTTP-only, SameSite=Strict cookie).
Files reach the browser only through :func:`security.contained` on the round's output
folder (reports) or by generated names (uploads, lists, questionnaires).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from pathlib import Path
from urllib.parse import urlencode

import tornado.web
from tornado import httputil

from hailong.core import audit
from hailong.core.errors import HailongError
from hailong.core.messages import message
from hailong.core.text import mask_contacts
from hailong.publish.paths import INTERNAL_DIR, round_dir
from hailong.reference.config import Config, load_config
from hailong.serve import entry, inputs, security
from hailong.serve.base import Base, ServeSettings
from hailong.serve.builds import BuildRunner
from hailong.serve.entry_pages import EntryCompare, EntryFind, EntryForm, EntryList, EntrySaved

HERE = Path(__file__).parent
#: Room for the form's other fields and multipart boundaries.
_FORM_OVERHEAD = 64 * 1024
#: A request body above this is not even read (the connection is closed).
HARD_LIMIT = 2 * 1024 * 1024 * 1024
#: Files of the round's output folder the page may serve.
OUTPUT_SUFFIXES = (".html", ".pdf", ".xlsx", ".csv", ".json", ".md", ".txt", ".svg",
                   ".png", ".zip", ".woff", ".woff2", ".ttf", ".css", ".js")
#: The follow-up lists (INTERNAL) the page serves from ``<out>/<year>/internal/``.
FOLLOWUP_NAME = re.compile(r"^followup-\d{4}-\d{2}-\d{2}(\.en)?\.(xlsx|html)$")
#: The printed questionnaires (INTERNAL) in the same folder.
QUESTIONNAIRE_NAME = re.compile(r"^phieu-khao-sat-[A-Za-z0-9_-]{1,40}(\.en)?\.(pdf|html)$")



def intake_page(handler: Base, config: Config, year: int, *, changed: str = "",
                error: str = "") -> None:
    """Render Nhận dữ liệu: the latest uploads, the round's inputs, the upload limit, and
    what was just changed or went wrong."""
    handler.page("intake.html", config=config, year=year,
                 uploads=inputs.list_uploads(config, year)[:20],
                 exports=inputs.current_input(config, year, "responses"),
                 roster=inputs.current_input(config, year, "roster"), changed=changed,
                 limit=handler.serve.max_upload // (1024 * 1024), error=error)

class Home(Base):
    def get(self) -> None:
        self.redirect("/intake")


# --- login ----------------------------------------------------------------------------

class Login(Base):
    public = True

    def get(self) -> None:
        if not self.serve.password:
            self.redirect("/intake")
            return
        self.render("login.html", failed=False, next=self._next(), lang=self.lang, user=None,
                    login=True, rounds=[], year=None, here="/login")

    def _next(self) -> str:
        target = self.get_argument("next", "/intake")
        return target if target.startswith("/") and not target.startswith("//") else "/intake"

    def post(self) -> None:
        name = " ".join(self.get_argument("name", "").split())[:60]
        given = self.get_argument("password", "")
        if not self.serve.password or not name or \
                not security.same_password(given, self.serve.password):
            self.set_status(403)
            self.render("login.html", failed=True, next=self._next(), lang=self.lang,
                        user=None, login=True, rounds=[], year=None, here="/login")
            return
        self.set_signed_cookie("hailong_user", name, expires_days=None, httponly=True,
                               samesite="Strict")
        config = load_config(self.serve.config_path)
        audit.record(config.data_dir, self.serve.round_year or config.current_round, name,
                     "login", address=self.request.remote_ip)
        self.redirect(self._next())


class Logout(Base):
    def post(self) -> None:
        config = self.config()
        if self.serve.password and self.current_user:
            audit.record(config.data_dir, self.year(config), self.current_user, "logout")
        self.clear_cookie("hailong_user")
        self.redirect("/login" if self.serve.password else "/intake")


# --- Nhận dữ liệu ---------------------------------------------------------------------

class Intake(Base):
    def get(self) -> None:
        config = self.config()
        year = self.year(config)
        intake_page(self, config, year, changed=self.get_argument("changed", ""))


@tornado.web.stream_request_body
class Upload(Base):
    """POST /intake/upload: the body is read in pieces and kept only up to the limit; a
    larger one is read to its end and thrown away, then answered with a page (413), so the
    browser shows the message instead of a cut connection."""

    def prepare(self) -> None:
        super().prepare()
        if self._finished:
            return
        self.request.connection.set_max_body_size(HARD_LIMIT)
        self.body = bytearray()
        self.too_large = False
        declared = self.request.headers.get("Content-Length")
        if declared and declared.isdigit() and \
                int(declared) > self.serve.max_upload + _FORM_OVERHEAD:
            self.too_large = True

    def data_received(self, chunk: bytes) -> None:
        if self.too_large:
            return
        self.body.extend(chunk)
        if len(self.body) > self.serve.max_upload + _FORM_OVERHEAD:
            self.too_large = True
            self.body = bytearray()

    def post(self) -> None:
        config = self.config()
        year = self.year(config)
        if self.too_large:
            self.send_error(413)
            return
        args: dict = {}
        files: dict = {}
        httputil.parse_body_arguments(self.request.headers.get("Content-Type", ""),
                                      bytes(self.body), args, files)
        kind = (args.get("kind") or [b"export"])[0].decode("utf-8", "replace")
        sent = (files.get("file") or [None])[0]
        try:
            if sent is None:
                raise HailongError(self.t("web_upload_none"))
            if len(sent.body) > self.serve.max_upload:
                self.send_error(413)
                return
            up = inputs.store_upload(config, year, kind, sent.body, sent.filename, self.who,
                                     self.lang)
        except HailongError as err:
            self.set_status(400)
            intake_page(self, config, year, error=str(err))
            return
        self.redirect(f"/intake/check/{up.id}?round={year}", status=303)


class Check(Base):
    """The result of ``hailong validate`` on a stored upload."""

    async def get(self, upload_id: str) -> None:
        config = self.config()
        year = self.year(config)
        up = inputs.find_upload(config, year, upload_id)
        if up is None:
            raise tornado.web.HTTPError(404)
        view = await self.in_thread(self.application.settings["checks"].view, config,
                                    self.serve.config_path, year, up, self.who)
        self.page("check.html", config=config, year=year, up=up, view=view,
                  current=inputs.current_input(config, year, inputs.KINDS[up.kind]))


class Checks:
    """The checks already run, by upload (a check is run once per upload and server)."""

    def __init__(self) -> None:
        self.views: dict[tuple[int, str], dict] = {}

    def view(self, config: Config, config_path: Path, year: int, up: inputs.Upload,
             who: str) -> dict:
        key = (year, up.id)
        if key not in self.views:
            from hailong.ingest import quality

            try:
                report = inputs.check_upload(config_path, year, up, who)
            except HailongError as err:
                self.views[key] = {"error": str(err), "summary": [], "problems": [],
                                   "rows": [], "kinds": [], "code": 2, "verdict": ""}
                return self.views[key]
            table = report.data_quality()
            csv = config.processed_dir / "serve" / str(year) / f"{up.id}.data-quality.csv"
            quality.write_data_quality(table, csv)
            labelled = quality.labelled(table)
            rows = [[("" if v is None or str(v) in ("<NA>", "nan") else
                      mask_contacts(str(v))) for v in r]
                    for r in labelled.itertuples(index=False)]
            status_col = list(labelled.columns).index(quality.DATA_QUALITY_HEADERS["status"])
            self.views[key] = {
                "error": "", "summary": report.summary(shown=inputs.shown),
                "problems": report.problems(), "verdict": report.verdict(),
                "code": report.exit_code, "columns": list(labelled.columns), "rows": rows,
                "kinds": sorted({r[status_col] for r in rows}), "status_col": status_col,
                "csv": csv, "usable": not report.unusable}
        return self.views[key]


class DataQuality(Base):
    def get(self, upload_id: str) -> None:
        config = self.config()
        year = self.year(config)
        if inputs.find_upload(config, year, upload_id) is None:
            raise tornado.web.HTTPError(404)
        path = config.processed_dir / "serve" / str(year) / f"{upload_id}.data-quality.csv"
        if not path.is_file():
            raise tornado.web.HTTPError(404)
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition",
                        f'attachment; filename="data-quality-{upload_id.rsplit(".", 1)[0]}.csv"')
        self.write(path.read_bytes())


class Adopt(Base):
    """Make a stored upload the round's export (or roster); or put the earlier one back."""

    def post(self) -> None:
        config = self.config()
        year = self.year(config)
        try:
            self._change(config, year)
        except HailongError as err:
            self.set_status(400)
            intake_page(self, config, year, error=str(err))

    def _change(self, config: Config, year: int) -> None:
        action = self.get_argument("action", "adopt")
        if action == "revert":
            key = self.get_argument("key", "responses")
            last = next((e for e in reversed(audit.read(config.data_dir, year))
                         if e.get("what") == "set_input" and e.get("key") == key), None)
            if key not in inputs.KINDS.values() or not last or not last.get("previous"):
                raise HailongError(self.t("web_revert_none"))
            inputs.set_round_input(self.serve.config_path, year, key, list(last["previous"]),
                                   self.who, self.lang)
            self.redirect(f"/intake?round={year}&changed={key}", status=303)
            return
        up = inputs.find_upload(config, year, self.get_argument("upload", ""))
        if up is None:
            raise tornado.web.HTTPError(404)
        relative = up.path.resolve().relative_to(config.data_dir.resolve()).as_posix()
        key = inputs.KINDS[up.kind]
        inputs.set_round_input(self.serve.config_path, year, key, [relative], self.who,
                               self.lang, upload=up)
        self.redirect(f"/intake?round={year}&changed={key}", status=303)


# --- Tiến độ --------------------------------------------------------------------------

def progress_view(config_path: Path, year: int, as_of: str | None, lang: str) -> dict:
    """What the progress page shows (computed outside the event loop)."""
    from hailong.numbers import coverage
    from hailong.present import charts, fmt, progress_report

    data = coverage.load_progress(year, config_path)
    p = coverage.progress(data, as_of or None)
    names = progress_report.unit_names(data, lang)
    full = {**progress_report.unit_names(data, lang, form="full"), "city": fmt.t("col_city", lang)}
    source = fmt.source_line(data.round.year, data.config.organisation, lang)
    charts.set_theme()
    figures = [charts.progress_by_district(p.districts, names, target=p.target, source=source,
                                           lang=lang, unit_level=p.level)]
    if getattr(p, "curve", None) is not None:
        figures.append(charts.cumulative_curve(p.curve, target=p.target, deadline=p.deadline,
                                               source=source, lang=lang))
    svgs = [charts.figure_svg(f) for f in figures]
    return {"title": progress_report.title(p, data, lang).lstrip("# "),
            "summary": [s.strip() for s in progress_report.summary(p, names, lang)
                        .replace("**", "").splitlines() if s.strip()],
            "table": progress_report.progress_table_html(p, full, lang),
            "charts": svgs, "as_of": p.as_of.isoformat(), "unresolved": len(data.unresolved),
            "assisted": data.assisted(p.as_of), "units": entry.units_of(data)}


class Progress(Base):
    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        as_of = self.get_argument("as_of", "")
        try:
            view = await self.in_thread(progress_view, self.serve.config_path, year,
                                        as_of or None, self.lang)
            error = ""
        except HailongError as err:
            view, error = None, str(err)
        self.page("progress.html", config=config, year=year, view=view, error=error,
                  as_of=as_of, lists=self._lists(year, FOLLOWUP_NAME),
                  questionnaires=self._lists(year, QUESTIONNAIRE_NAME),
                  q_error=self.get_argument("q_error", ""))

    def _lists(self, year: int, pattern: re.Pattern) -> list[str]:
        folder = round_dir(self.serve.out, year) / INTERNAL_DIR
        if not folder.is_dir():
            return []
        return sorted((p.name for p in folder.iterdir() if pattern.fullmatch(p.name)),
                      reverse=True)


class Lists(Base):
    """POST /progress/lists: write the follow-up lists of a day (INTERNAL)."""

    async def post(self) -> None:
        config = self.config()
        year = self.year(config)
        as_of = self.get_argument("as_of", "") or None

        def write() -> dict:
            from hailong.numbers import coverage
            from hailong.publish.followup import write_internal

            data = coverage.load_progress(year, self.serve.config_path)
            return write_internal(data, as_of, out=self.serve.out, lang=self.lang,
                                  who=self.who)

        written = await self.in_thread(write)
        self.redirect(f"/progress?{urlencode({'round': year, 'as_of': as_of or ''})}"
                      f"#list-{written['xlsx'].name}", status=303)


class Questionnaires(Base):
    """POST /progress/questionnaires: print the questionnaires of a unit (or of every
    unit) and the blank one (INTERNAL), outside the event loop."""

    async def post(self) -> None:
        config = self.config()
        year = self.year(config)
        unit = self.get_argument("unit", "") or None
        if unit is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", unit):
            raise tornado.web.HTTPError(404)

        def write() -> dict:
            from hailong.numbers import coverage
            from hailong.publish.questionnaire import write_questionnaires

            data = coverage.load_progress(year, self.serve.config_path)
            return write_questionnaires(data, unit, out=self.serve.out, lang=self.lang,
                                        blank=True, pdf=self.serve.pdf)

        try:
            written = await self.in_thread(write)
        except HailongError as err:
            query = {"round": year, "q_error": self.t("web_q_failed", error=str(err))}
            self.redirect(f"/progress?{urlencode(query)}#questionnaires", status=303)
            return
        audit.record(config.data_dir, year, self.who, "questionnaires", unit=unit or "",
                     files=sorted(p.name for p in written.values()))
        first = written.get(unit or "", next(iter(written.values())))
        self.redirect(f"/progress?{urlencode({'round': year})}#q-{first.name}", status=303)


class Internal(Base):
    """GET /internal/<year>/<name>: a follow-up list or a printed questionnaire (logged
    in, when there is a password); every download is written to the audit log."""

    def get(self, year_text: str, name: str) -> None:
        config = self.config()
        if not (FOLLOWUP_NAME.fullmatch(name) or QUESTIONNAIRE_NAME.fullmatch(name)) \
                or not year_text.isdigit() or int(year_text) not in config.rounds:
            raise tornado.web.HTTPError(404)
        year = int(year_text)
        path = security.contained(round_dir(self.serve.out, year) / INTERNAL_DIR, name)
        if path is None:
            raise tornado.web.HTTPError(404)
        audit.record(config.data_dir, year, self.who, "download_internal", file=name)
        if path.suffix == ".xlsx":
            self.set_header("Content-Type", "application/vnd.openxmlformats-officedocument."
                                            "spreadsheetml.sheet")
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        elif path.suffix == ".pdf":
            self.set_header("Content-Type", "application/pdf")
            self.set_header("Content-Disposition", f'attachment; filename="{name}"')
        else:
            self.set_header("Content-Type", "text/html; charset=utf-8")
            self.set_header("Content-Security-Policy", security.CSP_REPORT)
        self.write(path.read_bytes())


# --- Báo cáo --------------------------------------------------------------------------

def outputs_view(config: Config, out: Path | None, year: int, lang: str) -> dict:
    """The reports of the round that exist, with their PDFs, and the other downloads."""
    from hailong.run.plan import plan

    folder = round_dir(out, year)
    reports = []
    try:
        jobs = plan(config, year, None, out, lang)
    except HailongError:
        jobs = []
    for job in jobs:
        reports.append({"unit": job.unit, "name": job.name,
                        "html": job.html.name if job.html.is_file() else None,
                        "pdf": job.pdf.name if job.pdf.is_file() else None})
    extra = []
    if folder.is_dir():
        extra = sorted(p.name for p in folder.iterdir()
                       if p.is_file() and p.suffix in (".xlsx", ".csv", ".json", ".zip")
                       and not p.name.startswith("."))
        data = folder / "data"
        if data.is_dir():
            extra += sorted(f"data/{p.name}" for p in data.iterdir()
                            if p.is_file() and not p.name.startswith("."))
    index = "index.html" if lang == "vi" else f"index.{lang}.html"
    return {"reports": reports, "extra": extra,
            "index": index if (folder / index).is_file() else None}


class Reports(Base):
    async def get(self) -> None:
        config = self.config()
        year = self.year(config)
        runner: BuildRunner = self.application.settings["runner"]
        lang = self.get_argument("lang", self.lang)
        lang = lang if lang in ("vi", "en") else self.lang
        view = await self.in_thread(outputs_view, config, self.serve.out, year, lang)
        self.page("reports.html", config=config, year=year, view=view,
                  status=runner.status.as_dict(), busy=runner.busy(year), report_lang=lang,
                  refused=self.get_argument("refused", ""))


class Build(Base):
    def post(self) -> None:
        config = self.config()
        year = self.year(config)
        runner: BuildRunner = self.application.settings["runner"]
        lang = self.get_argument("lang", "vi")
        lang = lang if lang in ("vi", "en") else "vi"
        units = [u for u in self.get_arguments("unit") if re.fullmatch(r"[A-Za-z0-9_-]{1,40}", u)]
        started = runner.start(year, units, lang, self.who)
        query = {"round": year, "lang": lang}
        if not started:
            query["refused"] = "locked"
        self.redirect(f"/reports?{urlencode(query)}", status=303)


class BuildStatusHandler(Base):
    def get(self) -> None:
        runner: BuildRunner = self.application.settings["runner"]
        status = runner.status.as_dict()
        status["text"] = self._text(status)
        self.set_header("Content-Type", "application/json; charset=utf-8")
        self.write(json.dumps(status, ensure_ascii=False, default=str))

    def _text(self, s: dict) -> str:
        if s["state"] == "running":
            if not s["total"]:
                return self.t("web_build_preparing", seconds=int(s["seconds"]))
            return self.t("web_build_running", done=s["done"], total=s["total"],
                          current=s["current"], seconds=int(s["seconds"]))
        if s["state"] == "done":
            return self.t("web_build_done", built=len(s["built"]),
                          up_to_date=len(s["up_to_date"]), seconds=int(s["seconds"]))
        if s["state"] == "failed":
            return self.t("web_build_failed", failed=len(s["failures"]))
        return ""


class Output(Base):
    """GET /output/<year>/<path>: a file of the round's output folder (not its executed
    notebooks, not its internal folder), or 404."""

    def get(self, year_text: str, relative: str) -> None:
        config = self.config()
        if not year_text.isdigit() or int(year_text) not in config.rounds:
            raise tornado.web.HTTPError(404)
        first = relative.split("/", 1)[0]
        if first in (INTERNAL_DIR, "notebooks"):
            raise tornado.web.HTTPError(404)
        path = security.contained(round_dir(self.serve.out, int(year_text)), relative,
                                  OUTPUT_SUFFIXES)
        if path is None:
            raise tornado.web.HTTPError(404)
        kind = {".html": "text/html; charset=utf-8", ".pdf": "application/pdf",
                ".csv": "text/csv; charset=utf-8", ".json": "application/json",
                ".svg": "image/svg+xml", ".png": "image/png", ".css": "text/css",
                ".js": "text/javascript", ".md": "text/plain; charset=utf-8",
                ".txt": "text/plain; charset=utf-8"}.get(path.suffix.lower(),
                                                          "application/octet-stream")
        self.set_header("Content-Type", kind)
        self.set_header("Content-Security-Policy", security.CSP_REPORT)
        if kind == "application/octet-stream":
            self.set_header("Content-Disposition", f'attachment; filename="{path.name}"')
        self.write(path.read_bytes())


# --- Nhật ký --------------------------------------------------------------------------

class AuditLog(Base):
    def get(self) -> None:
        config = self.config()
        year = self.year(config)
        events = list(reversed(audit.read(config.data_dir, year)))
        self.page("audit.html", config=config, year=year, events=events[:500],
                  describe=functools.partial(describe_event, self.lang))


def describe_event(lang: str, event: dict) -> str:
    """One audit line in words (the event's phrase and its main fields)."""
    what = event.get("what", "")
    if what not in audit.EVENTS:
        return what
    fields = {k: v for k, v in event.items() if k not in ("when", "who", "what")}
    text = message(f"web_audit_{what}", lang)
    details = []
    for k, v in fields.items():
        if v in (None, "", [], {}):
            continue
        if isinstance(v, list):
            v = ", ".join(str(x) for x in v)
        details.append(f"{k}: {v}")
    return text + (" — " + "; ".join(details) if details else "")


class Static(tornado.web.StaticFileHandler):
    """The page's own script and style sheet (from the package)."""

    def set_default_headers(self) -> None:
        for name, value in security.HEADERS.items():
            if name != "Cache-Control":
                self.set_header(name, value)
        self.set_header("Content-Security-Policy", security.CSP_APP)


class NotFound(Base):
    def prepare(self) -> None:
        super().prepare()
        if not self._finished:
            raise tornado.web.HTTPError(404)


def make_app(settings: ServeSettings,
             cookie_secret: bytes | None = None) -> tornado.web.Application:
    """The Tornado application of ``hailong serve``."""
    config = load_config(settings.config_path)
    runner = BuildRunner(config, settings.out, config.processed_dir / "serve",
                         pdf=settings.pdf)
    return tornado.web.Application(
        [(r"/", Home),
         (r"/login", Login),
         (r"/logout", Logout),
         (r"/intake", Intake),
         (r"/intake/upload", Upload),
         (r"/intake/check/([^/]+)", Check),
         (r"/intake/check/([^/]+)/data-quality\.csv", DataQuality),
         (r"/intake/adopt", Adopt),
         (r"/progress", Progress),
         (r"/progress/lists", Lists),
         (r"/progress/questionnaires", Questionnaires),
         (r"/entry", EntryFind),
         (r"/entry/form", EntryForm),
         (r"/entry/saved", EntrySaved),
         (r"/entry/list", EntryList),
         (r"/entry/compare", EntryCompare),
         (r"/internal/([^/]+)/([^/]+)", Internal),
         (r"/reports", Reports),
         (r"/reports/build", Build),
         (r"/reports/status", BuildStatusHandler),
         (r"/output/([^/]+)/(.+)", Output),
         (r"/audit", AuditLog),
         (r"/static/(serve\.(?:js|css))", Static, {"path": str(HERE / "static")})],
        default_handler_class=NotFound,
        template_path=str(HERE / "templates"),
        cookie_secret=cookie_secret or secrets.token_bytes(32),
        xsrf_cookies=True,
        xsrf_cookie_kwargs={"httponly": True, "samesite": "Strict"},
        serve=settings, runner=runner, checks=Checks(),
        compiled_template_cache=True, autoescape="xhtml_escape",
    )
