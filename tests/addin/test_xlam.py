"""The desktop add-in as built: a linked ribbon, and VBA that runs kpi_excel.main() (read with oletools).

``addin build`` checks the template by the SHA-256 of its VBA project; here oletools
reads that very VBA and checks every fact the hash stands for.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from oletools.olevba import VBA_Parser

import kpi_excel
import kpi_excel.addin.xlam as xlam
from kpi_excel.addin.cli_commands import addin
from kpi_excel.addin.desktop import refresh_button as main
from kpi_excel.addin.xlam import (
    ADDIN_NAME,
    PACK_ADDIN_NAME,
    BUILT_VBA_SHA256,
    PINNED_VBA_SHA256,
    PINNED_XLWINGS,
    RIBBON_NAMESPACE,
    TEMPLATE_PROJECT_NAME,
    AddinError,
    build_addins,
    build_xlam,
    inspect_xlam,
    template_path,
)


def vba_modules(xlam_file: Path) -> dict[str, str]:
    """Every VBA module's source, decompressed by oletools."""
    parser = VBA_Parser(str(xlam_file))
    try:
        assert parser.detect_vba_macros()
        return {vba_filename: code for _, _, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


def runs_module_main(ribbon_module: str) -> bool:
    """RunMain runs ``import <workbook name>; <workbook name>.main()``."""
    found = re.search(r"Sub RunMain\(control As IRibbonControl\)(.*?)End Sub", ribbon_module, re.S)
    if not found:
        return False
    body = re.sub(r"\s+", " ", found.group(1))
    takes_name = re.search(r'(\w+) = Left\(ThisWorkbook\.Name, \(InStrRev\(ThisWorkbook\.Name, "\."', body)
    if not takes_name:
        return False
    var = takes_name.group(1)
    return f'RunPython "import " & {var} & ";" & {var} & ".main()"' in body


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
    modules = vba_modules(built)
    ribbon = modules["RibbonMyAddin.bas"]
    assert "Sub RunMain(control As IRibbonControl)" in ribbon
    assert 'RunPython "import " & mymodule & ";" & mymodule & ".main()"' in ribbon
    assert "mymodule = Left(ThisWorkbook.Name" in ribbon
    assert runs_module_main(ribbon)
    assert f'XLWINGS_VERSION As String = "{PINNED_XLWINGS}"' in modules["xlwings.bas"]
    assert inspect_xlam(built).vba_is_pinned


def test_the_pinned_hash_stands_for_the_vba_we_rely_on() -> None:
    """The template's VBA has the pinned SHA-256, and that VBA says what install.py and RunMain rely on."""
    with zipfile.ZipFile(template_path()) as template:
        assert hashlib.sha256(template.read("xl/vbaProject.bin")).hexdigest() == PINNED_VBA_SHA256
    modules = vba_modules(template_path())
    assert f'PROJECT_NAME As String = "{TEMPLATE_PROJECT_NAME}"' in modules["xlwings.bas"]  # vba_edit changes it
    assert f'XLWINGS_VERSION As String = "{PINNED_XLWINGS}"' in modules["xlwings.bas"]
    assert runs_module_main(modules["RibbonMyAddin.bas"])
    # The config file install.py writes is the one this VBA reads.
    assert 'Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in modules["xlwings.bas"]
    assert 'GetMacDir("$HOME", False) & "/" & PROJECT_NAME & ".conf"' in modules["xlwings.bas"]
    assert 'GetConfig("INTERPRETER_WIN", "")' in modules["xlwings.bas"]
    assert 'GetConfig("INTERPRETER_MAC", "")' in modules["xlwings.bas"]


def test_runs_module_main_can_fail() -> None:
    assert not runs_module_main('Sub RunMain(control As IRibbonControl)\n    RunPython "import foo; foo.bar()"\nEnd Sub')


def _template_with(tmp_path: Path, vba: bytes | None) -> Path:
    """A copy of the template whose VBA project is ``vba`` (None: removed)."""
    copy = tmp_path / "template.xlam"
    with zipfile.ZipFile(template_path()) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == "xl/vbaProject.bin":
                if vba is None:
                    continue
                out.writestr(info, vba)
            else:
                out.writestr(info, source.read(info))
    return copy


@pytest.mark.parametrize("change", ["one byte", "no VBA"])
def test_refuses_a_template_whose_vba_is_not_the_verified_one(tmp_path: Path, monkeypatch, change: str) -> None:  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(template_path()) as template:
        vba = bytearray(template.read("xl/vbaProject.bin"))
    vba[len(vba) // 2] ^= 0x01
    monkeypatch.setattr(xlam, "template_path", lambda: _template_with(tmp_path, bytes(vba) if change == "one byte" else None))
    out = tmp_path / "out"
    expected = "different VBA project" if change == "one byte" else "has no VBA project"
    with pytest.raises(AddinError, match=f"{expected}.*pip install --force-reinstall xlwings=={PINNED_XLWINGS}"):
        build_xlam(out)
    assert not out.exists()


def test_a_failed_build_leaves_no_temporary_file_where_excel_looks(tmp_path: Path) -> None:
    """Excel opens every file in its start-up folder: a failed build must not leave one behind."""
    (tmp_path / ADDIN_NAME).mkdir()  # something in the way that cannot be replaced by a file
    with pytest.raises(OSError):
        build_xlam(tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == [ADDIN_NAME]


def test_build_needs_only_the_runtime_dependencies(tmp_path: Path) -> None:
    """No oletools (a test dependency) or other extra at build time: they are blocked here."""
    blocked = ["oletools", "olefile", "pytest", "hypothesis", "httpx", "xlsxwriter", "sqlalchemy", "uvicorn",
               "xlwings_server", "fastapi"]
    code = (f"import sys; sys.modules.update(dict.fromkeys({blocked!r})); "
            "from kpi_excel.cli import main; main(['addin', 'build', sys.argv[1]])")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert inspect_xlam(tmp_path / ADDIN_NAME).tab_labels == ["KPI Report"]


def test_everything_but_the_ribbon_and_the_vba_is_byte_identical(built: Path) -> None:
    """The VBA project's own changes are checked stream by stream in test_vba_edit.py."""
    with zipfile.ZipFile(template_path()) as template, zipfile.ZipFile(built) as ours:
        assert template.namelist() == ours.namelist()
        changed = [n for n in template.namelist() if template.read(n) != ours.read(n)]
    assert sorted(changed) == ["customUI/customUI.xml", "xl/vbaProject.bin"]
    assert inspect_xlam(built).vba_sha256 == BUILT_VBA_SHA256


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
    assert callable(module.main) and module.main.__name__ == "paper_button"
    report = inspect_xlam(pack)
    assert report.vba_is_pinned  # the very VBA whose RunMain imports the file's own name
    assert runs_module_main(vba_modules(pack)["RibbonMyAddin.bas"])
    [button] = report.buttons
    assert button["label"] == "Committee paper" and button["onAction"] == "RibbonMyAddin.RunMain"


def test_both_addins_carry_the_same_vba_and_share_one_tab(both: list[Path]) -> None:
    with zipfile.ZipFile(template_path()) as template:
        for path in both:
            with zipfile.ZipFile(path) as ours:
                assert hashlib.sha256(ours.read("xl/vbaProject.bin")).hexdigest() == BUILT_VBA_SHA256
                changed = [n for n in template.namelist() if template.read(n) != ours.read(n)]
                assert sorted(changed) == ["customUI/customUI.xml", "xl/vbaProject.bin"]
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
