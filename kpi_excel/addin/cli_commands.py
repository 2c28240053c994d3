"""Click commands for the ribbon doors, registered on the main ``kpi-excel`` group:

* ``kpi-excel addin build DIR`` - write ``kpi_excel.xlam`` into DIR;
* ``kpi-excel addin install [--dry-run]`` - put it where desktop Excel loads it;
* ``kpi-excel serve [--host H] [--port P]`` - run the web add-in's server.

Nothing here imports xlwings: ``serve`` must let the server module set
``XLWINGS_ON_SERVER`` before xlwings is first imported.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

__all__ = ["addin", "serve"]


@click.group()
def addin() -> None:
    """Build and install the desktop Excel add-in (the "KPI Report" ribbon tab)."""


@addin.command("build")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def build(directory: Path) -> None:
    """Write kpi_excel.xlam (button "Refresh KPIs") and kpi_excel_pack.xlam ("Committee paper") into DIRECTORY.

    Both are xlwings' ribbon add-in with our ribbon, sharing the "KPI Report"
    tab; their VBA runs kpi_excel.main() and kpi_excel_pack.main() through
    RunPython, so kpi_excel must be installed in the Python that Excel runs.
    """
    from kpi_excel.addin.xlam import PINNED_XLWINGS, VBA_PROJECT_NAME, AddinError, build_addins, inspect_xlam

    try:
        paths = build_addins(directory)
    except AddinError as error:
        raise click.ClickException(str(error)) from None
    for path in paths:
        report = inspect_xlam(path)
        labels = ", ".join(b.get("label", "") for b in report.buttons)
        click.echo(f"Wrote {path}")
        tab = report.tab_labels[0] if report.tab_labels else "?"
        vba = (f"the VBA of xlwings {PINNED_XLWINGS}'s ribbon add-in, config file {VBA_PROJECT_NAME}.conf"
               if report.vba_is_pinned else "VBA not verified")
        click.echo(f'Ribbon tab "{tab}": {labels}; {vba}')


@addin.command("install")
@click.option("--dry-run", is_flag=True, help="Say what would be written, write nothing.")
@click.option("--platform", "platform_name", type=click.Choice(["windows", "macos", "linux"]), hidden=True,
              help="Pretend to be this platform (for tests).")
def install(dry_run: bool, platform_name: str | None) -> None:
    """Install kpi_excel.xlam and kpi_excel_pack.xlam for this user and point them at this Python.

    Windows: the XLSTART folder and %USERPROFILE%\\.kpi_excel\\kpi_excel.conf.
    macOS: Excel's start-up folder, the sandboxed kpi_excel.conf and xlwings' AppleScript.
    An older install's myaddin.conf is carried over (and removed if only kpi_excel wrote it).
    Elsewhere there is no desktop Excel: it says what it would do and writes nothing.
    """
    from kpi_excel.addin.install import apply_plan, plan_install
    from kpi_excel.addin.xlam import AddinError

    try:
        plan = plan_install(platform=platform_name)
        if not plan.writes or dry_run:
            if plan.writes:
                click.echo("Dry run: nothing was written. 'kpi-excel addin install' would:")
            for line in plan.describe():
                click.echo(line)
            return
        log: list[str] = []
        written = apply_plan(plan, log)
    except AddinError as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"Wrote {path}")
    for line in log:
        click.echo(line)
    for note in plan.notes:
        click.echo(note)
    click.echo('Start Excel: the "KPI Report" tab has the "Refresh KPIs" and "Committee paper" buttons.')


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Keep 127.0.0.1 behind an HTTPS reverse proxy.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Processes serving requests; a refresh holds its process for its length, so use more "
                   "for many officers at once.")
def serve(host: str, port: int, workers: int) -> None:
    """Run the web add-in's server (xlwings Server) for Excel on the web and SharePoint.

    The manifest to deploy is at /manifest. Settings come from environment
    variables: see docs/admin-guide.md (XLWINGS_LICENSE_KEY is required).
    """
    from kpi_excel.errors import MissingExtraError

    try:
        uvicorn, app = _server_app()
    except (MissingExtraError, RuntimeError) as error:
        raise click.ClickException(str(error)) from None
    # proxy_headers: behind an HTTPS proxy, links in the manifest use the client's scheme and host.
    # Several workers need the app as an import string: each process builds it the same way.
    target = "kpi_excel.addin.server.app:app" if workers > 1 else app
    # server_header=False: no "Server: uvicorn" banner (the app cannot remove uvicorn's own header).
    # http: a request head over 64 KB gets 431 (httptools alone keeps any header; see http_head).
    from kpi_excel.addin.server.http_head import http_protocol

    uvicorn.run(target, host=host, port=port, workers=workers, proxy_headers=True, log_level="info",
                server_header=False, http=http_protocol())


def _server_app() -> tuple[Any, Any]:
    """uvicorn and the ASGI app; a plain install (no server extra) gets one line naming the extra."""
    from kpi_excel.errors import MissingExtraError
    from kpi_excel.extras import require

    require("server", "kpi-excel serve")
    if "xlwings" in sys.modules:  # pragma: no cover - a programming error, not a user one
        raise RuntimeError("xlwings was imported before the server could configure it")
    try:
        import uvicorn

        from kpi_excel.addin.server.app import app
    except ModuleNotFoundError as error:  # a package the server extra brings in is missing
        if (error.name or "").startswith("kpi_excel"):
            raise
        raise MissingExtraError("kpi-excel serve", "server", (error.name or "",)) from None
    return uvicorn, app
