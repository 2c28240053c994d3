"""The ``kpi-excel`` command: thin; each command loads, calls the library, writes.

Each command imports what it needs when it runs: ``--version``, ``--help`` and
a desktop click must not pay for pandas and the rating engine (issue 20).

Errors an officer can fix come out as one line on stderr with a non-zero exit
status; no traceback reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from kpi_excel.version import __version__
from kpi_excel.errors import KpiExcelError

if TYPE_CHECKING:
    from kpi_excel.core.plan import Summary
    from kpi_excel.core.rag import RuleSpec
    from kpi_excel.core.targets import Tolerance

__all__ = ["main"]

# The command's process is its own. kpi_excel makes no BLAS calls (its one matrix product is of
# integers, numpy's own loop), yet OpenBLAS starts a thread a core when numpy loads, whose
# spinning cost ~0.1 s of CPU a refresh on 2 cores: one thread. Set before any command imports
# numpy (nothing above does); a value the admin set in the environment wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

# Exit statuses: 1 bad input or unwritable file, 2 bad command line (click's), 3 our bug.
EXIT_INPUT, EXIT_INTERNAL = 1, 3

# The control characters rich dropped from every line (bell, backspace, vertical tab, form feed,
# carriage return): a cell's text in a problem line cannot move the cursor over another line.
_DROPPED_CONTROLS = dict.fromkeys((7, 8, 11, 12, 13))


class _LazyConsole:
    """Lines for stderr or stdout. A plain line is written as it is (click's echo); rich is
    imported only for what needs it (the error line's style, the progress spinner on a
    terminal): its import is ~35 ms of every command, a tenth of a small refresh."""

    def __init__(self, *, to_stderr: bool) -> None:
        self._to_stderr = to_stderr
        self._console = None

    @property
    def console(self):  # type: ignore[no-untyped-def]
        if self._console is None:
            from rich.console import Console

            self._console = Console(stderr=self._to_stderr, highlight=False, soft_wrap=True)
        return self._console

    @property
    def is_terminal(self) -> bool:
        stream = sys.stderr if self._to_stderr else sys.stdout
        isatty = getattr(stream, "isatty", None)  # None under pythonw, where there is no console
        return bool(isatty and isatty())

    def print(self, text: str, *, markup: bool = False) -> None:
        """``text`` as one line; with ``markup``, rich's [style] tags are drawn, not printed.
        The text itself is never read for emoji codes (a file called "q:warning:.xlsx")."""
        if markup:
            self.console.print(text, markup=True, emoji=False)
        else:
            # As rich wrote lines: control characters dropped, any other text (escape sequences
            # too: color=True) left as it is, on a terminal or not.
            click.echo(text.translate(_DROPPED_CONTROLS), err=self._to_stderr, color=True)


# Errors, notes and progress go to stderr; what a command did (Wrote, Saved, Rated ...) to
# stdout, so a script can tell a success's report from a failure's. ``rate`` and
# ``benchmark`` may write their table to stdout: their summaries stay on stderr.
stderr = _LazyConsole(to_stderr=True)
stdout = _LazyConsole(to_stderr=False)


class _Group(click.Group):
    """Turns our errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except KpiExcelError as error:
            if debug:
                raise
            from rich.markup import escape  # the message is text: "kpi-excel[sql]" is not a style tag

            stderr.print(f"[bold red]kpi-excel:[/] {escape(str(error))}", markup=True)
            sys.exit(EXIT_INPUT)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            stderr.print("kpi-excel: interrupted; nothing was written")
            sys.exit(130)
        except Exception as error:  # the last guard: a bug of ours, said plainly
            if debug:
                raise
            stderr.print(f"kpi-excel: internal error ({type(error).__name__}: {error}); "
                         "run again with --debug for details and report it")
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpi-excel")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def main(debug: bool) -> None:
    """Turn an Excel workbook into a living KPI performance report."""


def _tolerance(ctx: click.Context, param: click.Parameter, value: str | None) -> Tolerance | None:
    from kpi_excel.core.targets import TargetError, parse_tolerance

    try:
        return parse_tolerance(value)
    except TargetError as error:
        raise click.BadParameter(str(error)) from None


class _RuleOption(click.Option):
    """``--rule``: its help names every registered RAG rule when it is shown."""

    def get_help_record(self, ctx: click.Context) -> tuple[str, str] | None:
        from kpi_excel.core.rule_registry import rule_phrases

        self.help = (f"RAG rule for rows without their own: {rule_phrases()}; tolerances may follow, as a "
                     "council's key says: 'target green 5% amber 10%', and its own statuses: 'yellow 5%', "
                     "'blue at TTAF' (a second target's column), 'blue beyond 5%', 'amber if improved', "
                     "'names Green=Green star, Red=Red triangle'.")
        return super().get_help_record(ctx)


def _rule(ctx: click.Context, param: click.Parameter, value: str) -> RuleSpec:
    from kpi_excel.core.rag import RuleSpec, parse_rule_spec

    try:
        return parse_rule_spec(value) or RuleSpec()
    except KpiExcelError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here (.csv, .tsv or .xlsx); "
              "stdout (CSV) when left out.")
