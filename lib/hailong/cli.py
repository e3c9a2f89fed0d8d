"""The ``hailong`` command: a thin layer over the Python functions.

``hailong build`` calls :func:`hailong.run.build.build`, ``hailong sample`` calls
:func:`hailong.sample.generate_sample`; anything the command does, Python can do. User
mistakes (:class:`~hailong.core.errors.HailongError`) are printed as one ``lỗi:`` /
``error:`` line (and one line per failed report) with the error's exit code, never as a
traceback.

The command speaks Vietnamese, or English (:func:`message_language`): every help text,
error and summary line is a ``cli.*`` / ``err.*`` phrase of the message catalogue
(``hailong/core/messages.yaml``), argparse's own words included (:class:`Parser`,
:class:`HelpFormatter`). A mistyped option or command gets the closest valid one.
"""

from __future__ import annotations

import argparse
import difflib
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from hailong.core.catalogue import (
    LANG_VARIABLE,
    LANGS,
    current_lang,
    raw_catalogue,
    using_lang,
)
from hailong.core.errors import BuildError, HailongError
from hailong.core.lifetime import interrupt_on_terminate
from hailong.core.messages import say
from hailong.core.version import __version__

#: Commands whose ``--lang`` is the language of what they write (reports, lists); the
#: messages follow it unless ``hailong --lang`` or ``$HAILONG_LANG`` chooses them.
REPORT_COMMANDS = ("build", "progress")
#: Commands whose ``--lang`` is only the language of their messages.
MESSAGE_COMMANDS = ("sample", "validate")


def message_language(argv: Sequence[str], environ: dict | None = None) -> str:
    """The language the command speaks, from its arguments and environment.

    In order: ``--lang`` before the command (``hailong --lang en validate ...``) or on a
    command that writes no report (``validate``, ``sample``); then ``$HAILONG_LANG``;
    then ``--lang`` of ``build`` / ``progress`` (the language of the reports); else
    Vietnamese. A value that is not a language is left for the parser to refuse.

    Examples
    --------
    >>> message_language(["build", "--lang", "en"], {})
    'en'
    >>> message_language(["build", "--lang", "en"], {"HAILONG_LANG": "vi"})
    'vi'
    >>> message_language(["--lang", "en", "build", "--lang", "vi"], {"HAILONG_LANG": "vi"})
    'en'
    """
    environ = os.environ if environ is None else environ
    before, after, command = None, None, None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        value = None
        if arg == "--lang" and i + 1 < len(args):
            value = args[i + 1]
        elif arg.startswith("--lang="):
            value = arg.partition("=")[2]
        elif command is None and not arg.startswith("-") and (i == 0 or args[i - 1] != "--lang"):
            command = arg
        if value in LANGS:
            if command is None:
                before = before or value
            else:
                after = value
    env = str(environ.get(LANG_VARIABLE, "")).strip().lower()
    env = env if env in LANGS else None
    if before:
        return before
    if after and command in MESSAGE_COMMANDS:
        return after
    return env or after or LANGS[0]


# --- argparse in the message language ---------------------------------------------------

