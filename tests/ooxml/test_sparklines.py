"""Native sparklines: ours added and replaced, an officer's own (saved by real Excel) never touched."""

from __future__ import annotations

import copy
import datetime as dt
import re
from pathlib import Path

from lxml import etree

from kpi_excel.app.report_files import new_report, refresh_report
from kpi_excel.ooxml import SparklineGroup, XlsxPackage, column_letter
from kpi_excel.ooxml.sparklines import group_signature, sparkline_groups
from kpi_excel.ooxml.xmlutil import NS
from tests.example_facts import EXAMPLE_INDICATORS

from .helpers import EXCEL_MADE, writable_copy, zip_parts

FIXTURE = EXCEL_MADE / "cxml_Other__Sparklines__SparklineThemes__inputfile.xlsx"
XM = NS["xm"]


def groups_of(path: Path, sheet: str) -> list[etree._Element]:
    package = XlsxPackage.open(path)
    info = package.sheet(sheet)
    return sparkline_groups(package.opc.xml(info.part))


def text(group: etree._Element) -> bytes:
    return etree.tostring(group, method="c14n")


def cells(group: etree._Element) -> list[tuple[str, str]]:
    return [(s.findtext(f"{{{XM}}}sqref"), s.findtext(f"{{{XM}}}f")) for s in group.iter(f"{{{NS['x14']}}}sparkline")]


def test_ours_join_an_officers_sheet_and_leave_without_touching_theirs(tmp_path: Path) -> None:
    work = writable_copy(FIXTURE, tmp_path)
    theirs = [text(g) for g in groups_of(work, "Accent")]
    assert len(theirs) == 6  # Excel's own, one per row
    package = XlsxPackage.open(work)
    change = package.set_managed_sparklines("Accent", [SparklineGroup([("H2", "Accent!C2:G2"), ("H3", "Accent!C3:G3")])])
    assert (change.removed, change.added) == (0, 1)
    package.save()
    after = groups_of(work, "Accent")
    assert [text(g) for g in after[:6]] == theirs
    assert cells(after[6]) == [("H2", "Accent!C2:G2"), ("H3", "Accent!C3:G3")]
    assert after[6].get("last") == "1" and after[6].get("displayEmptyCellsAs") == "gap"
    # Again with other cells: ours replaced, not stacked.
    package = XlsxPackage.open(work)
    assert package.set_managed_sparklines("Accent", [SparklineGroup([("H4", "Accent!C4:G4")])]).removed == 1
    package.save()
    after = groups_of(work, "Accent")
    assert len(after) == 7 and cells(after[6]) == [("H4", "Accent!C4:G4")]
    # None at all: only ours go, and every other part of the file is as Excel saved it.
    package = XlsxPackage.open(work)
    package.set_managed_sparklines("Accent", [])
    package.save()
    assert [text(g) for g in groups_of(work, "Accent")] == theirs
    original, final = zip_parts(FIXTURE), zip_parts(work)
    for name, data in original.items():
        if not name.startswith(("xl/worksheets/sheet", "customXml", "[Content_Types]", "xl/_rels", "docProps")):
            assert final[name] == data, name


def test_an_identical_looking_group_elsewhere_is_the_officers(tmp_path: Path) -> None:
    work = writable_copy(FIXTURE, tmp_path)
    package = XlsxPackage.open(work)
    package.set_managed_sparklines("Dark", [SparklineGroup([("H2", "Dark!C2:G2")])])
    package.save()
    # The officer copies our look to other cells (Excel keeps the group's attributes and colours).
    package = XlsxPackage.open(work)
    root = package.opc.xml(package.sheet("Dark").part)
    ours = sparkline_groups(root)[-1]
    twin = copy.deepcopy(ours)
    twin.find(f".//{{{XM}}}sqref").text = "J9"
    twin.find(f".//{{{XM}}}f").text = "Dark!C3:G3"
    ours.addnext(twin)
    assert group_signature(twin) == group_signature(ours)
    package.opc.mark_dirty(package.sheet("Dark").part)
    package.save()
    package = XlsxPackage.open(work)
    package.set_managed_sparklines("Dark", [])
    package.save()
    left = groups_of(work, "Dark")
    assert [cells(g) for g in left][-1] == [("J9", "Dark!C3:G3")]  # theirs stays; ours went