@click.option("--rule", cls=_RuleOption, default="auto", callback=_rule, show_default=True, metavar="RULE",
              help="RAG rule for rows without their own (every registered rule is named when help is shown).")
@click.option("--green-within", callback=_tolerance, metavar="TOLERANCE",
              help="A near miss is still Green: 5% (of the target), 2pp (points), or 10auto (points for a "
                   "percentage, % otherwise). Default: only a met target is Green.")
@click.option("--amber-within", callback=_tolerance, metavar="TOLERANCE",
              help="A near miss is Amber: 5% (of the target), 2pp (points) or 10auto. Default: no Amber by "
                   "target.")
@click.option("--same-within", callback=_tolerance, metavar="TOLERANCE",
              help="Treat a change this small as Same: 1% (of the previous value) or 0.5 (absolute). "
                   "Default: same at the displayed precision.")
@click.option("--sheet", help="Sheet to read from an .xlsx input (default: the first with a header row).")
@click.option("--confidence", type=click.Choice(["95", "99.8"]), default="95", show_default=True,
              help="Confidence level (%) of ci_low/ci_high and of the significance and vs England tests, "
                   "for rows with counts (Numerator/Denominator columns or values like '3.1% (420)').")
@click.option("--trend-needs-significance", is_flag=True,
              help="A change that is not statistically significant reads 'Same' (and counts as no change "
                   "for the quartile RAG rule).")
def rate(
    input_path: Path,
    output: Path | None,
    rule: RuleSpec,
    green_within: Tolerance | None,
    amber_within: Tolerance | None,
    same_within: Tolerance | None,
    sheet: str | None,
    confidence: str,
    trend_needs_significance: bool,
) -> None:
    """Rate an indicator table: trend, direction and RAG with reasons.

    INPUT is a CSV, TSV or XLSX file with a header row (Indicator, Polarity,
    Previous Value, Latest Value, Target, Quartile, ...; synonyms are fine).
    Every row and column comes back with change, trend, direction, rag,
    rag_reason and problems added; a table with counts (Numerator and
    Denominator columns, a Measure Type, or values like '3.1% (420)') also gets
    ci_low, ci_high, significance and vs_england. Rows with problems still come
    back, each problem named.
    """
    from kpi_excel.app.rate_files import rate_file
    from kpi_excel.core.assess import RateOptions

    options = RateOptions(rule, amber_within, same_within, green_within=green_within,
                          confidence=float(confidence) / 100, trend_needs_significance=trend_needs_significance)
    rated = rate_file(input_path, output, options, sheet=sheet, to_stdout=True)
    for warning in rated.warnings:
        stderr.print(f"note: {warning}")
    _print_rate_summary(rated, output)


def _print_rate_summary(rated, output: Path | None) -> None:  # type: ignore[no-untyped-def]
    from kpi_excel.core.rag import counted_order

    counts = rated.counts()
    parts = [f"{counts.get(word, 0)} {word}" for word in counted_order(counts) if counts.get(word)]
    rows = sum(counts.values())
    where = f" → {output}" if output else ""
    stderr.print(f"Rated {rows} indicator{'s' if rows != 1 else ''}: {', '.join(parts) or 'none'}; "
                 f"{rated.rows_with_problems} with problems{where}")


@main.command()
@click.argument("data", metavar="DATA")
@click.option("--dictionary", "dictionary", required=True, type=click.Path(path_type=Path),
              help="Indicator dictionary: LAIT's lait_data_dictionary.csv, or a table with Code and Polarity "
                   "(optional No_Quartile, dps, Measure).")
@click.option("--area", help="Benchmark this authority (name or LA number; spelling is lenient).")
@click.option("--all-areas", is_flag=True, help="Benchmark every authority (the default when --area is not given).")
@click.option("--latest", "latest", is_flag=True, help="Each indicator at its latest period (the default).")
@click.option("--period", help="Every indicator at this period label instead (e.g. 2023/24).")
@click.option("--group", type=click.Path(path_type=Path),
              help="Comparator group: a file with one LA name or number a line, or a CSV/XLSX column. "
                   "Quartiles, ranks and derived targets are then computed within the group.")
@click.option("--neighbours", multiple=True, type=click.Path(path_type=Path),
              help="Statistical-neighbour list (DfE's sn_*.xlsx); may be given more than once: each "
                   "authority takes the newest list that has it.")
@click.option("--neighbours-from", metavar="LABEL",
              help="Prefer this neighbour list, by the year in its file name (e.g. 2021).")
