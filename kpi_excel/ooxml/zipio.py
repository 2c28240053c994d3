"""Zip reading with a zip-bomb guard, and a writer that copies untouched entries raw.

Reading checks the entry count, each entry's declared size and compression
ratio, and the total, *before* anything is inflated; inflation itself stops at
the declared size and the CRC is checked, so a lying header cannot make us
allocate more than the limits allow.

Writing copies an unchanged entry's compressed bytes, CRC, timestamp and
attributes exactly as they were: the part is byte-identical and so is its
compressed stream. Changed and new entries are deflated. No zip64: the limits
keep packages far below the sizes that would need it.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from kpi_excel.ooxml.errors import CorruptPackageError, UnsafePackageError

__all__ = ["ZipLimits", "ZipEntry", "read_zip", "write_zip", "inflate", "inflate_head", "check_entry"]

_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class ZipLimits:
    """Refusal thresholds for untrusted packages (defaults suit council workbooks).

    A ratio limit applies only to entries above ``ratio_floor`` bytes: tiny XML
    parts legitimately compress 50:1.
    """

    max_entries: int = 10_000
    max_entry_size: int = 1 << 30  # 1 GiB uncompressed for one part
    max_total_size: int = 2 << 30  # 2 GiB uncompressed for the package
    max_ratio: float = 200.0
    ratio_floor: int = 1 << 20


@dataclass
class ZipEntry:
    """One entry: its metadata and, for entries read from a file, its raw stream."""

    name: str
    compress_type: int = zipfile.ZIP_DEFLATED
    crc: int = 0
    file_size: int = 0
    compress_size: int = 0
    date_time: tuple[int, int, int, int, int, int] = (1980, 1, 1, 0, 0, 0)
    flag_bits: int = 0
    create_version: int = 20
    create_system: int = 0
    extract_version: int = 20
    external_attr: int = 0
    internal_attr: int = 0
    local_extra: bytes = b""
    raw: bytes | memoryview | None = field(default=None, repr=False)


def _dos_time(date_time: tuple[int, int, int, int, int, int]) -> tuple[int, int]:
    y, mo, d, h, mi, s = date_time
    return (h << 11) | (mi << 5) | (s // 2), ((max(y, 1980) - 1980) << 9) | (mo << 5) | d


def read_zip(data: bytes, *, limits: ZipLimits, path: str | Path | None = None) -> list[ZipEntry]:
    """List the entries of the package in ``data`` (in file order), after the bomb checks."""
    if data[:8] == _OLE_MAGIC:
        raise UnsafePackageError(
            "this is an encrypted (password to open) workbook or an old .xls file, not an .xlsx package",
            path=path,
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError, struct.error) as exc:
        raise CorruptPackageError(f"not a zip package ({exc})", path=path) from None
    infos = archive.infolist()
    if len(infos) > limits.max_entries:
        raise UnsafePackageError(f"package has {len(infos)} entries (limit {limits.max_entries})", path=path)
    seen: set[str] = set()
    total = 0
    entries: list[ZipEntry] = []
    view = memoryview(data)
    for info in infos:
        name = info.filename
        key = name.lower()
        if key in seen:
            raise UnsafePackageError(f"package has the entry {name!r} twice", path=path)
        seen.add(key)
        if name.startswith("/") or ".." in name.split("/") or "\\" in name:
            raise UnsafePackageError(f"package entry {name!r} has an unsafe path", path=path)
        if info.flag_bits & 0x1:
            raise UnsafePackageError(f"package entry {name!r} is encrypted", path=path)
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise UnsafePackageError(
                f"package entry {name!r} uses compression method {info.compress_type}", path=path
            )
        if info.file_size > limits.max_entry_size:
            raise UnsafePackageError(
                f"package entry {name!r} would inflate to {info.file_size:,} bytes "
                f"(limit {limits.max_entry_size:,})",
                path=path,
            )
        if info.file_size > limits.ratio_floor and info.file_size > limits.max_ratio * max(info.compress_size, 1):
            raise UnsafePackageError(
                f"package entry {name!r} has a compression ratio of "
                f"{info.file_size / max(info.compress_size, 1):,.0f}:1 (limit {limits.max_ratio:,.0f}:1)",
                path=path,
            )
        total += info.file_size
        if total > limits.max_total_size:
            raise UnsafePackageError(
                f"package would inflate to more than {limits.max_total_size:,} bytes", path=path
            )
        offset = info.header_offset
        header = bytes(view[offset : offset + _LOCAL.size])
        if len(header) != _LOCAL.size or header[:4] != b"PK\x03\x04":
            raise CorruptPackageError(f"bad local header for entry {name!r}", path=path)
        fields = _LOCAL.unpack(header)
        extra_start = offset + _LOCAL.size + fields[10]
        local_extra = _without_zip64(bytes(view[extra_start : extra_start + fields[11]]))
        start = extra_start + fields[11]
        raw = view[start : start + info.compress_size]
        if len(raw) != info.compress_size:
            raise CorruptPackageError(f"entry {name!r} is truncated", path=path)
        entries.append(
            ZipEntry(
                name=name,
                compress_type=info.compress_type,
                crc=info.CRC,
                file_size=info.file_size,
                compress_size=info.compress_size,
                date_time=info.date_time,
                flag_bits=info.flag_bits,
                create_version=info.create_version,
                create_system=info.create_system,
                extract_version=info.extract_version,
                external_attr=info.external_attr,
                internal_attr=info.internal_attr,
                local_extra=local_extra,
                raw=raw,
            )
        )
    return entries


def _without_zip64(extra: bytes) -> bytes:
    """Local extra fields minus any zip64 field (we write 32-bit sizes); Office's padding stays."""
    out = b""
    pos = 0
    while pos + 4 <= len(extra):
        field_id, size = struct.unpack("<HH", extra[pos : pos + 4])
        chunk = extra[pos : pos + 4 + size]
        if field_id != 0x0001:
            out += chunk
        pos += 4 + size
    return out


