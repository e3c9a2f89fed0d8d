"""The ``hailong`` command: a thin layer over the Python functions.

``hailong build`` calls :func:`hailong.run.build.build`, ``hailong sample`` calls
:func:`hailong.sample.generate_sample`; anything the command does, Python can do. User
mistakes (:class:`~hailong.core.errors.HailongError`) are printed as one ``error:`` line (and
one line per failed report) with the error's exit code, never as a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from hailong.core.errors import BuildError, HailongError
from hailong.core.lifetime import interrupt_on_terminate
from hailong.core.version import __version__

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


def _build_epilog() -> str:
    """What every report notebook receives, and what a wrong value does (for --help)."""
    from hailong.run.plan import REPORT_PARAMETERS

    params = "; ".join(f"{k} = {v}" for k, v in REPORT_PARAMETERS.items())
    return (f"Report parameters (what each notebook receives): {params}. --round sets "
            "round_year, --unit sets unit, --lang sets lang, --config sets config_path. "
            "A round reported by commune (2025 on) builds one report per commune. A wrong "
            "round, unit or language, or a round whose data files are missing, stops the "
            "build before any notebook runs and lists the valid values.")


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
                    "exits with status 1 and names each failure.",
        epilog=_build_epilog())
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
    b.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help="do not print the reports to PDF (default: a PDF beside every "
                        "HTML report, printed by the system's Chromium)")
    b.add_argument("--publish-anyway", dest="accept_losses", action="store_true",
                   help="publish even when more than max_set_aside of the survey rows or "
                        "answers were set aside (default: stop with exit status 3 and say "
                        "what was set aside; the data-quality report lists each case)")
    _add_build_speed(b)
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
                   help="folder to write to (default: data/sample/<year>/; with --scale "
                        "national: data/processed/national/)")
    s.add_argument("--scale", choices=("city", "national"), default="city",
                   help="city: the Hai Phong sample (default); national: a synthetic "
                        "country of 34 provinces, ~3,300 communes and ~30,000 cooperatives "
                        "(post-2025 geography) with its own configuration file, to measure "
                        "builds at scale (never committed)")
    s.add_argument("--coops", type=int, metavar="N",
                   help="with --scale national: number of cooperatives (default 30000)")
    _add_config(s)
    s.set_defaults(func=_cmd_sample)
    _add_progress_parser(sub)
    _add_validate_parser(sub)
    return top


def _add_build_speed(b: argparse.ArgumentParser) -> None:
    """``hailong build``'s options of where and how much to build (issue 7)."""
    b.add_argument("--workers", type=int, metavar="N",
                   help="worker processes, each with its own kernel and browser (default: "
                        "the number of cores; never more than the reports to build)")
    b.add_argument("--force", action="store_true",
                   help="rebuild every report (default: only those whose data, notebook "
                        "or code changed since the last build into the same folder)")
    b.add_argument("--executor", choices=("local", "dask"), default="local",
                   help="where the reports are built: local processes (default) or a Dask "
                        "cluster (with --scheduler; see bench/README.md)")
    b.add_argument("--scheduler", metavar="tcp://HOST:PORT",
                   help="address of the Dask scheduler (with --executor dask)")


def _speed_options(args: argparse.Namespace) -> dict:
    """The build-speed options given on the command line (those left out keep
    :func:`hailong.run.build.build`'s defaults)."""
    out = {}
    if getattr(args, "workers", None) is not None:
        if args.workers < 1:
            from hailong.core.errors import ParameterError

            raise ParameterError("--workers must be at least 1.", found=args.workers,
                                 expected="a whole number >= 1")
        out["workers"] = args.workers
    if getattr(args, "force", False):
        out["force"] = True
    if getattr(args, "executor", "local") != "local":
        out["executor"] = args.executor
    if getattr(args, "scheduler", None):
        out["scheduler"] = args.scheduler
    return out


def _cmd_build(args: argparse.Namespace) -> int:
    from hailong.run.build import build

    try:
        summary = build(round_year=args.round_year, units=args.units, out=args.out,
                        config_path=args.config, lang=args.lang, progress=args.progress,
                        pdf=args.pdf, accept_losses=args.accept_losses,
                        **_speed_options(args))
    except BuildError as err:
        summary = getattr(err, "summary", None)
        _print_rows(args)
        if summary is not None:
            print(f"Built {len(summary.built)} of {len(summary.built) + len(summary.failures)}"
                  f" reports in {summary.seconds:.1f} s → {_shown(summary.index)}")
            _print_extras(summary)
        raise
    n = len(summary.built)
    _print_rows(args)
    fresh = len(getattr(summary, "up_to_date", None) or [])
    print(f"Built {n} report{'s' if n != 1 else ''} in {summary.seconds:.1f} s"
          + (f" ({fresh} up to date)" if fresh else "") + f" → {_shown(summary.index)}")
    _print_extras(summary)
    return 0


