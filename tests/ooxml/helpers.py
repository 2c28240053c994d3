"""Shared helpers for the XLSX writer tests: fixture paths, copies, the element diff."""

from __future__ import annotations

import io
import os
import struct
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[2]


EXCEL_MADE = REPO_ROOT / "tests" / "fixtures" / "excel-made"  # see its README for sources and licences


def excel_made_files() -> list[Path]:
    """Every workbook in the excel-made corpus (tests/fixtures/excel-made)."""
    if not EXCEL_MADE.is_dir():
        return []
    return sorted(p for p in EXCEL_MADE.iterdir() if p.suffix.lower() in (".xlsx", ".xlsm", ".xlam"))


def writable_copy(src: Path, folder: Path, name: str | None = None) -> Path:
    """Copy a (read-only) fixture into ``folder`` and make the copy writable."""
    target = folder / (name or src.name)
    shutil.copyfile(src, target)
    os.chmod(target, 0o644)
    return target


def zip_parts(path: Path) -> dict[str, bytes]:
    """Every entry of a zip, by name."""
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


Signature = tuple[tuple[str, ...], tuple[tuple[str, str], ...], str]


def element_signatures(
    xml: bytes,
    *,
    drop_attrs: Callable[[etree._Element], set[str]] | None = None,
) -> Counter[Signature]:
    """Multiset of (tag path, attributes, text) of every element in an XML part.

    ``row`` and ``c`` carry their ``r`` in the path, so a cell's children are
    told apart from every other cell's. ``drop_attrs(el)`` names attributes to
    leave out for an element (used for the narrow, documented whitelist).
    """
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    root = etree.fromstring(xml, parser)
    found: Counter[Signature] = Counter()

    def walk(el: etree._Element, path: tuple[str, ...]) -> None:
        if not isinstance(el.tag, str):
            return
        token = el.tag
        if token.endswith("}row") or token.endswith("}c"):
            token = f"{token}[{el.get('r')}]"
        here = path + (token,)
        dropped = drop_attrs(el) if drop_attrs else set()
        attrs = tuple(sorted((k, v) for k, v in el.attrib.items() if k not in dropped))
        found[(here, attrs, (el.text or "").strip())] += 1
        for child in el:
            walk(child, here)

    walk(root, ())
    return found


def missing_signatures(
    before: bytes,
    after: bytes,
    *,
    ignore: Callable[[Signature], bool] = lambda sig: False,
    drop_attrs: Callable[[etree._Element], set[str]] | None = None,
) -> list[Signature]:
    """Signatures of ``before`` that ``after`` no longer has (beyond ``ignore``)."""
    old = element_signatures(before, drop_attrs=drop_attrs)
    new = element_signatures(after, drop_attrs=drop_attrs)
    lost = old - new
    return [sig for sig in lost.elements() if not ignore(sig)]


MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_CT = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WB_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'worksheet" Target="worksheets/sheet1.xml"/>{extra}</Relationships>'
)


def minimal_xlsx(
    sheet_body: str,
    *,
    workbook_extra: str = "",
    extra_parts: dict[str, bytes] | None = None,
    workbook_rels_extra: str = "",
    sheet_name: str = "Sheet1",
) -> bytes:
    """A hand-made one-sheet package; ``sheet_body`` goes inside ``<worksheet>``."""
    import io

    wb = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<workbook xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<sheets><sheet name="{sheet_name}" sheetId="1" r:id="rId1"/></sheets>{workbook_extra}</workbook>'
    )
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<worksheet xmlns="{MAIN_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f"{sheet_body}</worksheet>"
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CT)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", wb)
        archive.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(extra=workbook_rels_extra))
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
        for name, data in (extra_parts or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def check_integrity(path: Path) -> None:
    """Every content-type override and every internal relationship points at a part that exists,
    and every part has a content type."""
    import posixpath
    from urllib.parse import unquote

    parts = zip_parts(path)
    names = {n.lower() for n in parts}
    ct = etree.fromstring(parts["[Content_Types].xml"])
    ns = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    overrides = {el.get("PartName").lstrip("/").lower() for el in ct.iter(f"{ns}Override")}
    defaults = {el.get("Extension").lower() for el in ct.iter(f"{ns}Default")}
    dangling = sorted(o for o in overrides if o not in names)
    assert not dangling, f"content-type overrides without a part: {dangling}"
    for name in parts:
        if name == "[Content_Types].xml":
            continue
        ext = name.rsplit(".", 1)[-1].lower()
        assert name.lower() in overrides or ext in defaults, f"{name} has no content type"
    rns = "{http://schemas.openxmlformats.org/package/2006/relationships}"
    for name, data in parts.items():
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))
        for rel in etree.fromstring(data).iter(f"{rns}Relationship"):
            if rel.get("TargetMode") == "External":
                continue
            target = unquote(rel.get("Target"))
            resolved = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
            assert resolved.lower() in names, f"{name}: relationship {rel.get('Id')} points at missing {resolved}"


def children_in_schema_order(root: etree._Element, order: tuple[str, ...]) -> bool:
    """Whether the known children of ``root`` appear in ``order``."""
    from kpi_excel.ooxml.xmlutil import effective_local_name

    rank = {name: i for i, name in enumerate(order)}
    ranks = [rank[effective_local_name(el)] for el in root if effective_local_name(el) in rank]
    return ranks == sorted(ranks)


def patch_part(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """A copy of zip ``data`` with ``old`` replaced by ``new`` inside one part."""
    import io

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in src.infolist():
            content = src.read(item)
            if item.filename == part:
                assert old in content, f"{old!r} not in {part}"
                content = content.replace(old, new)
            out.writestr(item, content)
    return buffer.getvalue()


def with_declared_size(data: bytes, name: str, size: int) -> bytes:
    """The zip ``data`` with entry ``name`` declaring ``size`` bytes in its local header and its
    central directory record alike: a header that lies, caught only when the entry is inflated."""
    out = bytearray(data)
    info = zipfile.ZipFile(io.BytesIO(data)).getinfo(name)
    struct.pack_into("<L", out, info.header_offset + 22, size)
    wanted = name.encode()
    pos = data.find(b"PK\x01\x02")
    while pos >= 0:
        name_len = struct.unpack_from("<H", out, pos + 28)[0]
        if bytes(out[pos + 46: pos + 46 + name_len]) == wanted:
            struct.pack_into("<L", out, pos + 24, size)
        pos = data.find(b"PK\x01\x02", pos + 4)
    return bytes(out)
