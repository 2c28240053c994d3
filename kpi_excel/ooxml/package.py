"""The OPC layer: parts in a zip, ``[Content_Types].xml`` and relationships.

:class:`OpcPackage` keeps every part of the original file as its compressed
bytes and inflates a part only when someone reads it. A part is rewritten only
if it was changed through this class (``write``, or ``xml`` + ``mark_dirty``);
all others go back into the zip exactly as they came out, in the original
order, followed by any new parts.
"""

from __future__ import annotations

import io
import posixpath
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from lxml import etree

from kpi_excel.ooxml.errors import CorruptPackageError, PackageError
from kpi_excel.ooxml.part_limits import PartBudget, PartLimits
from kpi_excel.ooxml.xmlutil import NS, PROLOG_BYTES, parse_serialised, parse_xml, qn, serialize_xml
from kpi_excel.ooxml.zipio import ZipEntry, ZipLimits, deflate_entry, inflate, inflate_head, read_zip, write_zip

__all__ = ["OpcPackage", "Relationship", "RT", "CT"]

CONTENT_TYPES = "[Content_Types].xml"


class RT:
    """Relationship types used by the writer."""

    _OD = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    OFFICE_DOCUMENT = _OD + "officeDocument"
    WORKSHEET = _OD + "worksheet"
    STYLES = _OD + "styles"
    SHARED_STRINGS = _OD + "sharedStrings"
    DRAWING = _OD + "drawing"
    CHART = _OD + "chart"
    TABLE = _OD + "table"
    CUSTOM_XML = _OD + "customXml"
    CUSTOM_XML_PROPS = _OD + "customXmlProps"
    CALC_CHAIN = _OD + "calcChain"
    EXTENDED_PROPERTIES = _OD + "extended-properties"
    PRINTER_SETTINGS = _OD + "printerSettings"


class CT:
    """Content types used by the writer."""

    _SML = "application/vnd.openxmlformats-officedocument.spreadsheetml."
    WORKSHEET = _SML + "worksheet+xml"
    SHARED_STRINGS = _SML + "sharedStrings+xml"
    STYLES = _SML + "styles+xml"
    TABLE = _SML + "table+xml"
    DRAWING = "application/vnd.openxmlformats-officedocument.drawing+xml"
    CHART = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
    CUSTOM_XML_PROPS = "application/vnd.openxmlformats-officedocument.customXmlProperties+xml"
    RELS = "application/vnd.openxmlformats-package.relationships+xml"
    XML = "application/xml"


@dataclass(frozen=True)
class Relationship:
    """One relationship from ``source``; ``part`` is the resolved target part name."""

    source: str
    id: str
    type: str
    target: str
    external: bool

    @property
    def part(self) -> str | None:
        """Target part name inside the package, or None for an external target."""
        if self.external:
            return None
        return resolve_target(self.source, self.target)


def resolve_target(source: str, target: str) -> str:
    """Part name a relationship target points at, from the source part's folder."""
    target = unquote(target.split("#", 1)[0])
    if target.startswith("/"):
        return posixpath.normpath(target.lstrip("/"))
    base = posixpath.dirname(source)
    return posixpath.normpath(posixpath.join(base, target))


def relative_target(source: str, part: str) -> str:
    """Relationship target for ``part`` written from ``source``'s folder."""
    base = posixpath.dirname(source) or "."
    return quote(posixpath.relpath(part, base), safe="/._-~")


def rels_name(part: str) -> str:
    """'xl/workbook.xml' -> 'xl/_rels/workbook.xml.rels'; '' (package) -> '_rels/.rels'."""
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")