class HelpFormatter(argparse.HelpFormatter):
    """argparse's help layout with the catalogue's word for "usage:"."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups,
                          prefix=say("cli.usage") + " " if prefix is None else prefix)


#: argparse's own error messages (Python 3.11 and on) -> catalogue key of the phrase.
_ARGPARSE_ERRORS = (
    (re.compile(r"the following arguments are required: (?P<names>.*)"), "cli.err.required"),
    (re.compile(r"argument (?P<arg>\S+): invalid choice: (?P<value>.*?) \(choose from "
                r"(?P<choices>.*)\)"), "cli.err.invalid_choice"),
    (re.compile(r"argument (?P<arg>\S+): invalid (?P<type>\w+) value: (?P<value>.*)"),
     "cli.err.invalid_value"),
    (re.compile(r"argument (?P<arg>\S+): expected one argument"), "cli.err.one_value"),
    (re.compile(r"argument (?P<arg>\S+): expected (?P<what>.*)"), "cli.err.expected"),
    (re.compile(r"argument (?P<arg>\S+): not allowed with argument (?P<other>\S+)"),
     "cli.err.not_together"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)"),
     "cli.err.ambiguous"),
    (re.compile(r"unrecognized arguments: (?P<args>.*)"), "cli.err.unrecognized"),
)


class Parser(argparse.ArgumentParser):
    """An argument parser that speaks the message language and, for a mistyped option
    or command, names the closest valid one (:func:`difflib.get_close_matches`)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", HelpFormatter)
        kwargs.setdefault("add_help", False)
        super().__init__(*args, **kwargs)
        self._positionals.title = say("cli.positionals")
        self._optionals.title = say("cli.options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                          help=say("cli.help"))
        self.commands: dict[str, Parser] = {}

    def error(self, message: str):
        """Print the usage and the message in the message language; exit with 2."""
        self.fail(translate(message, self))

    def fail(self, text: str):
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {say('cli.error_prefix')} {text}\n")

    def option_strings(self) -> list[str]:
        return [s for a in self._actions for s in a.option_strings]

    def check_extras(self, extras: list[str]) -> None:
        """Refuse arguments no option took, naming the closest valid option."""
        options = [x for x in extras if x.startswith("-") and x != "-"]
        if not options:
            self.fail(say("cli.err.unrecognized", args=" ".join(extras)))
        typed = options[0].partition("=")[0]
        close = difflib.get_close_matches(typed, self.option_strings(), n=1, cutoff=0.6)
        if close:
            self.fail(say("cli.err.no_option_suggest", option=typed, match=close[0]))
        self.fail(say("cli.err.no_option", option=typed,
                      options=", ".join(s for s in self.option_strings() if s.startswith("--"))))


def translate(message: str, parser: Parser) -> str:
    """argparse's English error ``message`` in the message language (a mistyped command
    gets the closest one)."""
    for pattern, key in _ARGPARSE_ERRORS:
        m = pattern.fullmatch(message.strip())
        if not m:
            continue
        fields = m.groupdict()
        if key == "cli.err.invalid_choice":
            choices = re.findall(r"'([^']*)'", fields["choices"])
            value = fields["value"].strip("'")
            close = difflib.get_close_matches(value, choices, n=1, cutoff=0.5)
            if fields["arg"] == say("cli.metavar_command"):
                return (say("cli.err.no_command_suggest", command=value, match=close[0])
                        if close else
                        say("cli.err.no_command", command=value, choices=", ".join(choices)))
            if close:
                return say("cli.err.invalid_choice_suggest", **fields, match=close[0])
        if key == "cli.err.invalid_value" and f"cli.type.{fields['type']}" in raw_catalogue():
            fields["type"] = say(f"cli.type.{fields['type']}")  # int, float
        return say(key, **fields)
    return message


# --- the parser ------------------------------------------------------------------------

def _shown(path: Path) -> str:
    """``path`` relative to the working folder when it is inside it."""
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def _number(value: float, digits: int = 1) -> str:
    """``41.23`` -> ``"41.2"`` (English) or ``"41,2"`` (Vietnamese: decimal comma)."""
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if current_lang() == "vi" else text


def _add_config(p: argparse.ArgumentParser) -> None:
    p.add_argument("--config", metavar="PATH", help=say("cli.opt.config"))


def _build_epilog() -> str:
    """What every report notebook receives, and what a wrong value does (for --help)."""
    from hailong.run.plan import REPORT_PARAMETERS

    if current_lang() == "en":  # the parameters are described in English only
        params = "; ".join(f"{k} = {v}" for k, v in REPORT_PARAMETERS.items())
    else:
        params = ", ".join(REPORT_PARAMETERS)
    return say("cli.build.epilog", params=params)


def parser() -> Parser:
    """The argument parser of the ``hailong`` command, in the message language."""
    top = Parser(prog="hailong", description=say("cli.description"),
                 epilog=say("cli.epilog"))
    top.add_argument("--version", action="version", version=f"hailong {__version__}",
                     help=say("cli.opt.version"))
    top.add_argument("--lang", dest="message_lang", choices=LANGS,
                     help=say("cli.opt.message_lang"))
    sub = top.add_subparsers(dest="command", metavar=say("cli.metavar_command"), required=True,
                             title=say("cli.commands"), parser_class=Parser)

    b = sub.add_parser("build", help=say("cli.build.help"),
                       description=say("cli.build.description"), epilog=_build_epilog())
    b.add_argument("--round", dest="round_year", metavar="YEAR", help=say("cli.opt.round"))
    b.add_argument("--unit", dest="units", metavar="CODE", action="append",
                   help=say("cli.build.unit"))
    b.add_argument("--out", metavar="DIR", help=say("cli.build.out"))
    b.add_argument("--lang", choices=LANGS, help=say("cli.build.lang"))
    b.add_argument("--no-progress", dest="progress", action="store_false",
                   help=say("cli.build.no_progress"))
    b.add_argument("--no-pdf", dest="pdf", action="store_false", help=say("cli.build.no_pdf"))
    b.add_argument("--publish-anyway", dest="accept_losses", action="store_true",
                   help=say("cli.build.publish_anyway"))
    _add_build_speed(b)
    _add_config(b)
    b.set_defaults(func=_cmd_build)

    s = sub.add_parser("sample", help=say("cli.sample.help"),
                       description=say("cli.sample.description"))
    s.add_argument("--seed", type=int, default=2022, help=say("cli.sample.seed"))
    s.add_argument("--round", dest="round_year", type=int, metavar="YEAR",
                   help=say("cli.sample.round"))
    s.add_argument("--out", metavar="DIR", help=say("cli.sample.out"))
    s.add_argument("--scale", choices=("city", "national"), default="city",
                   help=say("cli.sample.scale"))
    s.add_argument("--coops", type=int, metavar="N", help=say("cli.sample.coops"))
    _add_message_lang(s)
    _add_config(s)
    s.set_defaults(func=_cmd_sample)
    _add_progress_parser(sub)
    _add_questionnaire_parser(sub)
    _add_validate_parser(sub)
    from hailong.serve.command import add_serve_parser

    add_serve_parser(sub)
    top.commands = dict(sub.choices)
    return top


def _add_message_lang(p: argparse.ArgumentParser) -> None:
    """``--lang`` of a command that writes no report: the language of its messages."""
    p.add_argument("--lang", dest="command_lang", choices=LANGS,
                   help=say("cli.opt.message_lang"))


def _add_build_speed(b: argparse.ArgumentParser) -> None:
    """``hailong build``'s options of where and how much to build (issue 7)."""
    b.add_argument("--workers", type=int, metavar="N", help=say("cli.build.workers"))
    b.add_argument("--force", action="store_true", help=say("cli.build.force"))
    b.add_argument("--executor", choices=("local", "dask"), default="local",
                   help=say("cli.build.executor"))
    b.add_argument("--scheduler", metavar="tcp://HOST:PORT", help=say("cli.build.scheduler"))


def _speed_options(args: argparse.Namespace) -> dict:
    """The build-speed options given on the command line (those left out keep
    :func:`hailong.run.build.build`'s defaults)."""
    out = {}
    if getattr(args, "workers", None) is not None:
        if args.workers < 1:
            from hailong.core.errors import ParameterError

            raise ParameterError("err.workers_at_least_1", found=args.workers,
                                 expected="exp.whole_number_1")
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
                        config_path=args.config, lang=args.lang or LANGS[0],
                        progress=args.progress, pdf=args.pdf,
                        accept_losses=args.accept_losses, who="local",
                        **_speed_options(args))
    except BuildError as err:
        summary = getattr(err, "summary", None)
        _print_rows(args)
        if summary is not None:
            print(say("cli.build.built_some", n=len(summary.built),
                      total=len(summary.built) + len(summary.failures),
                      seconds=_number(summary.seconds), index=_shown(summary.index)))
            _print_extras(summary)
        raise
    n = len(summary.built)
    _print_rows(args)
    fresh = len(getattr(summary, "up_to_date", None) or [])
    print(say("cli.build.built_one" if n == 1 else "cli.build.built", n=n,
              seconds=_number(summary.seconds),
              fresh=say("cli.build.up_to_date", n=fresh) if fresh else "",
              index=_shown(summary.index)))
    _print_extras(summary)
    return 0


