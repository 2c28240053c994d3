"""What a desktop ribbon button tells the officer when something stops it: one alert, with what to do.

Both buttons (Refresh KPIs, Committee paper) run through :func:`run_button`.
Our own errors (:class:`~kpi_excel.errors.KpiExcelError`) already say what to
fix. Everything else comes from xlwings or Excel and would otherwise reach the
officer as xlwings' traceback window (Windows) or as a log dump (macOS, where
RunPython shows anything on stderr): :func:`failure_message` turns it into one
sentence of what happened and one of what to do.

xlwings is not imported at module level (see :mod:`kpi_excel.addin.desktop`);
its error classes are looked up when an error is explained.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from kpi_excel.errors import KpiExcelError

__all__ = ["Button", "REFRESH", "PAPER", "UNSYNCED", "failure_message", "is_unsynced_address", "run_button"]

TITLE = "KPI Report"

UNSYNCED = ("this workbook is on SharePoint or OneDrive and is not synced to this computer, so the desktop "
            "button cannot reach its file. Use the KPI Report add-in in Excel on the web (open the workbook "
            "in the browser), or sync the library with OneDrive and open the workbook from the synced folder")

# Windows COM: RPC_E_CALL_REJECTED, Excel refusing a call because a cell is being edited or a dialog is open.
CALL_REJECTED = -2147418111


@dataclass(frozen=True)
class Button:
    label: str
    refused: str  # the alert's title for our own errors (found before anything was written)
    failed: str  # the alert's title for anything else
    retry: str  # what pressing it again does, for the officer


REFRESH = Button("Refresh KPIs", f"{TITLE}: nothing was changed", f"{TITLE}: the refresh did not finish",
                 "Press Refresh KPIs again: it works out every computed column afresh, so a refresh that "
                 "stopped part-way is put right")
PAPER = Button("Committee paper", f"{TITLE}: no paper written", f"{TITLE}: no paper written",
               "Press Committee paper again")


def _from_xlwings_utils(error: BaseException) -> bool:
    """Raised inside xlwings' URL-to-folder mapping (xlwings 0.37.8's /sites/ branch fails with UnboundLocalError)."""
    tb = error.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_name in ("fullname_url_to_local_path", "search_local_sharepoint_path"):
            return True
        tb = tb.tb_next
    return False


def is_unsynced_address(error: BaseException) -> bool:
    """xlwings could not map the workbook's SharePoint/OneDrive address to a file on this computer."""
    import xlwings

    if isinstance(error, xlwings.XlwingsError) and any(
            word in str(error) for word in ("OneDrive", "SharePoint")):
        return True
    return _from_xlwings_utils(error)


def _com_hresult(error: BaseException) -> int | None:
    """The HRESULT of a pywin32 ``com_error`` (Windows), without importing pywin32."""
    if type(error).__name__ == "com_error" and error.args and isinstance(error.args[0], int):
        return error.args[0]
    return None


def _detail(error: BaseException) -> str:
    text = str(error).strip().rstrip(".")
    return text or type(error).__name__


def failure_message(error: BaseException, button: Button) -> str:
    """One message for ``error``: what happened, then what to do."""
    import xlwings

    if isinstance(error, KpiExcelError):
        return str(error)
    if is_unsynced_address(error):
        return UNSYNCED[0].upper() + UNSYNCED[1:] + "."
    if _com_hresult(error) == CALL_REJECTED:
        return ("Excel was busy: a cell is being edited or a dialog box is open. Press Enter or Esc (or close "
                f"the dialog box), then press {button.label} again.")
    if isinstance(error, xlwings.LicenseError):
        return (f"xlwings refused to run without a licence key ({_detail(error)}). Send this message to your "
                f"IT service desk; until it is fixed, use {button.label} in the KPI Report add-in in Excel on the web.")
    if isinstance(error, xlwings.NoSuchObjectError):
        return (f"Something the add-in looked for is not in this workbook: {_detail(error)}. Check the "
                f"sheet and range names against the template, then {button.retry[0].lower()}{button.retry[1:]}.")
    if isinstance(error, NotImplementedError):
        return (f"This version of Excel cannot do part of what {button.label} needs: {_detail(error)}. "
                "Use desktop Excel for Windows or Mac (Microsoft 365), or the KPI Report add-in in Excel on "
                "the web.")
    if isinstance(error, xlwings.XlwingsError):
        return f"xlwings, which connects the add-in to Excel, stopped: {_detail(error)}. {button.retry}."
    return (f"{button.label} stopped: {type(error).__name__}: {_detail(error)}. {button.retry}; if it stops "
            "again, send this message to your IT service desk.")


def run_button(book: Any, button: Button, action: Callable[[], tuple[str, str]]) -> None:
    """Run ``action`` (which returns the success alert's title and text); any failure becomes one alert.

    Nothing goes to stderr: on macOS RunPython shows whatever is there as a
    second, raw error window.
    """
    try:
        title, text = action()
    except Exception as error:  # noqa: BLE001 - every failure must reach the officer as one alert
        title = button.refused if isinstance(error, KpiExcelError) else button.failed
        book.app.alert(failure_message(error, button), title=title, mode="critical")
        return
    book.app.alert(text, title=title, mode="info")
