"""Our edit of xlwings' VBA project, checked with readers that are not ours (olefile, oletools).

kpi_excel.addin.cfb and .ovba rewrite one stream of ``xl/vbaProject.bin``;
here the template's compound file round-trips byte for byte, every stream but
the edited module stays byte for byte, oletools' own decompressor reads what
we compress, and the facts that make Excel run the edited source (the module
has no compiled p-code before it, the project has no cache) are read from the
template's ``dir`` and ``_VBA_PROJECT`` streams.
"""

from __future__ import annotations

import difflib
import os
import struct
import zipfile
from pathlib import Path, PureWindowsPath

import olefile
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from oletools.olevba import VBA_Parser, decompress_stream

from kpi_excel.addin import cfb, ovba
from kpi_excel.addin.install import plan_install
from kpi_excel.addin.vba_edit import EDITS, MODULE, VbaEditError, edited_source, edited_vba_project
from kpi_excel.addin.xlam import VBA_PART, build_xlam, template_path


@pytest.fixture(scope="module")
def template_vba() -> bytes:
    with zipfile.ZipFile(template_path()) as template:
        return template.read(VBA_PART)


@pytest.fixture(scope="module")
def edited(template_vba: bytes) -> bytes:
    return edited_vba_project(template_vba)


def streams(data: bytes) -> dict[str, bytes]:
    """Every stream, read by olefile (strict about defects)."""
    ole = olefile.OleFileIO(data, raise_defects=olefile.DEFECT_POTENTIAL)
    try:
        return {"/".join(path): ole.openstream(path).read() for path in ole.listdir()}
    finally:
        ole.close()


def oletools_decompress(data: bytes) -> bytes:
    return bytes(decompress_stream(bytearray(data)))


# ---- the compound file ------------------------------------------------------------------------

def test_the_template_round_trips_byte_for_byte(template_vba: bytes) -> None:
    """Read and written again unchanged, xlwings' vbaProject.bin is the same bytes: the layout is the original's."""
    assert cfb.write(cfb.read(template_vba)) == template_vba


def test_only_the_edited_module_differs(template_vba: bytes, edited: bytes) -> None:
    before, after = streams(template_vba), streams(edited)
    assert list(before) == list(after)
    assert [name for name in before if before[name] != after[name]] == [MODULE]
    old, new = cfb.read(template_vba), cfb.read(edited)
    same = [(e.name, e.kind, e.color, e.left, e.right, e.child, e.clsid, e.state, e.times) for e in old.entries]
    assert same == [(e.name, e.kind, e.color, e.left, e.right, e.child, e.clsid, e.state, e.times)
                    for e in new.entries]


def test_a_stream_that_grows_past_the_mini_stream_is_laid_out_in_sectors(template_vba: bytes) -> None:
    compound = cfb.read(template_vba)
    index = compound.find("PROJECTwm")
    compound.streams[index] = os.urandom(9000)  # was 161 bytes, in the mini stream
    written = cfb.write(compound)
    assert streams(written)["PROJECTwm"] == compound.streams[index]
    assert {k: v for k, v in streams(written).items() if k != "PROJECTwm"} == {
        k: v for k, v in streams(template_vba).items() if k != "PROJECTwm"}


# ---- the compression ---------------------------------------------------------------------------

def test_our_decompressor_agrees_with_oletools_on_every_template_module(template_vba: bytes) -> None:
    compound = cfb.read(template_vba)
    for path in ("VBA/xlwings", "VBA/dir"):
        data = compound.streams[compound.find(path)]
        assert ovba.decompress(data) == oletools_decompress(data)


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=9, max_codepoint=126), max_size=12000))
def test_oletools_reads_what_we_compress(text: str) -> None:
    data = text.encode("ascii")
    packed = ovba.compress(data)
    assert oletools_decompress(packed) == data and ovba.decompress(packed) == data


@pytest.mark.parametrize("data", [b"", b"a", b"abc" * 3000, bytes(9000), os.urandom(4096), os.urandom(5000)],
                         ids=["empty", "one", "repeats", "zeros", "raw-chunk", "random-tail"])
def test_round_trips(data: bytes) -> None:
    assert oletools_decompress(ovba.compress(data)) == data


def test_a_last_chunk_that_cannot_be_compressed_is_refused() -> None:
    with pytest.raises(ovba.OvbaError, match="cannot be stored raw"):
        ovba.compress(os.urandom(4096 + 4000))


# ---- why Excel runs the edited source ------------------------------------------------------------

def dir_records(data: bytes) -> list[tuple[int, bytes]]:
    """The dir stream's records ([MS-OVBA] 2.3.4.2): id, then size, then data (PROJECTVERSION has 6 after it)."""
    out, at = [], 0
    while at < len(data):
        record, size = struct.unpack_from("<HI", data, at)
        size = 6 if record == 0x0009 else size
        out.append((record, data[at + 6:at + 6 + size]))
        at += 6 + size
    return out