def _print_extras(summary) -> None:
    """The PDF step (how many, how long; or what to install), the workbook, and the data
    set aside above the limit when the build was told to publish anyway."""
    warning = say("cli.warning_prefix")
    losses = getattr(summary, "losses", None)
    if losses and losses.get("over"):
        print(f"{warning} {losses['text']}", file=sys.stderr)
    batch = getattr(summary, "pdf", None)
    if batch is not None and batch.unavailable:
        print(f"{warning} {say('cli.build.no_pdf_made', reason=batch.unavailable)}",
              file=sys.stderr)
    elif batch is not None and batch.made:
        print(say("cli.build.pdf", n=len(batch.made), seconds=_number(batch.seconds),
                  each=_number(batch.per_report, 2)))
    book = getattr(summary, "workbook", None)
    if book is not None:
        print(say("cli.build.tables", path=_shown(book)))
    missing = getattr(summary, "no_conclusions", None)
    if missing:  # the Alliance's "Kết luận và kiến nghị" (document.conclusions)
        print(say("cli.build.no_conclusions", n=len(missing), units=", ".join(missing)))


def _cmd_sample(args: argparse.Namespace) -> int:
    from hailong.reference.config import load_config

    if args.scale == "national":
        return _sample_national(args)
    from hailong.sample.generate import generate_sample

    config = load_config(args.config)
    year = args.round_year or config.current_round
    out = Path(args.out) if args.out else config.data_dir / "sample" / str(year)
    written = generate_sample(out, seed=args.seed, config=config, round_year=year)
    print(say("cli.sample.wrote", year=year, seed=args.seed, path=_shown(out)))
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
    print(say("cli.sample.wrote_national", coops=written["coops"],
              provinces=written["provinces"], communes=written["communes"], path=_shown(out)))
    print(say("cli.sample.build_with", config=_shown(written["config"])))
    return 0