@click.option("--codes", type=click.Path(path_type=Path),
              help="LA code list (LA Number, LA Name, Region, Type) to use instead of the bundled one.")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write here (.csv, .tsv or .xlsx); stdout (CSV) when left out.")
def benchmark(
    data: str,
    dictionary: Path,
    area: str | None,
    all_areas: bool,
    latest: bool,
    period: str | None,
    group: Path | None,
    neighbours: tuple[Path, ...],
    neighbours_from: str | None,
    codes: Path | None,
    output: Path | None,
) -> None:
    """Benchmark indicators against every authority, the way DfE's LAIT does.

    DATA is LAIT's long data (parquet or CSV) or any data source
    (report.xlsx, values.csv, sql:URL#table=NAME; see the docs for the
    syntax). One row per indicator and area: value, rank and quartile
    (1 = best), cut points, statistical-neighbour average, England and region
    values, and the top-quartile target.
    """
    if area and all_areas:
        raise click.UsageError("give --area or --all-areas, not both")
    if latest and period:
        raise click.UsageError("give --latest or --period, not both")
    from kpi_excel.cycle_pause import cycle_collector_paused, imports_frozen

    with imports_frozen():  # the command's own process, as refresh's
        from kpi_excel.app.benchmark_table import run_benchmark, write_benchmark
    with cycle_collector_paused():
        run = run_benchmark(data, dictionary, area=area, period=period, group=group, neighbours=neighbours,
                            neighbours_from=neighbours_from, codes=codes)
        write_benchmark(run.frame, output)
    # Plain lines: nothing here needs rich, and not importing it keeps the command quick.
    for problem in run.problems[:5]:
        click.echo(f"note: {problem}", err=True)
    if len(run.problems) > 5:
        click.echo(f"note: … and {len(run.problems) - 5} more problem(s) in the data", err=True)
    click.echo(run.summary(output), err=True)


@main.command("benchmark-codes")
@click.argument("source", default="example", metavar="[SOURCE]")
@click.option("--search", metavar="WORDS", help="Only codes whose code or name holds every one of these words "
              "(e.g. --search 'care leavers').")
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the list here (.csv, .tsv or .xlsx) instead of printing it.")
def benchmark_codes(source: str, search: str | None, output: Path | None) -> None:
    """List the Benchmark Codes to type on the KPIs sheet: code, indicator, polarity.

    SOURCE is the benchmark data: 'example' (the bundled LAIT extract, the
    default), a report workbook (the data its Settings name), or LAIT's own
    data (lait:path.parquet, with lait_data_dictionary.csv beside it).
    """
    from kpi_excel.app.benchmark_codes import benchmark_codes as listed

    table = listed(source, search)
    if output is not None:
        from kpi_excel.sources.table_files import write_table

        write_table(table, output)
        stdout.print(f"Wrote {len(table)} benchmark code{'s' if len(table) != 1 else ''} to {output}")
        return
    if table.empty:
        stdout.print("No benchmark codes" + (f" match '{search}'" if search else ""))
        return
    width = max(len("Code"), *(len(code) for code in table["Code"]))
    stdout.print(f"{'Code':<{width}}  {'Polarity':<11}  Indicator")
    for code, name, polarity in zip(table["Code"], table["Indicator"], table["Polarity"]):
        stdout.print(f"{code:<{width}}  {polarity:<11}  {name}")


@main.command()
@click.argument("output", type=click.Path(path_type=Path))
@click.option("--example", is_flag=True,
              help="Fill it with the example: Leicestershire's published 2022/23 Q2 indicators and history.")
@click.option("--force", is_flag=True, help="Replace OUTPUT if it exists (its indicators, data and Log are lost).")
def new(output: Path, example: bool, force: bool) -> None:
    """Write a new report workbook: KPIs, Data, Settings, RAG key and Log sheets.

    An existing OUTPUT is refused unless --force is given.
    """
    from kpi_excel.app.report_files import new_report

    path = new_report(output, example=example, force=force)
    stdout.print(f"Wrote {path}" + (" (the example)" if example else ""))


@main.command()
@click.argument("existing", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the result here instead of changing EXISTING.")
def init(existing: Path, output: Path | None) -> None:
    """Add the report's sheets to an officer's existing workbook.

    Only sheets it lacks are added (KPIs, Data, Settings, RAG key, Log); nothing
    already there is changed or lost: charts, macros, comments and all.
    """
    from kpi_excel.app.report_files import init_report

    added = init_report(existing, output)
    where = output or existing
    if added:
        stdout.print(f"Added {', '.join(added)} to {where}")
    else:
        stdout.print(f"{where} already has every report sheet; nothing added")


@main.command()
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="Write the refreshed report here instead of changing WORKBOOK.")
@click.option("--data", "sources", multiple=True, metavar="SOURCE",
              help="Another place to read values from (path.csv, path.xlsx#Sheet, lait:path.parquet, "
                   "sql:URL#table=NAME); may be given more than once. The Data sheet is always read.")
