"""The ``hailong`` command: a thin layer over the Python functions.

``hailong build`` calls :func:`hailong.build.build`, ``hailong sample`` calls
:func:`hailong.sample.generate_sample`; anything the command does, Python can do. User
mistakes (:class:`~hailong.errors.HailongError`) are printed as one ``error:`` line (and
one line per failed report) with the error's exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .errors import BuildError, HailongError

_DESCRIPTION = (
    "Reports of the Hai Phong cooperatives' satisfaction survey "
    "(Chỉ số hài lòng của HTX với cấp ủy, chính quyền địa phương)."
)


def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH",
                   help="project configuration file (default: $HAILONG_CONFIG or "
                        "data/hailong.yaml)")


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``hailong`` command."""
    top = argparse.ArgumentParser(prog="hailong", description=_DESCRIPTION)
    top.add_argument("--version", action="version", version=f"hailong {__version__}")
    sub = top.add_subparsers(dest="command", metavar="COMMAND", required=True)

    b = sub.add_parser(
        "build", help="build the HTML reports of a round and their index page",
        description="Run every report notebook of a survey round (one per unit, plus the "
                    "citywide report), export each to a self-contained HTML page and "
                    "write the index page. The round's results are computed once first. "
                    "A report that fails does not stop the others; the command then "
                    "exits with status 1 and names each failure.")
    b.add_argument("--round", dest="round_year", metavar="YEAR",
                   help="survey round, e.g. 2022 (default: current_round of the "
                        "configuration)")
    b.add_argument("--unit", dest="units", metavar="CODE", action="append",
                   help="build only this unit (GSO code, e.g. 311; 'city' = the citywide "
                        "report); repeat for several units (default: all)")
    b.add_argument("--out", metavar="DIR",
                   help="output folder; reports go to DIR/<year>/ (default: output/)")
    b.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the reports (default: vi)")
    b.add_argument("--no-progress", dest="progress", action="store_false",
                   help="do not show the progress bar")
    _add_config(b)
    b.set_defaults(func=_cmd_build)

    s = sub.add_parser(
        "sample", help="write a synthetic roster and survey export to try the system",
        description="Generate a synthetic, reproducible roster and survey export (no real "
                    "cooperative, person or phone number) in the layout of the real files.")
    s.add_argument("--seed", type=int, default=2022,
                   help="random seed; the same seed gives the same files (default: 2022)")
    s.add_argument("--round", dest="round_year", type=int, metavar="YEAR",
                   help="survey round the sample is for (default: current_round)")
    s.add_argument("--out", metavar="DIR",
                   help="folder to write to (default: data/sample/<year>/)")
    _add_config(s)
    s.set_defaults(func=_cmd_sample)
    return top


def _cmd_build(args: argparse.Namespace) -> int:
    from .build import build

    try:
        summary = build(round_year=args.round_year, units=args.units, out=args.out,
                        config_path=args.config, lang=args.lang, progress=args.progress)
    except BuildError as err:
        summary = getattr(err, "summary", None)
        if summary is not None:
            print(f"Built {len(summary.built)} of {len(summary.built) + len(summary.failures)}"
                  f" reports in {summary.seconds:.1f} s → {_shown(summary.index)}")
        raise
    n = len(summary.built)
    print(f"Built {n} report{'s' if n != 1 else ''} in {summary.seconds:.1f} s"
          f" → {_shown(summary.index)}")
    return 0


def _cmd_sample(args: argparse.Namespace) -> int:
    from .config import load_config
    from .sample import generate_sample

    config = load_config(args.config)
    year = args.round_year or config.current_round
    out = Path(args.out) if args.out else config.data_dir / "sample" / str(year)
    written = generate_sample(out, seed=args.seed, config=config, round_year=year)
    print(f"Wrote sample data for {year} (seed {args.seed}) to {_shown(out)}")
    for key, value in (written or {}).items():
        print(f"  {key}: {value}")
    return 0


def _report(err: HailongError) -> None:
    print(f"error: {err}", file=sys.stderr)
    for failure in getattr(err, "failures", None) or []:
        print(f"  {failure}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hailong`` command; return its exit status.

    0 success, 1 some reports failed, 2 a user error (bad parameter, configuration or
    input file), 130 interrupted.
    """
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except HailongError as err:
        _report(err)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