# --- hailong progress (hailong.numbers.coverage, hailong.publish.followup) -----------

def _add_progress_parser(sub) -> None:
    g = sub.add_parser("progress", help=say("cli.progress.help"),
                       description=say("cli.progress.description"))
    g.add_argument("--as-of", dest="as_of", metavar="DATE", help=say("cli.progress.as_of"))
    g.add_argument("--previous", metavar="DATE", help=say("cli.progress.previous"))
    g.add_argument("--round", dest="round_year", metavar="YEAR", help=say("cli.opt.round"))
    g.add_argument("--out", metavar="DIR", help=say("cli.progress.out"))
    g.add_argument("--lang", choices=LANGS, help=say("cli.progress.lang"))
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

    lang = args.lang or LANGS[0]
    data = coverage.load_progress(args.round_year, args.config)
    p = coverage.progress(data, args.as_of, previous=args.previous)
    names = progress_report.unit_names(data, lang)
    full = progress_report.unit_names(data, lang, form="full")
    table = progress_report.progress_frame(p, {**full, "city": fmt.t("col_city", lang)}, lang)
    short = table.drop(columns=[c for c in (fmt.t("col_needed", lang),
                                            fmt.t("col_projected", lang))
                                if c in table.columns])
    print(progress_report.title(p, data, lang).lstrip("# "))
    lines = _aligned(short)
    print("\n".join([*lines[:-1], lines[1], lines[-1]]))  # a rule above the city line
    print()
    print(progress_report.summary(p, names, lang, assisted=data.assisted(p.as_of)))
    written = write_internal(data, out=args.out, lang=lang, p=p, who="local")
    print()
    print(say("cli.progress.lists", mark=fmt.t("internal_mark", lang),
              xlsx=_shown(written["xlsx"]), html=_shown(written["html"])))
    if len(data.unresolved):
        print(say("cli.progress.unresolved", n=len(data.unresolved)))
    return 0


# --- hailong questionnaire (hailong.publish.questionnaire) ---------------------------------

def _add_questionnaire_parser(sub) -> None:
    q = sub.add_parser("questionnaire", help=say("cli.questionnaire.help"),
                       description=say("cli.questionnaire.description"))
    q.add_argument("--round", dest="round_year", metavar="YEAR", help=say("cli.opt.round"))
    q.add_argument("--unit", metavar="CODE", help=say("cli.questionnaire.unit"))
    q.add_argument("--as-of", dest="as_of", metavar="DATE",
                   help=say("cli.questionnaire.as_of"))
    q.add_argument("--out", metavar="DIR", help=say("cli.questionnaire.out"))
    q.add_argument("--lang", choices=LANGS, help=say("cli.questionnaire.lang"))
    q.add_argument("--no-pdf", dest="pdf", action="store_false",
                   help=say("cli.questionnaire.no_pdf"))
    _add_config(q)
    q.set_defaults(func=_cmd_questionnaire)


def _cmd_questionnaire(args: argparse.Namespace) -> int:
    from hailong.core import audit
    from hailong.numbers import coverage
    from hailong.present import fmt
    from hailong.publish import questionnaire

    lang = args.lang or LANGS[0]
    data = coverage.load_progress(args.round_year, args.config)
    todo = questionnaire.sheets_to_print(data, args.unit, args.as_of, lang)
    written = questionnaire.write_questionnaires(data, args.unit, out=args.out,
                                                 as_of=args.as_of, lang=lang, pdf=args.pdf)
    units = [u for u in written if u != questionnaire.BLANK]
    audit.record(data.config.data_dir, data.round.year, "local", "questionnaires",
                 units=units, sheets=sum(len(todo[u]) for u in units))
    print(say("cli.questionnaire.wrote", mark=fmt.t("internal_mark", lang),
              sheets=sum(len(todo[u]) for u in units), units=len(units)))
    for key, path in written.items():
        name = (fmt.t("q_title_blank", lang) if key == questionnaire.BLANK
                else data.units.name(key))
        print(say("cli.questionnaire.file", unit=name,
                  n=1 if key == questionnaire.BLANK else len(todo[key]), path=_shown(path)))
    return 0