class OpcPackage:
    """Parts of one Office Open XML package, edited in memory."""

    def __init__(self, entries: list[ZipEntry], path: Path | None = None,
                 part_limits: PartLimits | None = None) -> None:
        self.path = path
        self.budget = PartBudget(part_limits)  # what reading parts may cost (part_limits.py)
        self._entries: dict[str, ZipEntry] = {e.name: e for e in entries}
        self._order: list[str] = [e.name for e in entries]
        self._by_lower: dict[str, str] = {e.name.lower(): e.name for e in entries}
        self.original_names: tuple[str, ...] = tuple(self._order)
        self._orig: dict[str, bytes] = {}  # inflated original content, on demand
        self._bytes: dict[str, bytes] = {}  # content of parts replaced through write()
        self._xml: dict[str, etree._Element] = {}
        self._dirty: set[str] = set()
        self._replaced: set[str] = set()
        # Parts parsed as a frame with some of their text held apart: (marker, text) goes back
        # in place of the marker's one occurrence in the frame's serialisation (see hold_apart).
        self._apart: dict[str, tuple[bytes, Callable[[], bytes]]] = {}
        self._settled: set[str] = set()  # parts whose bytes settle() serialised from their tree
        self._inflated: set[str] = set()  # parts of the file inflated, and their CRC checked, here
        # The entries the last write_to copied as the file had them, of parts inflated here.
        self.copied_checked: dict[str, ZipEntry] = {}
        # The content types' Overrides by part name: (tree, its length when indexed, index).
        self._override_index: tuple[etree._Element, int, dict[str, list[etree._Element]]] | None = None
        if CONTENT_TYPES not in self._entries:
            raise CorruptPackageError("package has no [Content_Types].xml", path=path)

    @classmethod
    def from_bytes(cls, data: bytes, *, limits: ZipLimits | None = None, path: Path | None = None) -> OpcPackage:
        """Open a package from its bytes after the zip-bomb checks."""
        return cls(read_zip(data, limits=limits or ZipLimits(), path=path), path)

    # ---- parts -------------------------------------------------------------------

    def names(self) -> list[str]:
        """Part names in zip order."""
        return list(self._order)

    def actual_name(self, name: str) -> str | None:
        """The stored spelling of ``name`` (part names are case-insensitive), or None."""
        return self._by_lower.get(name.lower())

    def has(self, name: str) -> bool:
        """Whether the package has the part (case-insensitively)."""
        return name.lower() in self._by_lower

    def read(self, name: str, *, keep: bool = True) -> bytes:
        """Bytes of a part (current content, including unsaved edits).

        ``keep=False`` does not keep the inflated bytes of an unedited part
        for later: a large sheet read once costs its memory only while read.
        """
        actual = self._require(name)
        if actual in self._dirty:
            return self._serialised(actual)
        if actual in self._replaced:
            return self._bytes[actual]
        original = self._original_bytes(actual, keep=keep)
        assert original is not None
        return original

    def head(self, name: str, size: int) -> bytes:
        """The first ``size`` bytes (or fewer) of a part's current content, inflating no more of
        an unread part than that. Unlike :meth:`read` it cannot check the part's CRC (the whole
        part is needed for that): for a look at a part's start where the part is read whole
        anyway, or replaced (a sheet's ``sheetPr``, ahead of its rows)."""
        actual = self._require(name)
        entry = self._entries.get(actual)
        if actual in self._dirty or actual in self._replaced or actual in self._orig or entry is None \
                or entry.raw is None or entry.compress_type != zipfile.ZIP_DEFLATED:
            return self.read(actual, keep=False)[:size]
        return inflate_head(entry, size, path=self.path)

    def size(self, name: str) -> int:
        """Uncompressed size of a part as the file declares it (checked when inflated)."""
        actual = self._require(name)
        if actual in self._bytes:
            return len(self._bytes[actual])
        entry = self._entries.get(actual)
        return entry.file_size if entry is not None else 0

    def _original_bytes(self, name: str, keep: bool = True) -> bytes | None:
        """Inflated content of the part as it was in the file (None for a new part)."""
        if name in self._orig:
            return self._orig[name]
        entry = self._entries.get(name)
        if entry is None or entry.raw is None:
            return None
        try:
            self.budget.inflate(name, entry.file_size, big=self._is_sheet_sized(name), keep=keep)
        except PackageError as exc:
            exc.path = self.path
            raise
        content = inflate(entry, path=self.path)
        self._inflated.add(name)
        if keep:
            self._orig[name] = content
        return content

    def _original_head(self, name: str) -> bytes | None:
        """The first :data:`~.xmlutil.PROLOG_BYTES` of the part as it was in the file, all that
        serialising its tree again takes from it (its prolog): a 12 MB sheet is not inflated
        once more, nor kept, to write its new text (None for a new part)."""
        if name in self._orig:
            return self._orig[name]
        entry = self._entries.get(name)
        if entry is None or entry.raw is None:
            return None
        if entry.compress_type == zipfile.ZIP_STORED:
            return bytes(entry.raw[:PROLOG_BYTES])
        return inflate_head(entry, PROLOG_BYTES, path=self.path)

    def _is_sheet_sized(self, name: str) -> bool:
        """A worksheet or the shared strings: parts as large as a sheet read allows."""
        return name != CONTENT_TYPES and self.content_type(name) in (CT.WORKSHEET, CT.SHARED_STRINGS)

    def _is_worksheet(self, name: str) -> bool:
        return name != CONTENT_TYPES and self.content_type(name) == CT.WORKSHEET

    def _require(self, name: str) -> str:
        actual = self.actual_name(name)
        if actual is None:
            raise CorruptPackageError(f"package has no part {name!r}", path=self.path)
        return actual

    def _serialised(self, name: str) -> bytes:
        """An edited part's bytes: its tree serialised, with any text held apart put back."""
        data = serialize_xml(self._xml[name], self._original_head(name))
        apart = self._apart.get(name)
        if apart is not None:
            marker, text = apart
            if data.count(marker) != 1:
                raise CorruptPackageError(f"internal: part {name!r} lost the place of its rows", path=self.path)
            data = data.replace(marker, text(), 1)
        return data

    def hold_apart(self, name: str, frame: etree._Element, marker: bytes, text: Callable[[], bytes]) -> None:
        """Keep ``frame`` as the part's edited tree and ``text()`` apart from it, to go in place
        of ``marker`` when the part is serialised (a sheet's rows, see :mod:`.sheet_rows`).
        :meth:`xml` joins them into the whole tree if anyone asks for it; :meth:`frame` does not."""
        actual = self._require(name)
        self._xml[actual] = frame
        self._apart[actual] = (marker, text)
        self._dirty.add(actual)

    def held_apart(self, name: str) -> bool:
        """Whether the part's tree is a frame with text held apart."""
        return self._require(name) in self._apart

    def frame(self, name: str) -> etree._Element:
        """The part's tree as it stands: the frame when text is held apart (for edits that do
        not reach into that text), else :meth:`xml`."""
        actual = self._require(name)
        return self._xml[actual] if actual in self._apart else self.xml(actual)

    def xml(self, name: str) -> etree._Element:
        """Parsed root of an XML part, cached; call :meth:`mark_dirty` after editing it."""
        actual = self._require(name)
        if actual in self._apart:  # someone needs the whole tree: join the frame and the text
            data = self._serialised(actual)
            del self._apart[actual]
            self._xml[actual] = parse_serialised(data, actual)
        root = self._xml.get(actual)
        if root is None:
            try:
                data = self.read(actual)
                if actual in self._settled:
                    # Bytes serialised in this session (a settled part) read back to the tree they came from.
                    root = parse_serialised(data, actual)
                else:
                    if actual not in self._replaced and actual not in self._dirty:  # parts we wrote are ours
                        self.budget.parse(actual, data, worksheet=self._is_worksheet(actual))
                    root = parse_xml(data, actual)
            except PackageError as exc:
                if exc.path is None:
                    exc.path = self.path  # name the file, not only the part
                raise
            self._xml[actual] = root
        return root

    def mark_dirty(self, name: str) -> None:
        """Record that the parsed tree of ``name`` was edited and must be written."""
        actual = self._require(name)
        if actual not in self._xml:
            raise ValueError(f"{name} was not parsed; edit it through xml() first")
        self._dirty.add(actual)

    def write(self, name: str, data: bytes, content_type: str | None = None) -> None:
        """Create or replace a part with raw bytes; register its content type if given."""
        actual = self.actual_name(name)
        if actual is None:
            actual = name
            self._order.append(name)
            self._by_lower[name.lower()] = name
        self._bytes[actual] = data
        self._xml.pop(actual, None)
        self._apart.pop(actual, None)
        self._settled.discard(actual)
        self._dirty.discard(actual)
        self._replaced.add(actual)
        if content_type is not None:
            self.set_content_type(actual, content_type)

    def write_xml(self, name: str, root: etree._Element, content_type: str | None = None) -> None:
        """Create or replace an XML part from a tree, keeping the tree for further edits."""
        self.write(name, b"", content_type)
        actual = self._require(name)
        self._xml[actual] = root
        self._dirty.add(actual)
        self._replaced.discard(actual)

    def delete(self, name: str) -> None:
        """Remove a part, its relationships part and its content-type override."""
        actual = self.actual_name(name)
        if actual is None:
            return
        self._order.remove(actual)
        del self._by_lower[actual.lower()]
        for store in (self._bytes, self._orig, self._xml, self._entries, self._apart):
            store.pop(actual, None)
        self._settled.discard(actual)
        self._dirty.discard(actual)
        self._replaced.discard(actual)
        self.remove_content_type(actual)
        rels = rels_name(actual)
        if self.has(rels):
            self.delete(rels)

    def settle(self, name: str) -> None:
        """Serialise an edited part now and let its tree go: the bytes are those saving
        would write, and a later read or edit parses them again. A refresh settles each
        large sheet once written, so the trees of the KPIs and KPI history sheets (hundreds
        of MB each) are not held together."""
        actual = self._require(name)
        if actual not in self._dirty:
            return
        self._bytes[actual] = self._serialised(actual)
        self._settled.add(actual)
        self._xml.pop(actual)
        self._apart.pop(actual, None)
        self._dirty.discard(actual)
        self._replaced.add(actual)

    def is_parsed(self, name: str) -> bool:
        """Whether the part has a tree (whole, or a frame with text apart) that edits go to."""
        return self._require(name) in self._xml

    def is_untouched(self, name: str) -> bool:
        """Whether the part is as it was in the file: never parsed to a tree (which could be
        edited in place), nor written."""
        actual = self._require(name)
        return actual not in self._xml and actual not in self._dirty and actual not in self._replaced

    def changed_parts(self) -> set[str]:
        """Parts that will not be written back byte-identical (edited or new)."""
        return set(self._dirty) | set(self._replaced)

    @property
    def kept_as_read(self) -> set[str]:
        """Edited parts the last write_to found identical to the file's and copied as they were.

        Derived from :attr:`copied_checked`: finding a part identical inflates it, so every one
        kept is among the copied entries of parts inflated here. Read before editing again.
        """
        return {name for name in self.changed_parts() if name in self.copied_checked}

    def next_free(self, pattern: str, start: int = 1) -> str:
        """First unused part name from a pattern with one ``{}``, counting from ``start`` (1, or
        past numbers known to be taken: charts added one after another).

        Checks case-insensitively, so a chart we add never collides with an
        officer's ``xl/charts/Chart1.xml``.
        """
        n = start
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    # ---- content types -------------------------------------------------------------

    def _types(self) -> etree._Element:
        return self.xml(CONTENT_TYPES)

    def _overrides(self) -> dict[str, list[etree._Element]]:
        """The Override elements by lower-case PartName, each name's in file order. Indexed
        once a tree (a refresh asks hundreds of times; a scan each was quadratic in the
        parts), again when the tree is replaced or its number of children changes other than
        through this class. An Override's attributes edited in the tree, or one swapped for
        another, are not seen: content types are edited through set/remove_content_type."""
        types = self._types()
        index = self._override_index
        if index is None or index[0] is not types or index[1] != len(types):
            by_name: dict[str, list[etree._Element]] = {}
            for el in types.iterchildren(qn("ct", "Override")):
                by_name.setdefault(el.get("PartName", "").lower(), []).append(el)
            index = self._override_index = (types, len(types), by_name)
        return index[2]

    def _overrides_changed(self) -> None:
        """The index is current again after this class added or removed an Override."""
        assert self._override_index is not None
        types, _, by_name = self._override_index
        self._override_index = (types, len(types), by_name)

    def content_type(self, name: str) -> str | None:
        """Content type of a part: its Override, else the Default for its extension."""
        found = self._overrides().get("/" + name.lower())
        if found:
            return found[0].get("ContentType")
        types = self._types()
        ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        for el in types.iterchildren(qn("ct", "Default")):
            if el.get("Extension", "").lower() == ext:
                return el.get("ContentType")
        return None

    def set_content_type(self, name: str, content_type: str) -> None:
        """Add (or update) the Override for ``name``."""
        overrides = self._overrides()
        target = "/" + name
        found = overrides.get(target.lower())
        if found:
            if found[0].get("ContentType") != content_type:
                found[0].set("ContentType", content_type)
                self.mark_dirty(CONTENT_TYPES)
            return
        ext = name.rsplit(".", 1)[-1].lower()
        if ext == "rels" and self.content_type(name) == content_type:
            return  # the Default already covers relationship parts
        el = etree.SubElement(self._types(), qn("ct", "Override"))
        el.set("PartName", target)
        el.set("ContentType", content_type)
        overrides[target.lower()] = [el]
        self._overrides_changed()
        self.mark_dirty(CONTENT_TYPES)

    def remove_content_type(self, name: str) -> None:
        """Drop the Override for ``name`` if there is one."""
        found = self._overrides().pop("/" + name.lower(), None)
        if found:
            types = self._types()
            for el in found:
                types.remove(el)
            self._overrides_changed()
            self.mark_dirty(CONTENT_TYPES)

    def ensure_default(self, extension: str, content_type: str) -> None:
        """Make sure a Default exists for an extension (e.g. 'png')."""
        types = self._types()
        for el in types.iterchildren(qn("ct", "Default")):
            if el.get("Extension", "").lower() == extension.lower():
                return
        el = etree.Element(qn("ct", "Default"))
        el.set("Extension", extension)
        el.set("ContentType", content_type)
        types.insert(0, el)
        self.mark_dirty(CONTENT_TYPES)

    # ---- relationships -------------------------------------------------------------

    def relationships(self, source: str) -> list[Relationship]:
        """Relationships of ``source`` ('' for the package itself), in file order."""
        rels = rels_name(source)
        if not self.has(rels):
            return []
        out = []
        for el in self.xml(rels).iterchildren(qn("pr", "Relationship")):
            out.append(
                Relationship(
                    source=source,
                    id=el.get("Id", ""),
                    type=el.get("Type", ""),
                    target=el.get("Target", ""),
                    external=el.get("TargetMode") == "External",
                )
            )
        return out

    def related(self, source: str, rel_type: str) -> Iterator[Relationship]:
        """Relationships of ``source`` with the given type."""
        return (r for r in self.relationships(source) if r.type == rel_type)

    def relationship(self, source: str, rel_id: str) -> Relationship | None:
        """The relationship ``rel_id`` of ``source``, if any."""
        for rel in self.relationships(source):
            if rel.id == rel_id:
                return rel
        return None

    def add_relationship(self, source: str, rel_type: str, part: str) -> str:
        """Relate ``source`` to an internal ``part``; returns a fresh ``rIdN``."""
        rels = rels_name(source)
        if not self.has(rels):
            root = etree.Element(qn("pr", "Relationships"), nsmap={None: NS["pr"]})
            self.write_xml(rels, root)
        root = self.xml(rels)
        used = {el.get("Id") for el in root}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rel_id = f"rId{n}"
        el = etree.SubElement(root, qn("pr", "Relationship"))
        el.set("Id", rel_id)
        el.set("Type", rel_type)
        el.set("Target", relative_target(source, part))
        self.mark_dirty(rels)
        return rel_id

    def remove_relationship(self, source: str, rel_id: str) -> None:
        """Remove one relationship of ``source`` (the target part is not deleted)."""
        rels = rels_name(source)
        if not self.has(rels):
            return
        root = self.xml(rels)
        for el in list(root):
            if el.get("Id") == rel_id:
                root.remove(el)
                self.mark_dirty(rels)

    def references_to(self, part: str) -> list[Relationship]:
        """Every internal relationship in the package that targets ``part``."""
        lower = part.lower()
        return [rel for rel in self.all_references() if (rel.part or "").lower() == lower]

    def all_references(self) -> Iterator[Relationship]:
        """Every relationship in the package, rels part by rels part."""
        for name in list(self._order):
            if not name.endswith(".rels"):
                continue
            folder, base = posixpath.split(name)
            source = posixpath.join(posixpath.dirname(folder), base[: -len(".rels")])
            source = "" if base == ".rels" else source
            yield from self.relationships(source)

    # ---- output --------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        """The whole package as a zip: untouched entries copied raw, edited ones deflated."""
        buffer = io.BytesIO()
        self.write_to(buffer)
        return buffer.getvalue()

    def write_to(self, out: io.BufferedIOBase | io.RawIOBase) -> None:
        """Write the package zip to a binary file object (see :attr:`kept_as_read` and
        :attr:`copied_checked`)."""
        entries = []
        copied = []
        for name in self._order:
            original = self._entries.get(name)
            if name in self._dirty:
                content = self._serialised(name)
            elif name in self._replaced:
                content = self._bytes[name]
            else:
                assert original is not None
                entries.append(original)
                copied.append(original)
                continue
            if original is not None and original.raw is not None and _same_content(original, content, self):
                entries.append(original)
                copied.append(original)
                continue
            entries.append(deflate_entry(name, content, original))
        write_zip(entries, out)
        self.copied_checked = {entry.name: entry for entry in copied if entry.name in self._inflated}


def _same_content(entry: ZipEntry, content: bytes, package: OpcPackage) -> bool:
    """Whether an 'edited' part ended up identical to the original (keep the raw stream)."""
    if len(content) != entry.file_size:
        return False
    original = package._original_bytes(entry.name)
    return original == content


def is_xml_content(name: str) -> bool:
    """Whether a part name looks like XML (for verification and diffs)."""
    return bool(re.search(r"\.(xml|rels)$", name, re.I))
