"""Build ``kpi_excel.xlam``, the desktop ribbon add-in, from xlwings' own one.

xlwings ships ``quickstart_addin_ribbon.xlam`` (BSD-3): a ribbon button calls
the VBA macro ``RibbonMyAddin.RunMain``, which runs
``import <add-in name>; <add-in name>.main()`` through ``RunPython``. Saved as
``kpi_excel.xlam`` it therefore runs :func:`kpi_excel.main`.

The build copies every part of that file byte for byte except two: it
replaces ``customUI/customUI.xml`` (a "KPI Report" tab with a large "Refresh
KPIs" button), and in the VBA project it changes two constants of the
``xlwings`` module's source (:mod:`kpi_excel.addin.vba_edit`: the config file
is ``kpi_excel.conf``, and RunPython no longer puts the workbook's folder on
``sys.path``); every other stream of the VBA project stays as xlwings made it.
A second add-in, ``kpi_excel_pack.xlam``, is the same file under another name
with a "Committee paper" button; both ribbons name their tab and group with
the same qualified ids (``idQ``), so Excel shows one "KPI Report" tab holding
both buttons.

Before writing anything it checks that the template's VBA project is, byte for
byte, the one this module was verified against: xlwings is pinned to one
version, so its ``xl/vbaProject.bin`` has one SHA-256 (the same in the
Windows, macOS and Linux wheels). The tests read that VBA with oletools and
check what the add-in relies on (``RunMain`` runs ``import <add-in name>;
<add-in name>.main()``, ``PROJECT_NAME`` is ``myaddin`` before our edit,
``XLWINGS_VERSION`` is the pinned one), so the hash stands for all of it and
``addin build`` needs no VBA parser at run time. If the template differs, the
build stops and says so instead of shipping a button that calls nothing. The
VBA project it writes has a pinned SHA-256 too (:data:`BUILT_VBA_SHA256`).
"""

from __future__ import annotations

import hashlib
import zipfile
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from xml.sax.saxutils import quoteattr

from lxml import etree

from kpi_excel.addin.cfb import CfbError
from kpi_excel.addin.ovba import OvbaError
from kpi_excel.addin.vba_edit import TEMPLATE_PROJECT_NAME, VBA_PROJECT_NAME, VbaEditError, edited_vba_project

__all__ = [
    "ADDIN_NAME",
    "PACK_ADDIN_NAME",
    "PACK_RIBBON",
    "ADDINS",
    "RIBBON_NAMESPACE",
    "build_addins",
    "PINNED_XLWINGS",
    "RIBBON",
    "PINNED_VBA_SHA256",
    "BUILT_VBA_SHA256",
    "VBA_PROJECT_NAME",
    "TEMPLATE_PROJECT_NAME",
    "AddinError",
    "XlamReport",
    "template_path",
    "vba_sha256",
    "check_template",
    "customui_xml",
    "build_xlam",
    "inspect_xlam",
]

ADDIN_NAME = "kpi_excel.xlam"
# The xlwings version whose VBA (RunPython, AppleScript file name, DLL name)
# this add-in carries. The Python side must be the same version or RunPython
# calls into a different protocol.
PINNED_XLWINGS = "0.37.8"
# SHA-256 of xl/vbaProject.bin in xlwings 0.37.8's quickstart_addin_ribbon.xlam.
# tests/addin/test_xlam.py reads that VBA with oletools and checks every fact
# this module relies on; change the two together when moving xlwings.
PINNED_VBA_SHA256 = "9ded1310d3aae007bd3fdb483091626ae0550294a41188c15cb24ffe993117ac"
# SHA-256 of the xl/vbaProject.bin build_xlam writes: the pinned one with vba_edit's EDITS made.
BUILT_VBA_SHA256 = "13b116590b994f5a8a4c93b64bd170fb4d0935d3187570332069731833993ce0"
VBA_PART = "xl/vbaProject.bin"

CUSTOMUI_NS = "http://schemas.microsoft.com/office/2006/01/customui"
UI_REL_TYPE = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


@dataclass(frozen=True)
class RibbonButton:
    """What the officer sees: label, icon (an Office built-in image) and tips."""

    id: str
    label: str
    image_mso: str
    screentip: str
    supertip: str
    on_action: str = "RibbonMyAddin.RunMain"


@dataclass(frozen=True)
class Ribbon:
    tab_id: str
    tab_label: str
    group_id: str
    group_label: str
    buttons: tuple[RibbonButton, ...]
    # With a namespace the tab and group get qualified ids (idQ): every add-in whose
    # customUI names the same namespace and ids adds its buttons to the one shared
    # tab and group (MS-CUSTOMUI 2.3.9, ST_QID) instead of making a tab of its own.
    namespace: str = ""


RIBBON_NAMESPACE = "urn:kpi-excel:ribbon"

