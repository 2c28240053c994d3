"""Shared helpers for the XLSX writer tests: fixture paths, copies, the element diff."""

from __future__ import annotations

import os
import shutil
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

from lxml import etree

REPO_ROOT = Path(__file__).resolve().parents[2]


def _find_excel_made() -> Path:
    # <repo>/../shared in a clone (CI); a git worktree nests one level deeper, so look upwards.
    for folder in REPO_ROOT.parents:
        candidate = folder / "shared" / "data" / "excel-made"
        if candidate.is_dir():
            return candidate
    return (REPO_ROOT / ".." / "shared" / "data" / "excel-made").resolve()


EXCEL_MADE = _find_excel_made()


def excel_made_files() -> list[Path]:
    """Every workbook in the shared excel-made corpus."""
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
