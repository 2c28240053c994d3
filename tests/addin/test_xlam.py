"""The desktop add-in as built: a linked ribbon, and VBA that runs kpi_excel.main() (read with oletools)."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser

import kpi_excel
from kpi_excel.addin.cli_commands import addin
from kpi_excel.addin.desktop import main
from kpi_excel.addin.xlam import (
    ADDIN_NAME,
    PACK_ADDIN_NAME,
    PINNED_XLWINGS,
    RIBBON_NAMESPACE,
    AddinError,
    build_addins,
    build_xlam,
    inspect_xlam,
    template_path,
)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_xlam(tmp_path_factory.mktemp("addin"))


def test_named_so_that_runmain_imports_kpi_excel(built: Path) -> None:
    assert built.name == ADDIN_NAME == "kpi_excel.xlam"
    # The VBA imports the workbook's name without its extension.
    assert built.stem == kpi_excel.__name__


def test_ribbon_is_linked_and_says_kpi_report(built: Path) -> None:
    report = inspect_xlam(built)
    assert report.customui_linked and report.content_type_ok
    assert report.tab_labels == ["KPI Report"]
    [button] = report.buttons
    assert button["label"] == "Refresh KPIs" and button["size"] == "large"
    assert button["imageMso"] and button["screentip"] and len(button["supertip"]) > 40
    assert button["onAction"] == "RibbonMyAddin.RunMain"


def test_vba_macro_calls_runpython_into_kpi_excel_main(built: Path) -> None:
    parser = VBA_Parser(str(built))
    try:
        assert parser.detect_vba_macros()
        modules = {vba_filename: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()
    ribbon = modules["RibbonMyAddin.bas"]
    assert "Sub RunMain(control As IRibbonControl)" in ribbon
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in ribbon
    assert "mymodule = Left(ThisWorkbook.Name" in ribbon
    assert f'XLWINGS_VERSION As String = "{PINNED_XLWINGS}"' in modules["xlwings.bas"]
    report = inspect_xlam(built)
    assert report.vba is not None and report.vba.runs_module_main


def test_everything_but_the_ribbon_is_byte_identical(built: Path) -> None:
    with zipfile.ZipFile(template_path()) as template, zipfile.ZipFile(built) as ours:
        assert template.namelist() == ours.namelist()
        changed = [n for n in template.namelist() if template.read(n) != ours.read(n)]
    assert changed == ["customUI/customUI.xml"]


def test_refuses_a_different_xlwings(tmp_path: Path) -> None:
    with pytest.raises(AddinError, match=f"pinned to xlwings {PINNED_XLWINGS}.*0.99.0 is installed"):
        build_xlam(tmp_path, installed="0.99.0")
    assert not (tmp_path / ADDIN_NAME).exists()


def test_main_is_the_desktop_entry() -> None:
    assert callable(main)


def test_kpi_excel_main_is_reexported() -> None:
    assert kpi_excel.main is main  # type: ignore[attr-defined]


def test_cli_build(tmp_path: Path) -> None:
    result = CliRunner().invoke(addin, ["build", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / ADDIN_NAME).is_file() and (tmp_path / "out" / PACK_ADDIN_NAME).is_file()
    assert 'Ribbon tab "KPI Report": Refresh KPIs' in result.output
    assert 'Ribbon tab "KPI Report": Committee paper' in result.output


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return build_addins(tmp_path_factory.mktemp("both"))


def test_the_pack_addin_runs_a_module_of_its_own_name(both: list[Path]) -> None:
    import importlib

    pack = both[1]
    assert pack.name == PACK_ADDIN_NAME
    module = importlib.import_module(pack.stem)  # what RunMain imports: the file's name without .xlam
    assert callable(module.main) and module.main.__name__ == "pack_main"
    report = inspect_xlam(pack)
    assert report.vba is not None and report.vba.runs_module_main
    [button] = report.buttons
    assert button["label"] == "Committee paper" and button["onAction"] == "RibbonMyAddin.RunMain"


def test_both_addins_keep_the_vba_byte_for_byte_and_share_one_tab(both: list[Path]) -> None:
    with zipfile.ZipFile(template_path()) as template:
        vba = template.read("xl/vbaProject.bin")
        for path in both:
            with zipfile.ZipFile(path) as ours:
                assert ours.read("xl/vbaProject.bin") == vba
                changed = [n for n in template.namelist() if template.read(n) != ours.read(n)]
                assert changed == ["customUI/customUI.xml"]
    reports = [inspect_xlam(path) for path in both]
    # Qualified ids in one namespace: Excel merges the two ribbons into one tab and group.
    assert [r.tab_ids for r in reports] == [["kpi:kpiExcelTab"], ["kpi:kpiExcelTab"]]
    assert all(r.namespaces["kpi"] == RIBBON_NAMESPACE and r.tab_labels == ["KPI Report"] for r in reports)
    groups = []
    for path in both:
        with zipfile.ZipFile(path) as ours:
            ui = ours.read("customUI/customUI.xml").decode()
        groups.append(re.search(r'<group idQ="([^"]+)"', ui).group(1))
    assert groups == ["kpi:kpiExcelGroup", "kpi:kpiExcelGroup"]
    assert {b["id"] for r in reports for b in r.buttons} == {"kpiExcelRefresh", "kpiExcelPack"}


def test_the_desktop_paper_goes_beside_the_saved_workbook(tmp_path: Path) -> None:
    from kpi_excel.addin.desktop import paper_path, saved_workbook
    from kpi_excel.errors import PaperError

    workbook = tmp_path / "Q2 report.xlsx"
    workbook.write_bytes(b"x")
    assert saved_workbook(str(workbook)) == workbook
    assert paper_path(workbook) == tmp_path / "Q2 report - committee paper.docx"
    with pytest.raises(PaperError, match="SharePoint or OneDrive"):
        saved_workbook("https://council.sharepoint.com/sites/perf/Shared Documents/report.xlsx")
    with pytest.raises(PaperError, match="save the workbook to a folder first"):
        saved_workbook("Book1")