def _print_extras(summary) -> None:
    """The PDF step (how many, how long; or what to install), the workbook, and the data
    set aside above the limit when the build was told to publish anyway."""
    losses = getattr(summary, "losses", None)
    if losses and losses.get("over"):
        print(f"warning: {losses['text']}", file=sys.stderr)
    batch = getattr(summary, "pdf", None)
    if batch is not None and batch.unavailable:
        print(f"warning: no PDF made. {batch.unavailable}", file=sys.stderr)
    elif batch is not None and batch.made:
        print(f"PDF: {len(batch.made)} in {batch.seconds:.1f} s "
              f"({batch.per_report:.2f} s per report)")
    book = getattr(summary, "workbook", None)
    if book is not None:
        print(f"Tables: {_shown(book)}")


def _cmd_sample(args: argparse.Namespace) -> int:
    from hailong.reference.config import load_config

    if args.scale == "national":
        return _sample_national(args)
    from hailong.sample.generate import generate_sample

    config = load_config(args.config)
    year = args.round_year or config.current_round
    out = Path(args.out) if args.out else config.data_dir / "sample" / str(year)
    written = generate_sample(out, seed=args.seed, config=config, round_year=year)
    print(f"Wrote sample data for {year} (seed {args.seed}) to {_shown(out)}")
    for key, value in (written or {}).items():
        print(f"  {key}: {value}")
    return 0


def _sample_national(args: argparse.Namespace) -> int:
    from hailong.reference.config import load_config
    from hailong.sample.national import default_national_dir, generate_national

    config = load_config(args.config)
    out = Path(args.out) if args.out else default_national_dir(config)
    options = {"seed": args.seed} if args.seed != 2022 else {}  # 2022: the city default
    if args.coops is not None:
        options["coops"] = args.coops
    written = generate_national(out, config=config, **options)
    print(f"Wrote the national sample ({written['coops']} cooperatives, "
          f"{written['provinces']} provinces, {written['communes']} communes) to {_shown(out)}")
    print(f"  build with: hailong build --config {_shown(written['config'])} --unit CODE")
    return 0


# --- hailong progress (hailong.numbers.coverage, hailong.publish.followup) -----------

def _add_progress_parser(sub) -> None:
    g = sub.add_parser(
        "progress", help="coverage of the survey on a day; writes the follow-up lists",
        description="Print how many cooperatives of each district have answered by the end "
                    "of a day, the change since an earlier day and which districts are "
                    "behind pace for the deadline; write the lists of cooperatives that "
                    "have not answered (Excel workbook and HTML page, INTERNAL: contact "
                    "data) to OUT/<year>/internal/.")
    g.add_argument("--as-of", dest="as_of", metavar="DATE",
                   help="the day to report on, e.g. 2023-05-16 or 16/05/2023 (default: the "
                        "day of the last submission)")
    g.add_argument("--previous", metavar="DATE",
                   help="the day changes are counted from (default: 7 days before --as-of)")
    g.add_argument("--round", dest="round_year", metavar="YEAR",
                   help="survey round, e.g. 2022 (default: current_round)")
    g.add_argument("--out", metavar="DIR",
                   help="output folder; the lists go to DIR/<year>/internal/ (default: output/)")
    g.add_argument("--lang", choices=("vi", "en"), default="vi",
                   help="language of the table and the lists (default: vi)")
    _add_config(g)
    g.set_defaults(func=_cmd_progress)


def _aligned(frame) -> list[str]:
    """A text table: first column left-aligned, the others right-aligned."""
    cols = [list(map(str, [c, *frame[c]])) for c in frame.columns]
    widths = [max(len(x) for x in col) for col in cols]
    lines = []
    for i in range(len(frame) + 1):
        cells = [col[i].ljust(w) if j == 0 else col[i].rjust(w)
                 for j, (col, w) in enumerate(zip(cols, widths))]
        lines.append("  ".join(cells).rstrip())
        if i == 0:
            lines.append("  ".join("-" * w for w in widths))
    return lines


def _cmd_progress(args: argparse.Namespace) -> int:
    from hailong.numbers import coverage
    from hailong.present import fmt, progress_report
    from hailong.publish.followup import write_internal

    data = coverage.load_progress(args.round_year, args.config)
    p = coverage.progress(data, args.as_of, previous=args.previous)
    names = progress_report.unit_names(data, args.lang)
    full = progress_report.unit_names(data, args.lang, form="full")
    table = progress_report.progress_frame(p, {**full, "city": fmt.t("col_city", args.lang)},
                                           args.lang)
    short = table.drop(columns=[c for c in (fmt.t("col_needed", args.lang),
                                            fmt.t("col_projected", args.lang))
                                if c in table.columns])
    print(progress_report.title(p, data, args.lang).lstrip("# "))
    lines = _aligned(short)
    print("\n".join([*lines[:-1], lines[1], lines[-1]]))  # a rule above the city line
    print()
    print(progress_report.summary(p, names, args.lang))
    written = write_internal(data, out=args.out, lang=args.lang, p=p)
    print()
    print(f"Follow-up lists ({fmt.t('internal_mark', 'vi')}): "
          f"{_shown(written['xlsx'])}, {_shown(written['html'])}")
    if len(data.unresolved):
        print(f"{len(data.unresolved)} submission(s) could not be matched to the roster by "
              f"name: see the last sheet of the workbook.")
    return 0


