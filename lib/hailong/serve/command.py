"""``hailong serve``: start the staff page (:mod:`hailong.serve.app`)."""

from __future__ import annotations

import argparse
import asyncio
import os
from pathlib import Path

from hailong.core.messages import message


def _lang() -> str:
    """The language of the moment (``--lang`` / ``HAILONG_LANG``; Vietnamese by default)."""
    from hailong.core import messages

    lang = (messages.current_lang() if hasattr(messages, "current_lang")
            else os.environ.get("HAILONG_LANG", "vi"))
    return lang if lang in ("vi", "en") else "vi"


def add_serve_parser(sub) -> None:
    """Add ``hailong serve`` to the command's sub-commands."""
    lang = _lang()
    s = sub.add_parser("serve", help=message("web_cli_help", lang),
                       description=message("web_cli_description", lang))
    s.add_argument("--host", default="127.0.0.1", help=message("web_cli_host", lang))
    s.add_argument("--port", type=int, default=8000, help=message("web_cli_port", lang))
    s.add_argument("--round", dest="round_year", type=int, metavar="YEAR",
                   help=message("web_cli_round", lang))
    s.add_argument("--out", metavar="DIR", help=message("web_cli_out", lang))
    s.add_argument("--password-file", metavar="PATH", help=message("web_cli_password", lang))
    s.add_argument("--max-upload-mb", type=int, default=20, metavar="MB",
                   help=message("web_cli_max_upload", lang))
    s.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help=message("web_cli_no_pdf", lang))
    s.add_argument("--config", metavar="PATH", help=message("web_cli_config", lang))
    s.set_defaults(func=cmd_serve)


def settings_from(args: argparse.Namespace, lang: str | None = None):
    """The :class:`~hailong.serve.app.ServeSettings` of the command line, checked.

    Raises
    ------
    ParameterError
        (exit status 2) On another address than this machine's without a password, a
        password file inside the repository, or a round that is not configured.
    """
    from hailong.core.errors import ParameterError
    from hailong.reference.config import load_config
    from hailong.serve import security
    from hailong.serve.app import ServeSettings

    lang = lang or _lang()
    password = security.load_password(args.password_file, lang)
    security.check_listen(args.host, password, lang)
    config = load_config(args.config)
    if args.round_year is not None:
        config.round(args.round_year)
    if args.max_upload_mb < 1:
        raise ParameterError(message("web_cli_max_upload", lang), found=args.max_upload_mb)
    return ServeSettings(config_path=config.path, out=Path(args.out) if args.out else None,
                         round_year=args.round_year, host=args.host, port=args.port,
                         password=password, lang=lang,
                         max_upload=args.max_upload_mb * 1024 * 1024, pdf=args.pdf)


def cmd_serve(args: argparse.Namespace) -> int:
    """Run the server until Ctrl-C."""
    settings = settings_from(args)
    from hailong.core import messages
    from hailong.serve.app import HARD_LIMIT, make_app

    if hasattr(messages, "set_lang"):  # the library's messages, in the page's language
        messages.set_lang(settings.lang)
    os.environ["HAILONG_LANG"] = settings.lang  # and the build worker's

    app = make_app(settings)

    async def run() -> None:
        server = app.listen(settings.port, settings.host, max_body_size=HARD_LIMIT,
                            xheaders=False)
        shown = f"[{settings.host}]" if ":" in settings.host else settings.host
        print(message("web_started", settings.lang, url=f"http://{shown}:{settings.port}/"),
              flush=True)
        try:
            await asyncio.Event().wait()
        finally:
            server.stop()

    try:
        asyncio.run(run())
    finally:
        app.settings["runner"].stop()
    return 0
