"""Read and rewrite a small Compound File ([MS-CFB] version 3), the container of ``xl/vbaProject.bin``.

Only what changing one stream of xlwings' VBA project needs: the directory
(names, tree links, colours, CLSIDs, times) is kept entry for entry, so the
red-black tree Office reads stays the one it was; stream contents may change
size, and :func:`write` lays every stream out afresh (streams under 4096 bytes
in the mini stream, as the format requires). Files needing DIFAT sectors
(over 6.8 MB) are refused: a VBA project is far smaller.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, replace

__all__ = ["CfbError", "Entry", "CompoundFile", "read", "write"]

MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SECTOR, MINI, CUTOFF = 512, 64, 4096
STORAGE, STREAM, ROOT = 1, 2, 5
HEADER_DIFAT = 109


class CfbError(ValueError):
    """Not a compound file this module can read."""


@dataclass(frozen=True)
class Entry:
    """One 128-byte directory entry; ``start``/``size`` are recomputed by :func:`write`."""

    name: str
    kind: int  # 0 unused, 1 storage, 2 stream, 5 root
    color: int
    left: int
    right: int
    child: int
    clsid: bytes
    state: int
    times: bytes  # creation and modification FILETIMEs, 16 bytes as they were
    start: int
    size: int

    def pack(self) -> bytes:
        name = self.name.encode("utf-16-le")
        length = len(name) + 2 if self.kind else 0
        return struct.pack("<64sHBBIII16sI16sIQ", name, length, self.kind, self.color, self.left, self.right,
                           self.child, self.clsid, self.state, self.times, self.start, self.size)


@dataclass
class CompoundFile:
    entries: list[Entry]
    streams: dict[int, bytes]  # entry index -> contents, for every stream entry
    minor_version: int = 0x003E  # kept as read: the header says which writer made it

    def path(self, index: int) -> str:
        """The stream's path, e.g. ``VBA/xlwings`` (for messages and lookups)."""
        parents = {child: parent for parent in range(len(self.entries)) for child in self._children(parent)}
        parts = [self.entries[index].name]
        while index in parents and parents[index] != 0:
            index = parents[index]
            parts.append(self.entries[index].name)
        return "/".join(reversed(parts))

    def _children(self, parent: int) -> list[int]:
        found, todo = [], [self.entries[parent].child]
        while todo:
            sid = todo.pop()
            if sid == NOSTREAM or sid >= len(self.entries) or sid in found:
                continue
            found.append(sid)
            todo += [self.entries[sid].left, self.entries[sid].right]
        return found

    def find(self, path: str) -> int:
        for index, entry in enumerate(self.entries):
            if entry.kind == STREAM and self.path(index) == path:
                return index
        raise CfbError(f"no stream {path}")


def _chain(table: list[int], start: int) -> list[int]:
    chain: list[int] = []
    while start != END:
        if start >= len(table) or len(chain) > len(table):
            raise CfbError("a broken sector chain")
        chain.append(start)
        start = table[start]
    return chain


