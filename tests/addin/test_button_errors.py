"""Whatever stops a desktop button reaches the officer as one alert with what to do (issue 15, item 7).

The buttons run as RunPython runs them: ``kpi_excel.main()`` / ``kpi_excel_pack.main()``
with ``xw.Book.caller()`` mocked by a real remote-engine book (the desktop
engines need Excel). The errors are xlwings' own: for the committee paper,
the book's ``fullname`` does what xlwings' Windows and macOS engines do for a
URL FullName (``fullname_url_to_local_path``), and for a refresh the refresh
makes xlwings calls the engine refuses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import xlwings as xw
import xlwings.utils
from xlwings.pro import _xlremote

import kpi_excel_pack
from kpi_excel.addin import desktop
from kpi_excel.addin.button_errors import PAPER, REFRESH, UNSYNCED, failure_message
from tests.addin.payload import REFRESH_SHEETS, book_payload
from kpi_excel.errors import KpiExcelError

from .conftest import write_example_workbook
from .unsynced import ADDRESSES, clean_xlwings  # noqa: F401 - clean_xlwings is a fixture


@pytest.fixture()
def book(example_xlsx: Path) -> Iterator[xw.Book]:
    """The example workbook as the calling book."""
    caller = xw.Book(json=book_payload(example_xlsx, include=REFRESH_SHEETS))
    caller.set_mock_caller()
    yield caller
    del xw.Book._mock_caller  # type: ignore[attr-defined]


def alerts(book: xw.Book) -> list[dict[str, Any]]:
    return [a for a in book.json()["actions"] if a["func"] == "alert"]


def only_alert(book: xw.Book) -> tuple[str, str, str]:
    """(text, title, mode) of the one alert; nothing else was done to the book."""
    actions = book.json()["actions"]
    assert [a["func"] for a in actions] == ["alert"], [a["func"] for a in actions]
    text, title, _buttons, mode, _callback = actions[0]["args"]
    return text, title, mode


def fullname_as_desktop_engines(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    """``Book.fullname`` as xlwings' _xlwindows/_xlmac compute it for a URL FullName (no config sheet)."""
    def fullname(self: Any) -> str:
        return xlwings.utils.fullname_url_to_local_path(url=url, sheet_onedrive_consumer_config=None,
                                                        sheet_onedrive_commercial_config=None,
                                                        sheet_sharepoint_config=None)

    monkeypatch.setattr(_xlremote.Book, "fullname", property(fullname))


@ADDRESSES
def test_committee_paper_on_an_unsynced_workbook_says_use_the_web_add_in(
        book: xw.Book, monkeypatch: pytest.MonkeyPatch, clean_xlwings: list[str], url: str) -> None:
    fullname_as_desktop_engines(monkeypatch, url)
    with pytest.raises(Exception) as raised:  # what `except KpiExcelError` let through before
        book.fullname
    assert not isinstance(raised.value, KpiExcelError)
    kpi_excel_pack.main()
    text, title, mode = only_alert(book)
    assert text == UNSYNCED and title == "KPI Report: no paper written" and mode == "critical"
    assert "KPI Report add-in in Excel on the web" in text


def test_committee_paper_of_an_unsaved_workbook_says_save_it_first(book: xw.Book) -> None:
    kpi_excel_pack.main()  # the remote engine's fullname is the bare name, like an unsaved Book1
    text, title, _ = only_alert(book)
    assert text.startswith("save the workbook to a folder first") and title == "KPI Report: no paper written"


@ADDRESSES
def test_refresh_of_an_unsynced_workbook_runs_to_the_end(
        book: xw.Book, monkeypatch: pytest.MonkeyPatch, clean_xlwings: list[str], url: str) -> None:
    """The refresh does not need the workbook's folder: the address xlwings cannot map does not stop it."""
    fullname_as_desktop_engines(monkeypatch, url)
    desktop.refresh_button()
    [alert] = alerts(book)
    assert alert["args"][1] == "KPI Report" and alert["args"][0].startswith("Rated 30 indicators")