# --- hailong validate (hailong.ingest.quality) -------------------------------------------------

def _add_validate_parser(sub) -> None:
    v = sub.add_parser(
        "validate", help="check roster and survey export files without building anything",
        description="Read roster and survey export files as a build would, and say what "
                    "would become of every row: accepted, merged (an earlier submission of "
                    "the same cooperative) or set aside, with the reason. Nothing is built "
                    "and no file is changed. Files are told apart by their columns; exports "
                    "are checked against the roster among them, else the round's roster. "
                    "Without FILE, the round's configured inputs are checked. Exit status: "
                    "0 clean, 1 rows set aside, 2 an input cannot be used.")
    v.add_argument("files", nargs="*", metavar="FILE",
                   help="roster and/or survey export files (.csv, .xlsx, .txt)")
    v.add_argument("--roster", metavar="FILE",
                   help="read FILE as the roster (default: the roster among FILE..., else "
                        "the round's configured roster)")
    v.add_argument("--sheet", metavar="NAME",
                   help="the sheet to read in Excel files (default: the only sheet with the "
                        "expected columns)")
    v.add_argument("--report", metavar="PATH",
                   help="also write the data-quality report (CSV for Excel) to PATH")
    v.add_argument("--round", dest="round_year", metavar="YEAR",
                   help="survey round whose codebook, units and roster are used (default: "
                        "current_round)")
    _add_config(v)
    v.set_defaults(func=_cmd_validate)


def _cmd_validate(args: argparse.Namespace) -> int:
    from hailong.core.errors import InputError
    from hailong.ingest import quality
    from hailong.numbers.pipeline import open_round

    ctx = open_round(args.round_year, args.config)
    configured = not args.files and not args.roster
    exports = [Path(_shown(p)) for p in ctx.round.responses] if configured else []
    roster = Path(_shown(ctx.round.roster)) if configured else args.roster
    report = quality.check_files(args.files, ctx.codebook, ctx.units, roster=roster,
                                 responses=exports,
                                 configured_roster=Path(_shown(ctx.round.roster)),
                                 level=ctx.round.unit_level, sheet=args.sheet)
    what = (f"the inputs of round {ctx.round.year} in {_shown(ctx.config.path)}" if configured
            else f"{len(report.files)} file{'s' if len(report.files) != 1 else ''}")
    print(f"Checked {what}; nothing was built or changed.")
    print("\n".join(report.summary(shown=_shown)))
    problems = report.problems()
    if problems:
        print(f"\nProblems ({len(problems)}), one per line: file, row, column, what was "
              "found, what was expected, what to do:")
        print("\n".join(f"  {line}" for line in problems))
    if args.report:
        try:
            written = quality.write_data_quality(report.data_quality(), args.report)
        except OSError as exc:
            raise InputError(f"The data-quality report cannot be written ({exc.strerror}).",
                             file=args.report, hint="Choose another folder or file name.") \
                from None
        print(f"\nData-quality report (CSV for Excel): {_shown(written)}")
    code = report.exit_code
    print(f"\nResult: {report.verdict()} (exit status {code}).")
    return code


def _print_rows(args: argparse.Namespace) -> None:
    """What became of the round's input rows (from the results the reports were built
    from), on stderr: "368 rows read: 351 accepted, ...", and where the details are."""
    import json

    from hailong.reference.config import load_config

    try:
        config = load_config(args.config)
        year = config.round(args.round_year).year
        folder = config.processed_dir / str(year)
        meta = json.loads((folder / "results" / "meta.json").read_text(encoding="utf-8"))
    except (HailongError, OSError, ValueError):
        return
    if meta.get("rows"):
        details = folder / "data-quality.csv"
        where = f"; details: {_shown(details)}" if details.is_file() else ""
        print(f"Data: {meta['rows']}{where}", file=sys.stderr)


def _report(err: HailongError) -> None:
    print(f"error: {err}", file=sys.stderr)
    for failure in getattr(err, "failures", None) or []:
        print(f"  {failure}", file=sys.stderr)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hailong`` command; return its exit status.

    0 success, 1 some reports failed, 2 a user error (bad parameter, configuration or
    input file), 3 more data set aside than ``max_set_aside`` allows (nothing published;
    ``--publish-anyway``), 130 interrupted.
    """
    args = parser().parse_args(argv)
    try:
        with interrupt_on_terminate():  # SIGTERM/SIGHUP: clean up as after a Ctrl-C
            return args.func(args)
    except HailongError as err:
        _report(err)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