RIBBON = Ribbon(
    namespace=RIBBON_NAMESPACE,
    tab_id="kpiExcelTab",
    tab_label="KPI Report",
    group_id="kpiExcelGroup",
    group_label="Performance report",
    buttons=(
        RibbonButton(
            id="kpiExcelRefresh",
            label="Refresh KPIs",
            image_mso="RefreshAll",
            screentip="Refresh KPIs",
            supertip=(
                "Works out the latest values, trend, direction, RAG rating and benchmarks for every "
                "indicator on the KPIs sheet of the workbook you are in, from its Data and Settings "
                "sheets, and adds a line to the Log sheet. Only the computed columns are written: "
                "your own columns, comments and targets are left as they are."
            ),
        ),
    ),
)


# The second add-in: the same xlwings VBA, saved under another name, so its RunMain
# runs ``import kpi_excel_pack; kpi_excel_pack.main()`` (the committee paper), and
# its button joins the same "KPI Report" tab and group. Two files keep both
# vbaProject.bin parts byte for byte as xlwings made them.
PACK_ADDIN_NAME = "kpi_excel_pack.xlam"
PACK_RIBBON = Ribbon(
    namespace=RIBBON_NAMESPACE,
    tab_id=RIBBON.tab_id,
    tab_label=RIBBON.tab_label,
    group_id=RIBBON.group_id,
    group_label=RIBBON.group_label,
    buttons=(
        RibbonButton(
            id="kpiExcelPack",
            label="Committee paper",
            image_mso="ExportWord",
            screentip="Committee paper",
            supertip=(
                "Writes the committee paper for the saved workbook as a Word document beside it: the summary "
                "in sentences, the exceptions, the table as published and a chart of each indicator's history. "
                "Refresh and save first: the paper is made from the saved file."
            ),
        ),
    ),
)
ADDINS = ((ADDIN_NAME, RIBBON), (PACK_ADDIN_NAME, PACK_RIBBON))


class AddinError(RuntimeError):
    """The add-in cannot be built or installed; the message says why and what to do."""


@dataclass
class XlamReport:
    """What a built (or any) .xlam holds, for tests and ``addin build`` output."""

    path: Path
    customui_part: str | None = None
    customui_linked: bool = False
    tab_labels: list[str] = field(default_factory=list)
    buttons: list[dict[str, str]] = field(default_factory=list)
    vba_sha256: str | None = None  # of xl/vbaProject.bin; None when there is no VBA project
    content_type_ok: bool = False
    tab_ids: list[str] = field(default_factory=list)  # "kpi:kpiExcelTab" when shared through idQ
    namespaces: dict[str | None, str] = field(default_factory=dict)

    @property
    def vba_is_pinned(self) -> bool:
        """True when the VBA project is exactly the one ``build_xlam`` writes (pinned xlwings' VBA, our edits)."""
        return self.vba_sha256 == BUILT_VBA_SHA256


def template_path() -> Path:
    """The ribbon quickstart add-in inside the installed xlwings package."""
    path = Path(str(resources.files("xlwings") / "quickstart_addin_ribbon.xlam"))
    if not path.is_file():
        raise AddinError(f"xlwings' ribbon add-in template is missing from the installed package: {path}")
    return path


def installed_xlwings() -> str:
    from importlib.metadata import version

    return version("xlwings")


def vba_sha256(package: zipfile.ZipFile) -> str | None:
    """SHA-256 of the package's VBA project (None when it has none)."""
    if VBA_PART not in package.namelist():
        return None
    return hashlib.sha256(package.read(VBA_PART)).hexdigest()


def check_template(template: zipfile.ZipFile, *, installed: str | None = None) -> None:
    """Refuse to build unless xlwings and the template's VBA are the verified ones."""
    installed = installed or installed_xlwings()
    if installed != PINNED_XLWINGS:
        raise AddinError(
            f"kpi_excel's add-in is pinned to xlwings {PINNED_XLWINGS}, but xlwings {installed} is installed. "
            f"Install the pinned version (pip install xlwings=={PINNED_XLWINGS}) so the add-in's VBA and the "
            "Python side speak the same protocol."
        )
    found = vba_sha256(template)
    if found != PINNED_VBA_SHA256:
        what = "has no VBA project" if found is None else f"has a different VBA project (SHA-256 {found[:12]}…)"
        raise AddinError(
            f"xlwings' ribbon add-in template {what}, not the one kpi_excel checked for xlwings {PINNED_XLWINGS}; "
            f"its button might not call kpi_excel. Reinstall xlwings: "
            f"pip install --force-reinstall xlwings=={PINNED_XLWINGS}"
        )


