"""What every page of the staff page shares: how ``hailong serve`` was started
(:class:`ServeSettings`) and the handler all pages derive from (:class:`Base`: security
headers, the login, the round, the language, error pages, work outside the event loop).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import tornado.web

from hailong.core import audit
from hailong.core.messages import message
from hailong.reference.config import Config, load_config
from hailong.serve import security

#: Default largest upload (bytes); ``hailong serve --max-upload-mb``.
MAX_UPLOAD = 20 * 1024 * 1024


@dataclass
class ServeSettings:
    """How ``hailong serve`` was started."""

    config_path: Path
    out: Path | None = None
    round_year: int | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    password: str | None = None
    lang: str = "vi"
    max_upload: int = MAX_UPLOAD
    pdf: bool = True


class Base(tornado.web.RequestHandler):
    """Headers, login, round, language and error pages of every page."""

    #: Open without the login (the login page itself).
    public = False

    @property
    def serve(self) -> ServeSettings:
        return self.application.settings["serve"]

    @property
    def lang(self) -> str:
        return self.serve.lang

    def t(self, key: str, **fields) -> str:
        return message(key, self.lang, **fields)

    def set_default_headers(self) -> None:
        for name, value in security.HEADERS.items():
            self.set_header(name, value)
        self.set_header("Content-Security-Policy", security.CSP_APP)

    def get_current_user(self) -> str | None:
        if not self.serve.password:
            return "local"
        raw = self.get_signed_cookie("hailong_user", max_age_days=1)
        return raw.decode("utf-8") if raw else None

    @property
    def who(self) -> str:
        return self.current_user or "local"

    def prepare(self) -> None:
        if security.is_loopback(self.serve.host) and not security.is_loopback(
                self.request.host_name):
            raise tornado.web.HTTPError(403, "host")  # another site's name for this server
        if self.serve.password and self.current_user is None \
                and not self.public:
            if self.request.method in ("GET", "HEAD"):
                self.redirect("/login?" + urlencode({"next": self.request.uri}))
                return
            raise tornado.web.HTTPError(403, "login")

    # --- the round ---------------------------------------------------------------
    def config(self) -> Config:
        return load_config(self.serve.config_path)

    def year(self, config: Config) -> int:
        value = self.get_argument("round", None) or self.serve.round_year or config.current_round
        try:
            year = int(value)
        except (TypeError, ValueError):
            raise tornado.web.HTTPError(404) from None
        if year not in config.rounds:
            raise tornado.web.HTTPError(404)
        return year

    def page(self, template: str, *, config: Config, year: int, **kw) -> None:
        self.render(template, config=config, year=year, rounds=sorted(config.rounds),
                    lang=self.lang, user=self.current_user, login=bool(self.serve.password),
                    here=self.request.path, **kw)

    def get_template_namespace(self) -> dict:
        ns = super().get_template_namespace()
        ns.update(t=self.t, urlencode=urlencode)
        return ns

    def write_error(self, status_code: int, **kwargs) -> None:
        reason = {403: "web_error_403", 404: "web_error_404", 413: "web_error_413"}.get(
            status_code, "web_error_other")
        exc = kwargs.get("exc_info", (None, None, None))[1]
        if status_code == 403 and isinstance(exc, tornado.web.HTTPError) \
                and "xsrf" in (exc.log_message or "").lower():
            reason = "web_error_xsrf"
        self.render("error.html", status=status_code,
                    text=self.t(reason, limit=self.serve.max_upload // (1024 * 1024)),
                    lang=self.lang,
                    user=None, login=bool(self.serve.password), rounds=[], year=None,
                    here="")

    async def in_thread(self, fn, *args, **kw):
        """Run ``fn`` outside the event loop (the page stays responsive)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(fn, *args, **kw))


def today() -> str:
    """Today in Hai Phong, ``YYYY-MM-DD``."""
    return dt.datetime.now(audit.TZ).date().isoformat()
