"""The ``kpi-excel`` command: thin; each command loads, calls the library, writes.

Errors an officer can fix come out as one line on stderr with a non-zero exit
status; no traceback reaches the user unless ``--debug`` is given.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from kpi_excel import __version__
from kpi_excel.core.assess import RateOptions
from kpi_excel.core.rag import Rule, parse_rule
from kpi_excel.core.targets import TargetError, Tolerance, parse_tolerance
from kpi_excel.errors import KpiExcelError

__all__ = ["main"]

# Exit statuses: 1 bad input or unwritable file, 2 bad command line (click's), 3 our bug.
EXIT_INPUT, EXIT_INTERNAL = 1, 3

stderr = Console(stderr=True, highlight=False, soft_wrap=True)


class _Group(click.Group):
    """Turns our errors into one clear line instead of a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        debug = bool(ctx.params.get("debug"))
        try:
            return super().invoke(ctx)
        except KpiExcelError as error:
            if debug:
                raise
            stderr.print(f"[bold red]kpi-excel:[/] {error}", markup=True, highlight=False)
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
                         "run again with --debug for details and report it", markup=False)
            sys.exit(EXIT_INTERNAL)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kpi-excel")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def main(debug: bool) -> None:
    """Turn an Excel workbook into a living KPI performance report."""


def _tolerance(ctx: click.Context, param: click.Parameter, value: str | None) -> Tolerance | None:
    try:
        return parse_tolerance(value)
    except TargetError as error:
        raise click.BadParameter(str(error)) from None


def _rule(ctx: click.Context, param: click.Parameter, value: str) -> Rule:
    try:
        return parse_rule(value)
    except KpiExcelError as error:
        raise click.BadParameter(str(error)) from None


@main.command()
@click.argument("input_path", metavar="INPUT", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write here (.csv, .tsv or .xlsx); "
              "stdout (CSV) when left out.")
@click.option("--rule", default="auto", callback=_rule, show_default=True,
              type=click.Choice(["target", "quartile", "auto", "none"], case_sensitive=False),
              help="RAG rule for rows without their own: target, quartile, or auto (target if the row "
                   "has one, else quartile).")
@click.option("--amber-within", callback=_tolerance, metavar="TOLERANCE",
              help="A near miss is Amber: 5% (of the target) or 2pp (points). Default: no Amber by target.")
@click.option("--same-within", callback=_tolerance, metavar="TOLERANCE",
              help="Treat a change this small as Same: 1% (of the previous value) or 0.5 (absolute). "
                   "Default: same at the displayed precision.")
@click.option("--sheet", help="Sheet to read from an .xlsx input (default: the first with a header row).")
def rate(
    input_path: Path,
    output: Path | None,
    rule: Rule,
    amber_within: Tolerance | None,
    same_within: Tolerance | None,
    sheet: str | None,
) -> None:
    """Rate an indicator table: trend, direction and RAG with reasons.

    INPUT is a CSV, TSV or XLSX file with a header row (Indicator, Polarity,
    Previous Value, Latest Value, Target, Quartile, ...; synonyms are fine).
    Every row and column comes back with change, trend, direction, rag,
    rag_reason and problems added. Rows with problems still come back, each
    problem named.
    """
    from kpi_excel.core.rate_table import rate_table
    from kpi_excel.tablefile import read_table, write_table

    frame, formats = read_table(input_path, sheet)
    rated = rate_table(frame, formats, RateOptions(rule, amber_within, same_within), source=str(input_path))
    write_table(rated.frame, output, formats=formats)
    for warning in rated.warnings:
        stderr.print(f"note: {warning}", markup=False)
    _print_rate_summary(rated, output)


def _print_rate_summary(rated, output: Path | None) -> None:  # type: ignore[no-untyped-def]
    counts = rated.counts()
    order = ["Green", "Amber", "Red", "N/A"]
    parts = [f"{counts.get(word, 0)} {word}" for word in order if counts.get(word)]
    rows = sum(counts.values())
    where = f" → {output}" if output else ""
    stderr.print(f"Rated {rows} indicator{'s' if rows != 1 else ''}: {', '.join(parts) or 'none'}; "
                 f"{rated.rows_with_problems} with problems{where}", markup=False)


def _register_doors() -> None:
    # Imported here, not at the top: these commands import nothing heavy until run.
    from kpi_excel.addin.cli_commands import addin, serve

    main.add_command(addin)
    main.add_command(serve)


_register_doors()

if __name__ == "__main__":  # pragma: no cover
    main()