def test_refresh_draws_one_sparkline_per_indicator_and_a_second_refresh_changes_nothing(tmp_path: Path) -> None:
    report = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30))
    [ours] = groups_of(report, "KPIs")
    located = cells(ours)
    assert len(located) == EXAMPLE_INDICATORS  # every indicator of the example has a history
    package = XlsxPackage.open(report)
    values = package.read_sheet("KPIs")
    history_col = next(c for c in range(1, 60) if values.value(1, c) == "History")
    letter = located[0][0].rstrip("0123456789")
    assert letter == column_letter(history_col)  # in the History column
    assert all(f.startswith("'KPI history'!") for _, f in located)
    history = package.read_sheet("KPI history")
    first_location, first_source = located[0]
    row = int(first_source.rsplit("!", 1)[1].split(":")[0].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
    assert history.value(row, 2) == values.value(int(first_location[len(letter):]), 4)  # same indicator code
    before = text(ours)
    refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 45))
    [again] = groups_of(report, "KPIs")
    assert text(again) == before


def test_an_officers_sparklines_on_the_kpis_sheet_survive_refreshes(tmp_path: Path) -> None:
    report = new_report(tmp_path / "report.xlsx", example=True)
    refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30))
    # The officer adds a sparkline group of their own to the KPIs sheet, the way Excel writes one.
    excel_group = copy.deepcopy(groups_of(FIXTURE, "Accent")[0])
    excel_group.find(f".//{{{XM}}}f").text = "Data!C2:C5"
    excel_group.find(f".//{{{XM}}}sqref").text = "AZ2"
    package = XlsxPackage.open(report)
    part = package.sheet("KPIs").part
    sparkline_groups(package.opc.xml(part))[0].addprevious(excel_group)
    package.opc.mark_dirty(part)
    package.save()
    theirs = text(groups_of(report, "KPIs")[0])
    for minute in (40, 50):
        refresh_report(report, now=dt.datetime(2026, 11, 23, 9, minute))
    groups = groups_of(report, "KPIs")
    assert len(groups) == 2 and text(groups[0]) == theirs
    assert len(cells(groups[1])) == EXAMPLE_INDICATORS


def test_the_history_window_follows_the_settings(tmp_path: Path) -> None:
    report = new_report(tmp_path / "report.xlsx", example=True)
    package = XlsxPackage.open(report)
    settings = package.read_sheet("Settings")
    row = next(r for r in range(1, 40) if settings.value(r, 1) == "History periods")
    package.set_cells("Settings", {(row, 2): "4"})
    package.save()
    refresh_report(report, now=dt.datetime(2026, 11, 23, 9, 30))
    history = XlsxPackage.open(report).read_sheet("KPI history")
    header = [history.value(4, c) for c in range(1, 20)]
    assert header[6:14] == ["Period 1", "Period 2", "Period 3", "Period 4", "Value 1", "Value 2", "Value 3", "Value 4"]
    [ours] = groups_of(report, "KPIs")
    assert all(re.search(r"!K(\d+):N\1$", f) for _, f in cells(ours))  # Value 1..4 are columns K to N


def test_ours_are_replaced_as_removing_them_whole_would_leave_the_sheet() -> None:
    """Our group is emptied before it is removed (much cheaper for 10,000 sparklines) and its
    cells read once when they are where they were: the sheet saves as a plain remove leaves it,
    whitespace between groups and an officer's group with a reference that cannot be read too."""
    from kpi_excel.ooxml import sparklines

    def sheet() -> etree._Element:
        root = etree.fromstring(f'<worksheet xmlns="{NS["main"]}"><sheetData/></worksheet>')
        theirs = SparklineGroup([("B2", "Data!A1:C1"), ("not-a-cell", "Data!A2:C2")], colour="00FF00")
        for group in (theirs, SparklineGroup([(f"C{r}", f"Data!A{r}:C{r}") for r in range(2, 40)]), theirs):
            element = sparklines.add_sparkline_group(root, group)
            assert element is not None
            element.tail = "\n  "
        return root

    recorded = [(group_signature(g), sparklines.group_sqref(g)) for g in sparkline_groups(sheet())]
    for wanted in (recorded[1:2], recorded, [(recorded[1][0], "C5 D7")]):
        emptied, whole = sheet(), sheet()
        removed = sparklines.remove_groups_by_signature(emptied, wanted)
        for group in sparkline_groups(whole):  # the plain way: each match removed as it is
            if any(sig == group_signature(group) and sparklines.sqrefs_overlap(sparklines.group_sqref(group), place)
                   for sig, place in wanted):
                group.getparent().remove(group)
                removed -= 1
        assert removed == 0
        assert etree.tostring(emptied) == etree.tostring(whole)
