"""What keeps the staff page safe: where it listens, the password, paths from requests.

- It listens on 127.0.0.1 unless told otherwise; any other address needs a password
  (``HAILONG_PASSWORD``, or ``--password-file`` naming a file outside the repository) and
  :func:`check_listen` refuses to start without one.
- A path taken from a request is only ever used through :func:`contained`: resolved
  (symbolic links and ``..`` followed), it must still be inside the one folder it may
  come from, name a regular file and not a hidden one; anything else is "not found".
- Every answer carries :data:`HEADERS` (a content security policy with no source outside
  this server, no framing, no sniffing, no referrer).
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from pathlib import Path

from hailong.core.errors import ParameterError
from hailong.core.messages import message
from hailong.reference.config import PROJECT_ROOT

#: The environment variable holding the password.
PASSWORD_ENV = "HAILONG_PASSWORD"
#: Pages of the application: scripts only from this server, no inline script.
CSP_APP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
           "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
           "form-action 'self'; base-uri 'none'; object-src 'none'; frame-ancestors 'none'")
#: Reports served as they were built (self-contained pages): their inline scripts and
#: styles run, still nothing from outside this server.
CSP_REPORT = ("default-src 'self'; script-src 'self' 'unsafe-inline'; "
              "style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
              "connect-src 'none'; form-action 'none'; base-uri 'none'; object-src 'none'; "
              "frame-ancestors 'none'")
#: Headers of every answer (the content security policy is added per page).
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
           "Referrer-Policy": "no-referrer", "Cross-Origin-Opener-Policy": "same-origin",
           "Cross-Origin-Resource-Policy": "same-origin", "Cache-Control": "no-store"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine only (127.0.0.0/8, ::1, ``localhost``)."""
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_password(password_file: str | Path | None, lang: str = "vi",
                  environ: dict | None = None) -> str | None:
    """The password: the first line of ``password_file`` (which must be outside the
    repository), else ``$HAILONG_PASSWORD``, else ``None``.

    Raises
    ------
    ParameterError
        If the file is inside the repository, cannot be read or is empty.
    """
    environ = os.environ if environ is None else environ
    if password_file is not None:
        path = Path(password_file).expanduser().resolve()
        if path.is_relative_to(PROJECT_ROOT):
            raise ParameterError(message("web_password_in_repo", lang), file=str(password_file),
                                 hint=message("web_password_hint", lang))
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ParameterError(message("web_password_unreadable", lang, why=exc.strerror),
                                 file=str(password_file)) from None
        first = text.splitlines()[0].strip() if text.strip() else ""
        if not first:
            raise ParameterError(message("web_password_empty", lang), file=str(password_file))
        return first
    value = environ.get(PASSWORD_ENV, "")
    return value if value.strip() else None


def check_listen(host: str, password: str | None, lang: str = "vi") -> None:
    """Refuse to listen on another address than this machine's without a password.

    Raises
    ------
    ParameterError
        (exit status 2) with what to do.
    """
    if not is_loopback(host) and not password:
        raise ParameterError(message("web_needs_password", lang, host=host),
                             hint=message("web_password_hint", lang))


def same_password(given: str, expected: str) -> bool:
    """Compare in constant time (no timing tells how much of a guess was right)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def contained(root: Path, relative: str, suffixes: tuple[str, ...] | None = None) -> Path | None:
    """The regular file ``relative`` names inside ``root``, or ``None``.

    ``None`` for an absolute path, a NUL byte, any part starting with a dot (``..``,
    hidden files), a path that leaves ``root`` once resolved (symbolic links included),
    a folder, a missing file, or a suffix not in ``suffixes``.
    """
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    parts = relative.split("/")
    if relative.startswith("/") or any(p.startswith(".") or p == "" for p in parts):
        return None
    base = root.resolve()
    try:
        target = (base / relative).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    if not target.is_relative_to(base) or not target.is_file():
        return None
    if suffixes is not None and target.suffix.lower() not in suffixes:
        return None
    return target