@click.option("--as-of", metavar="PERIOD", help="Re-run a past period (e.g. 'Q2 2022/23'): later data is ignored.")
def refresh(workbook: Path, output: Path | None, sources: tuple[str, ...], as_of: str | None) -> None:
    """Refresh a report workbook: latest values, trend, RAG, benchmarks, Benchmark sheet, Log.

    Only the computed columns are written; the workbook is saved atomically and
    refused (untouched) if it is open in Excel or read-only.
    """
    _refresh(workbook, output, sources, as_of)


def _refresh(workbook: Path, output: Path | None, sources: tuple[str, ...], as_of: str | None) -> None:
    from kpi_excel.cycle_pause import cycle_collector_paused

    # The command's own process: no full cycle-collector passes over the millions of short-lived
    # objects a refresh makes (see cycle_pause). Never in refresh_report itself: a server shares its process.
    with cycle_collector_paused():
        summary = _refreshed(workbook, output, sources, as_of)
    for line in summary.lines():
        stdout.print(line)
    for problem in summary.problems[:8]:
        stdout.print(f"  - {problem}")
    if len(summary.problems) > 8:
        stdout.print(f"  … and {len(summary.problems) - 8} more in the Checks column")
    stdout.print(f"Saved {output or workbook}")


def _refreshed(workbook: Path, output: Path | None, sources: tuple[str, ...], as_of: str | None) -> Summary:
    from kpi_excel.cycle_pause import imports_frozen

    with imports_frozen():  # the command's own process: what it imports is never walked again
        from kpi_excel.app.report_files import refresh_report

    if stderr.is_terminal:
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                      console=stderr.console, transient=True) as progress:
            task = progress.add_task("Starting", total=None)
            summary, _ = refresh_report(workbook, output, sources=sources, as_of=as_of,
                                        on_step=lambda step: progress.update(task, description=step))
    else:
        summary, _ = refresh_report(workbook, output, sources=sources, as_of=as_of)
    return summary


@main.command()
@click.argument("report", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="Where to write the paper: PAPER.docx, or PAPER.pdf (rendered by LibreOffice).")
@click.option("--topic", metavar="TOPIC", help="Only the indicators of this topic (as written in the Topic column).")
@click.option("--only", metavar="WORDS",
              help="Only indicators matching any of these comma-separated words: red, amber, green, na, improving, "
                   "declining, unchanged, exceptions (e.g. --only red,declining).")
@click.option("--title", help="The paper's title (default: '<authority> KPI performance report').")
def pack(report: Path, output: Path, topic: str | None, only: str | None, title: str | None) -> None:
    """Write the committee paper from a refreshed report: summary, exceptions, table, charts.

    REPORT is a report workbook refreshed by kpi-excel (or either add-in). The
    paper says in sentences how many indicators are Green, Amber and Red and
    what changed since the previous refresh, lists the exceptions (every Red,
    and every indicator declining while below target or in the bottom
    quartile), prints the table as published, and draws one chart per
    indicator with alt text. Nothing in REPORT is changed.
    """
    from kpi_excel.app.paper import PaperOptions, make_paper, parse_only

    result = make_paper(report, output, PaperOptions(topic=topic, only=parse_only(only), title=title))
    stdout.print(f"Wrote {output}: {result.indicators} indicator{'s' if result.indicators != 1 else ''}, "
                 f"{result.exceptions} exception{'s' if result.exceptions != 1 else ''}, {result.charts} chart"
                 f"{'s' if result.charts != 1 else ''}")


@main.command()
@click.option("-o", "--output", type=click.Path(path_type=Path), default=Path("kpi_demo.xlsx"), show_default=True,
              help="Where to write the example report.")
def demo(output: Path) -> None:
    """Make the example report, refresh it and write its committee paper (the same name, .docx)."""
    from kpi_excel.app.report_files import new_report

    new_report(output, example=True, force=True)  # the demo's own file: made afresh each time
    stdout.print(f"Made the example report {output} (Leicestershire, 2022/23 Q2, published figures)")
    _refresh(output, None, (), None)
    from kpi_excel.app.paper import make_paper

    paper = make_paper(output, output.with_suffix(".docx"))
    stdout.print(f"Wrote the committee paper {paper.path} ({paper.indicators} indicators, {paper.exceptions} "
                 f"exceptions, {paper.charts} charts)")


def _register_doors() -> None:
    # Imported here, not at the top: these commands import nothing heavy until run.
    from kpi_excel.addin.cli_commands import addin, serve

    main.add_command(addin)
    main.add_command(serve)


_register_doors()

if __name__ == "__main__":  # pragma: no cover
    main()
