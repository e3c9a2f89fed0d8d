"""The staff page's build, in a process of its own: ``python -m hailong.serve.worker``.

It calls :func:`hailong.run.build.build` exactly as ``hailong build`` does (same locks,
same audit log, ``who=`` the login) and writes what happens as JSON lines on the file
descriptor given by ``--events`` (default: the standard output it was started with; the
build's own output, notebooks included, goes to the standard error): ``start``, one
``report`` line per report built or failed (``done``/``total``), then ``end`` with what
was built, what was up to date, each failure with its reason, or the error that stopped
the build.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m hailong.serve.worker")
    p.add_argument("--config")
    p.add_argument("--round", dest="round_year")
    p.add_argument("--out")
    p.add_argument("--lang", default="vi")
    p.add_argument("--unit", dest="units", action="append")
    p.add_argument("--who", default="local")
    p.add_argument("--no-pdf", dest="pdf", action="store_false")
    return p.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one build; return ``hailong build``'s exit status."""
    args = _arguments(argv)
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # anything else printed: the log

    def send(event: str, **fields) -> None:
        channel.write(json.dumps({"event": event, **fields}, ensure_ascii=False,
                                 default=str) + "\n")

    def on_report(done: int, total: int, result) -> None:
        failure = getattr(result, "failure", None)
        send("report", done=done, total=total, unit=result.job.unit, name=result.job.name,
             ok=bool(result.ok), error=getattr(failure, "error", "") if failure else "")

    from hailong.core.errors import HailongError
    from hailong.run.build import build

    send("start")
    try:
        summary = build(round_year=args.round_year, units=args.units, out=args.out,
                        config_path=args.config, lang=args.lang, progress=on_report,
                        pdf=args.pdf, who=args.who)
    except HailongError as err:
        done = getattr(err, "summary", None)
        send("end", ok=False, error=str(err),
             failures=[{"unit": f.unit, "error": f.error}
                       for f in getattr(err, "failures", None) or []],
             built=[j.unit for j in done.built] if done is not None else [],
             up_to_date=list(done.up_to_date) if done is not None else [])
        return err.exit_code
    except Exception as err:  # noqa: BLE001 - told to the page, not a traceback
        send("end", ok=False, error=f"{type(err).__name__}: {err}", failures=[], built=[],
             up_to_date=[])
        return 1
    send("end", ok=True, error="", failures=[], built=[j.unit for j in summary.built],
         up_to_date=list(summary.up_to_date), seconds=round(summary.seconds, 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