def inflate(entry: ZipEntry, *, path: str | Path | None = None) -> bytes:
    """Decompress one entry, never past its declared size, and check its CRC."""
    assert entry.raw is not None
    if entry.compress_type == zipfile.ZIP_STORED:
        out = bytes(entry.raw)
    else:
        inflater = zlib.decompressobj(-15)
        try:
            out = inflater.decompress(entry.raw, entry.file_size + 1)
        except zlib.error as exc:
            raise CorruptPackageError(f"entry {entry.name!r} cannot be inflated ({exc})", path=path) from None
    if len(out) != entry.file_size:
        raise UnsafePackageError(
            f"entry {entry.name!r} inflates to a different size than its header declares", path=path
        )
    if zlib.crc32(out) != entry.crc:
        raise CorruptPackageError(f"entry {entry.name!r} fails its CRC check", path=path)
    return out


def inflate_head(entry: ZipEntry, size: int, *, path: str | Path | None = None) -> bytes:
    """The first ``size`` bytes (or fewer) of a deflated entry, never past its declared size;
    no CRC check (that needs the whole entry: see :func:`inflate`)."""
    assert entry.raw is not None
    inflater = zlib.decompressobj(-15)
    try:
        return inflater.decompress(entry.raw, max(min(size, entry.file_size), 1))[:size]
    except zlib.error as exc:
        raise CorruptPackageError(f"entry {entry.name!r} cannot be inflated ({exc})", path=path) from None


_BLOCK = 1 << 20


def check_entry(entry: ZipEntry, *, path: str | Path | None = None) -> None:
    """What :func:`inflate` checks (declared size, CRC), a block at a time, keeping nothing:
    verifying a saved file costs a megabyte whatever size its parts are."""
    assert entry.raw is not None
    size = crc = 0
    if entry.compress_type == zipfile.ZIP_STORED:
        size, crc = len(entry.raw), zlib.crc32(entry.raw)
    else:
        inflater = zlib.decompressobj(-15)
        view = memoryview(entry.raw)
        try:
            for start in range(0, max(len(view), 1), _BLOCK):
                pending: bytes | memoryview = view[start:start + _BLOCK]
                while True:
                    out = inflater.decompress(pending, _BLOCK)
                    size, crc = size + len(out), zlib.crc32(out, crc)
                    if size > entry.file_size:
                        break
                    pending = inflater.unconsumed_tail
                    if not pending and len(out) < _BLOCK:
                        break
                if size > entry.file_size:
                    break
            rest = inflater.flush()
            size, crc = size + len(rest), zlib.crc32(rest, crc)
        except zlib.error as exc:
            raise CorruptPackageError(f"entry {entry.name!r} cannot be inflated ({exc})", path=path) from None
    if size != entry.file_size:
        raise UnsafePackageError(
            f"entry {entry.name!r} inflates to a different size than its header declares", path=path
        )
    if crc != entry.crc:
        raise CorruptPackageError(f"entry {entry.name!r} fails its CRC check", path=path)


def deflate_entry(name: str, content: bytes, template: ZipEntry | None = None) -> ZipEntry:
    """A new deflated entry for ``content``, keeping the template's timestamp and attributes."""
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = compressor.compress(content) + compressor.flush()
    base = template or ZipEntry(name=name)
    return ZipEntry(
        name=name,
        compress_type=zipfile.ZIP_DEFLATED,
        crc=zlib.crc32(content),
        file_size=len(content),
        compress_size=len(raw),
        date_time=base.date_time,
        # Keep only the UTF-8 name flag; bit 3 (data descriptor) never applies to us.
        flag_bits=base.flag_bits & 0x800,
        create_version=base.create_version,
        create_system=base.create_system,
        extract_version=max(base.extract_version, 20),
        external_attr=base.external_attr,
        internal_attr=base.internal_attr,
        raw=raw,
    )


def write_zip(entries: list[ZipEntry], out: io.RawIOBase | io.BufferedIOBase) -> int:
    """Write ``entries`` (each with ``raw`` set) as a zip to ``out``; returns bytes written."""
    central: list[bytes] = []
    offset = 0
    for entry in entries:
        assert entry.raw is not None
        name = entry.name.encode("utf-8")
        flags = entry.flag_bits & ~0x08  # sizes go in the local header: no data descriptor
        if not entry.name.isascii():
            flags |= 0x800
        dostime, dosdate = _dos_time(entry.date_time)
        header = _LOCAL.pack(
            b"PK\x03\x04", entry.extract_version, 0, flags, entry.compress_type, dostime, dosdate,
            entry.crc, entry.compress_size, entry.file_size, len(name), len(entry.local_extra),
        )
        out.write(header)
        out.write(name)
        out.write(entry.local_extra)
        out.write(entry.raw)
        central.append(
            _CENTRAL.pack(
                b"PK\x01\x02", entry.create_version, entry.create_system, entry.extract_version, 0,
                flags, entry.compress_type, dostime, dosdate, entry.crc, entry.compress_size,
                entry.file_size, len(name), 0, 0, 0, entry.internal_attr, entry.external_attr, offset,
            )
            + name
        )
        offset += len(header) + len(name) + len(entry.local_extra) + entry.compress_size
        if offset >= 0xFFFFFFFF:
            raise UnsafePackageError("package too large to write without zip64")
    directory = b"".join(central)
    out.write(directory)
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), len(directory), offset, 0))
    return offset + len(directory) + _END.size