def customui_xml(ribbon: Ribbon = RIBBON) -> bytes:
    """The ribbon (customUI 2006 schema, which Excel 2007 and later read)."""
    buttons = "\n".join(
        f"          <button id={quoteattr(b.id)} label={quoteattr(b.label)} size=\"large\"\n"
        f"                  imageMso={quoteattr(b.image_mso)} onAction={quoteattr(b.on_action)}\n"
        f"                  screentip={quoteattr(b.screentip)}\n"
        f"                  supertip={quoteattr(b.supertip)} />"
        for b in ribbon.buttons
    )
    if ribbon.namespace:
        declare = f" xmlns:kpi={quoteattr(ribbon.namespace)}"
        tab_id, group_id = f"idQ={quoteattr('kpi:' + ribbon.tab_id)}", f"idQ={quoteattr('kpi:' + ribbon.group_id)}"
    else:
        declare, tab_id, group_id = "", f"id={quoteattr(ribbon.tab_id)}", f"id={quoteattr(ribbon.group_id)}"
    text = (
        f'<customUI xmlns="{CUSTOMUI_NS}"{declare}>\n'
        "  <ribbon>\n"
        "    <tabs>\n"
        f"      <tab {tab_id} label={quoteattr(ribbon.tab_label)}>\n"
        f"        <group {group_id} label={quoteattr(ribbon.group_label)}>\n"
        f"{buttons}\n"
        "        </group>\n"
        "      </tab>\n"
        "    </tabs>\n"
        "  </ribbon>\n"
        "</customUI>\n"
    )
    return text.encode("utf-8")


def _customui_part(package: zipfile.ZipFile) -> str | None:
    """The part the package relationships link as the ribbon (None if unlinked)."""
    try:
        rels = etree.fromstring(package.read("_rels/.rels"))
    except KeyError:
        return None
    for rel in rels.iter(f"{{{PKG_REL_NS}}}Relationship"):
        if rel.get("Type") == UI_REL_TYPE:
            return rel.get("Target", "").lstrip("/")
    return None


def build_addins(directory: Path | str, *, installed: str | None = None) -> list[Path]:
    """Write both add-ins (Refresh KPIs, and the committee paper) into ``directory``."""
    return [build_xlam(directory, ribbon=ribbon, name=name, installed=installed) for name, ribbon in ADDINS]


def build_xlam(directory: Path | str, *, ribbon: Ribbon = RIBBON, name: str = ADDIN_NAME,
               installed: str | None = None) -> Path:
    """Write the add-in ``name`` (``kpi_excel.xlam``) into ``directory`` and return its path.

    Raises :class:`AddinError` when xlwings is not the pinned version or the
    template's VBA is not what we rely on.
    """
    source = template_path()
    directory = Path(directory)
    target = directory / name
    with zipfile.ZipFile(source) as template:
        check_template(template, installed=installed)
        directory.mkdir(parents=True, exist_ok=True)
        part = _customui_part(template)
        if part is None or part not in template.namelist():
            raise AddinError("The template add-in has no ribbon (customUI) part linked from _rels/.rels.")
        try:
            vba = edited_vba_project(template.read(VBA_PART))
        except (CfbError, OvbaError, VbaEditError) as error:  # cannot happen with the pinned template
            raise AddinError(f"Could not make kpi_excel's changes to xlwings' VBA: {error}") from None
        replaced = {part: customui_xml(ribbon), VBA_PART: vba}
        # Excel opens every file in its start-up folder: the temporary name must not
        # survive a failure there (Excel holding the old add-in open on Windows, a full disk).
        tmp = target.with_name(f".{name}.kpi-excel.tmp")
        try:
            with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as out:
                for info in template.infolist():
                    data = replaced[info.filename] if info.filename in replaced else template.read(info)
                    copy = zipfile.ZipInfo(info.filename, date_time=info.date_time)
                    copy.compress_type = zipfile.ZIP_DEFLATED
                    copy.external_attr = info.external_attr
                    out.writestr(copy, data)
            tmp.replace(target)  # never leave a half-written add-in where Excel loads it
        finally:
            tmp.unlink(missing_ok=True)
    return target


def inspect_xlam(path: Path | str) -> XlamReport:
    """Read back what an .xlam holds: its linked ribbon, buttons and the hash of its VBA project."""
    path = Path(path)
    report = XlamReport(path)
    with zipfile.ZipFile(path) as package:
        part = _customui_part(package)
        report.customui_part = part
        names = package.namelist()
        report.customui_linked = part is not None and part in names
        types = etree.fromstring(package.read("[Content_Types].xml"))
        defaults = {d.get("Extension", "").lower(): d.get("ContentType") for d in types.iter(f"{{{CT_NS}}}Default")}
        overrides = {o.get("PartName"): o.get("ContentType") for o in types.iter(f"{{{CT_NS}}}Override")}
        if report.customui_linked:
            assert part is not None
            ctype = overrides.get("/" + part) or defaults.get(part.rsplit(".", 1)[-1].lower())
            report.content_type_ok = ctype in ("application/xml", "text/xml")
            ui = etree.fromstring(package.read(part))
            ns = {"ui": ui.nsmap.get(None, CUSTOMUI_NS)}
            report.tab_labels = [t.get("label", "") for t in ui.iterfind(".//ui:tab", ns)]
            report.tab_ids = [t.get("idQ") or t.get("id", "") for t in ui.iterfind(".//ui:tab", ns)]
            report.namespaces = dict(ui.nsmap)
            report.buttons = [dict(b.attrib) for b in ui.iterfind(".//ui:button", ns)]
        report.vba_sha256 = vba_sha256(package)
    return report