def read(data: bytes) -> CompoundFile:
    if data[:8] != MAGIC or len(data) < SECTOR:
        raise CfbError("not a compound file")
    minor, major, _, sector_shift, mini_shift = struct.unpack_from("<HHHHH", data, 24)
    n_fat, first_dir, _, cutoff, first_minifat, _, _, n_difat = struct.unpack_from("<IIIIIIII", data, 44)
    if (major, sector_shift, mini_shift, cutoff) != (3, 9, 6, CUTOFF) or n_difat or n_fat > HEADER_DIFAT:
        raise CfbError("only version 3 compound files without DIFAT sectors are read")

    def sector(number: int) -> bytes:
        return data[SECTOR * (number + 1):SECTOR * (number + 2)]

    difat = struct.unpack_from(f"<{HEADER_DIFAT}I", data, 76)[:n_fat]
    fat = list(struct.unpack(f"<{128 * n_fat}I", b"".join(sector(s) for s in difat)))
    directory = b"".join(sector(s) for s in _chain(fat, first_dir))
    entries = []
    for at in range(0, len(directory), 128):
        (name, length, kind, color, left, right, child, clsid, state, times, start,
         size) = struct.unpack_from("<64sHBBIII16sI16sIQ", directory, at)
        text = name[:max(length - 2, 0)].decode("utf-16-le")
        entries.append(Entry(text, kind, color, left, right, child, clsid, state, times, start, size))
    root = entries[0]
    ministream = b"".join(sector(s) for s in _chain(fat, root.start))[:root.size] if root.size else b""
    minifat_bytes = b"".join(sector(s) for s in _chain(fat, first_minifat)) if first_minifat != END else b""
    minifat = list(struct.unpack(f"<{len(minifat_bytes) // 4}I", minifat_bytes))
    streams = {}
    for index, entry in enumerate(entries):
        if entry.kind != STREAM:
            continue
        if entry.size == 0:
            streams[index] = b""
        elif entry.size < CUTOFF:
            chain = _chain(minifat, entry.start)
            streams[index] = b"".join(ministream[MINI * s:MINI * (s + 1)] for s in chain)[:entry.size]
        else:
            streams[index] = b"".join(sector(s) for s in _chain(fat, entry.start))[:entry.size]
    return CompoundFile(entries, streams, minor)


def _sectors(size: int, unit: int) -> int:
    return -(-size // unit)


def write(compound: CompoundFile) -> bytes:
    """The file's bytes: big streams, the mini stream, mini FAT, directory, then the FAT."""
    entries = list(compound.entries)
    body = bytearray()
    fat: list[int] = []

    def allocate(data: bytes) -> int:
        count = _sectors(len(data), SECTOR)
        if not count:
            return END
        first = len(fat)
        fat.extend(range(first + 1, first + count))
        fat.append(END)
        body.extend(data.ljust(count * SECTOR, b"\0"))
        return first

    ministream = bytearray()
    minifat: list[int] = []
    for index, entry in enumerate(entries):
        if entry.kind != STREAM:
            continue
        data = compound.streams[index]
        if len(data) >= CUTOFF:
            entries[index] = replace(entry, start=allocate(data), size=len(data))
        elif data:
            count = _sectors(len(data), MINI)
            first = len(minifat)
            minifat.extend(range(first + 1, first + count))
            minifat.append(END)
            ministream.extend(data.ljust(count * MINI, b"\0"))
            entries[index] = replace(entry, start=first, size=len(data))
        else:
            entries[index] = replace(entry, start=END, size=0)
    entries[0] = replace(entries[0], start=allocate(bytes(ministream)) if ministream else END,
                         size=len(ministream))
    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += bytes(-len(minifat_bytes) % SECTOR)  # as Office pads it (never read: past the mini stream)
    first_minifat = allocate(minifat_bytes) if minifat else END
    n_minifat = _sectors(len(minifat_bytes), SECTOR) if minifat else 0
    directory = b"".join(e.pack() for e in entries)
    unused = Entry("", 0, 0, NOSTREAM, NOSTREAM, NOSTREAM, bytes(16), 0, bytes(16), 0, 0).pack()
    directory += unused * (-(len(entries)) % (SECTOR // 128))
    first_dir = allocate(directory)
    # The FAT covers every sector, its own included.
    n_fat = 1
    while 128 * n_fat < len(fat) + n_fat:
        n_fat += 1
    if n_fat > HEADER_DIFAT:
        raise CfbError("too large for a compound file without DIFAT sectors")
    fat_sectors = list(range(len(fat), len(fat) + n_fat))
    fat += [FATSECT] * n_fat
    fat += [FREE] * (128 * n_fat - len(fat))
    body += struct.pack(f"<{len(fat)}I", *fat)
    header = struct.pack("<8s16sHHHHH6sIIIIIIIII", MAGIC, bytes(16), compound.minor_version, 3, 0xFFFE, 9, 6,
                         bytes(6), 0, n_fat, first_dir, 0, CUTOFF, first_minifat, n_minifat, END, 0)
    header += struct.pack(f"<{HEADER_DIFAT}I", *(fat_sectors + [FREE] * (HEADER_DIFAT - n_fat)))
    return header + bytes(body)