def test_the_module_is_source_only_and_the_project_has_no_cache(template_vba: bytes) -> None:
    compound = cfb.read(template_vba)
    records = dir_records(ovba.decompress(compound.streams[compound.find("VBA/dir")]))
    offsets, name = {}, None
    for record, data in records:
        if record == 0x001A:  # MODULESTREAMNAME
            name = data.decode("latin-1")
        elif record == 0x0031:  # MODULEOFFSET: where the source starts, after any compiled p-code
            offsets[name] = struct.unpack("<I", data)[0]
    assert offsets["xlwings"] == 0
    # Reserved 0x61CC, version 0xFFFF (no Office's), then 3 bytes and no performance cache: compile from source.
    assert compound.streams[compound.find("VBA/_VBA_PROJECT")] == bytes.fromhex("cc61ffff000100")


# ---- what the edit changes ---------------------------------------------------------------------

def modules(xlam: Path) -> dict[str, str]:
    parser = VBA_Parser(str(xlam))
    try:
        return {name: code for _, _, name, code in parser.extract_macros()}
    finally:
        parser.close()


def test_the_source_changes_only_by_the_edits(tmp_path: Path) -> None:
    ours, xlwings = modules(build_xlam(tmp_path)), modules(template_path())
    assert {k: v for k, v in ours.items() if k != "xlwings.bas"} == {
        k: v for k, v in xlwings.items() if k != "xlwings.bas"}
    diff = [line for line in difflib.unified_diff(xlwings["xlwings.bas"].splitlines(),
                                                  ours["xlwings.bas"].splitlines(), lineterm="", n=0)
            if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    removed = sorted(line[1:].strip() for line in diff if line.startswith("-"))
    added = sorted(line[1:].strip() for line in diff if line.startswith("+"))
    assert removed == sorted(old for old, _, count in EDITS for _ in range(count))
    assert added == sorted(new for _, new, count in EDITS for _ in range(count))


def test_the_edited_vba_reads_the_config_file_addin_install_writes(tmp_path: Path) -> None:
    code = modules(build_xlam(tmp_path))["xlwings.bas"]
    assert 'Public Const PROJECT_NAME As String = "kpi_excel"' in code
    assert 'GetConfigFilePath = Environ("USERPROFILE") & "\\." & PROJECT_NAME & "\\" & PROJECT_NAME & ".conf"' in code
    env = {"APPDATA": r"C:\Users\zoe\AppData\Roaming", "USERPROFILE": r"C:\Users\zoe"}
    conf = next(s for s in plan_install(platform="windows", env=env, interpreter="py.exe",
                                        path=PureWindowsPath).steps if s.kind == "conf")
    assert str(conf.target) == r"C:\Users\zoe" + "\\.kpi_excel\\kpi_excel.conf"


def test_a_template_without_a_line_to_edit_is_refused() -> None:
    with pytest.raises(VbaEditError, match="has 0 of 'Public Const PROJECT_NAME"):
        edited_source(b'Public Const PROJECT_NAME As String = "other"\r\n')


# ---- a third reader: LibreOffice imports the VBA into Basic ------------------------------------

def as_workbook(xlam: Path, target: Path) -> Path:
    """The add-in as a macro workbook (LibreOffice does not open add-ins): only the content type differs."""
    with zipfile.ZipFile(xlam) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"ms-excel.addin.macroEnabled.main+xml", b"ms-excel.sheet.macroEnabled.main+xml")
            out.writestr(info, data)
    return target


@pytest.mark.libreoffice
def test_libreoffice_reads_the_edited_source(tmp_path: Path) -> None:
    """LibreOffice's own compound-file and VBA readers find xlwings' modules with exactly our edits."""
    import html
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("LibreOffice (soffice) must be installed in CI")
        pytest.skip("LibreOffice is not installed")
    ours = as_workbook(build_xlam(tmp_path / "built"), tmp_path / "ours.xlsm")
    theirs = as_workbook(template_path(), tmp_path / "theirs.xlsm")
    result = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation=file://{tmp_path}/lo",
                             "--convert-to", "ods", "--outdir", str(tmp_path / "out"), str(ours), str(theirs)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr

    def basic(name: str) -> dict[str, str]:
        with zipfile.ZipFile(tmp_path / "out" / f"{name}.ods") as ods:
            return {n.rsplit("/", 1)[-1]: html.unescape(ods.read(n).decode("utf-8"))
                    for n in ods.namelist() if n.startswith("Basic/MyAddin/") and not n.endswith("script-lb.xml")}

    mine, xlwings = basic("ours"), basic("theirs")
    assert sorted(mine) == ["Dictionary.xml", "RibbonMyAddin.xml", "Sheet2.xml", "ThisWorkbook.xml", "xlwings.xml"]
    assert {k: v for k, v in mine.items() if k != "xlwings.xml"} == {
        k: v for k, v in xlwings.items() if k != "xlwings.xml"}
    edited = xlwings["xlwings.xml"]
    for old, new, _ in EDITS:
        edited = edited.replace(old, new)
    assert mine["xlwings.xml"] == edited != xlwings["xlwings.xml"]