# --- hailong validate (hailong.ingest.quality) -------------------------------------------------

def _add_validate_parser(sub) -> None:
    v = sub.add_parser("validate", help=say("cli.validate.help"),
                       description=say("cli.validate.description"))
    v.add_argument("files", nargs="*", metavar="FILE", help=say("cli.validate.files"))
    v.add_argument("--roster", metavar="FILE", help=say("cli.validate.roster"))
    v.add_argument("--sheet", metavar="NAME", help=say("cli.validate.sheet"))
    v.add_argument("--report", metavar="PATH", help=say("cli.validate.report"))
    v.add_argument("--round", dest="round_year", metavar="YEAR",
                   help=say("cli.validate.round"))
    _add_message_lang(v)
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
    what = (say("cli.validate.what_round", year=ctx.round.year, config=_shown(ctx.config.path))
            if configured else say("cli.validate.what_file" if len(report.files) == 1
                                   else "cli.validate.what_files", n=len(report.files)))
    print(say("cli.validate.checked", what=what))
    print("\n".join(report.summary(shown=_shown)))
    problems = report.problems()
    if problems:
        print("\n" + say("cli.validate.problems", n=len(problems)))
        print("\n".join(f"  {line}" for line in problems))
    if args.report:
        try:
            written = quality.write_data_quality(report.data_quality(), args.report)
        except OSError as exc:
            raise InputError("err.data_quality_report_written", file=args.report,
                             hint="hint.choose_another_folder_file",
                             strerror=exc.strerror) from None
        print("\n" + say("cli.validate.report_written", path=_shown(written)))
    code = report.exit_code
    from hailong.serve.inputs import record_validation  # the round's audit log

    record_validation(ctx.config, ctx.round.year, "local", report,
                      [f.path for f in report.files])
    print("\n" + say("cli.validate.result", verdict=report.verdict(), code=code))
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
        where = say("cli.build.details", path=_shown(details)) if details.is_file() else ""
        rows = _rows_said(folder, meta) or meta["rows"]
        print(say("cli.build.data", rows=rows, details=where), file=sys.stderr)


def _rows_said(folder: Path, meta: dict) -> str | None:
    """The row accounting in the message language, from the round's ledger and the
    results' counts (the results keep it as text in the language they were made in)."""
    import csv
    from collections import Counter

    try:
        with (folder / "ledger.csv").open(encoding="utf-8-sig", newline="") as fh:
            status = Counter(row["status"] for row in csv.DictReader(fh))
    except (OSError, KeyError, csv.Error):
        return None
    text = say("val.rows_summary", read=sum(status.values()), accepted=status["accepted"],
               merged=status["merged"], set_aside=status["set_aside"])
    answers = meta.get("set_aside") or {}
    if answers.get("answers_set_aside"):
        text += say("val.answers_summary", set_aside=answers["answers_set_aside"],
                    read=answers.get("answers_read", 0))
    return text


def _report(err: HailongError) -> None:
    print(f"{say('cli.error_prefix')} {err}", file=sys.stderr)
    for failure in getattr(err, "failures", None) or []:
        print(f"  {failure}", file=sys.stderr)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    """The parsed arguments; a mistake in them prints the usage of the command concerned
    and the closest valid option or command, then exits with status 2."""
    top = parser()
    for arg in argv:  # an unknown option before the command ("--lnag en build")
        if arg in top.commands or not arg.startswith("-"):
            break
        if arg.partition("=")[0] not in top.option_strings():
            top.check_extras([arg])
    args, extras = top.parse_known_args(list(argv))
    if extras:
        command = top.commands.get(getattr(args, "command", None) or "")
        position = list(argv).index(args.command) if command is not None else -1
        first = min(list(argv).index(x) for x in extras if x in argv) if any(
            x in argv for x in extras) else len(argv)
        (command if command is not None and first > position else top).check_extras(extras)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``hailong`` command; return its exit status.

    0 success, 1 some reports failed, 2 a user error (bad parameter, configuration or
    input file), 3 more data set aside than ``max_set_aside`` allows (nothing published;
    ``--publish-anyway``), 130 interrupted. The language of the messages is
    :func:`message_language`'s.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    with using_lang(message_language(argv)):
        args = parse(argv)
        try:
            with interrupt_on_terminate():  # SIGTERM/SIGHUP: clean up as after a Ctrl-C
                return args.func(args)
        except HailongError as err:
            _report(err)
            return err.exit_code
        except KeyboardInterrupt:
            print(say("cli.interrupted"), file=sys.stderr)
            return 130