def refresh_failing_with(monkeypatch: pytest.MonkeyPatch, xlwings_call: Callable[[xw.Book], object]) -> None:
    """The refresh makes one xlwings call the engine refuses, before writing anything."""
    import kpi_excel.addin.book_door as book_door

    def refresh_book(book: xw.Book, **_: object) -> None:
        xlwings_call(book)

    monkeypatch.setattr(book_door, "refresh_book", refresh_book)


@pytest.mark.parametrize(("call", "expected"), [
    (lambda b: b.sheets["KPIs"].range("KpiTable").value,
     "Something the add-in looked for is not in this workbook: The address/named range 'KpiTable' doesn't exist. "
     "Check the sheet and range names against the template, then press Refresh KPIs again"),
    (lambda b: b.app.version, "This version of Excel cannot do part of what Refresh KPIs needs: App.version is "
                              "not supported on this engine"),
    (lambda b: b.sheets["No such sheet"], "Refresh KPIs stopped: ValueError: Sheet 'No such sheet' doesn't exist"),
], ids=["NoSuchObjectError", "NotImplementedError", "ValueError"])
def test_an_xlwings_error_in_a_refresh_is_one_alert_with_what_to_do(
        book: xw.Book, monkeypatch: pytest.MonkeyPatch, call: Callable[[xw.Book], object], expected: str) -> None:
    refresh_failing_with(monkeypatch, call)
    desktop.refresh_button()
    text, title, mode = only_alert(book)
    assert text.startswith(expected), text
    assert title == "KPI Report: the refresh did not finish" and mode == "critical"


def test_our_own_error_still_says_nothing_was_changed(tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Other"
    workbook.save(tmp_path / "x.xlsx")
    caller = xw.Book(json=book_payload(tmp_path / "x.xlsx"))
    caller.set_mock_caller()
    try:
        desktop.refresh_button()
    finally:
        del xw.Book._mock_caller  # type: ignore[attr-defined]
    text, title, _ = only_alert(caller)
    assert "no KPIs sheet" in text and title == "KPI Report: nothing was changed"


def test_a_refresh_that_works_is_one_summary(tmp_path: Path) -> None:
    caller = xw.Book(json=book_payload(write_example_workbook(tmp_path / "r.xlsx"), include=REFRESH_SHEETS))
    caller.set_mock_caller()
    try:
        desktop.refresh_button()
    finally:
        del xw.Book._mock_caller  # type: ignore[attr-defined]
    [alert] = alerts(caller)
    assert alert["args"][3] == "info" and alert["args"][0].startswith("Rated 30 indicators")


# ---- the words for errors that need desktop Excel to raise -------------------------------------

class com_error(Exception):  # noqa: N801 - named as pywin32's pywintypes.com_error, which is matched by name
    """pywin32's COM error carries (hresult, text, excepinfo, argerror); only Windows has the real one."""


def test_excel_busy_editing_a_cell_says_press_enter() -> None:
    error = com_error(-2147418111, "Call was rejected by callee.", None, None)
    assert failure_message(error, REFRESH) == (
        "Excel was busy: a cell is being edited or a dialog box is open. Press Enter or Esc (or close the "
        "dialog box), then press Refresh KPIs again.")


def test_other_xlwings_errors_name_the_button_and_what_to_do() -> None:
    assert failure_message(xw.LicenseError("No valid license key"), PAPER).startswith(
        "xlwings refused to run without a licence key (No valid license key). Send this message to your IT")
    assert failure_message(xw.XlwingsError("Excel did not answer"), PAPER) == (
        "xlwings, which connects the add-in to Excel, stopped: Excel did not answer. Press Committee paper again.")
    assert failure_message(xw.XlwingsError("Couldn't find your local OneDrive for Business file, see: x"),
                           PAPER) == UNSYNCED[0].upper() + UNSYNCED[1:] + "."


def test_an_unbound_local_is_unsynced_only_when_xlwings_raised_it() -> None:
    def ours() -> None:
        raise UnboundLocalError("cannot access local variable 'root'")

    with pytest.raises(UnboundLocalError) as raised:
        ours()
    assert failure_message(raised.value, REFRESH).startswith("Refresh KPIs stopped: UnboundLocalError")
