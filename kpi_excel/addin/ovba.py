"""The compression VBA projects store their source in ([MS-OVBA] 2.4.1).

A compressed container is the byte 0x01 and then chunks, each holding up to
4096 bytes of source: a 2-byte header (size - 3 in 12 bits, signature 0b011,
flag "compressed"), then groups of a flag byte and up to eight tokens: a
literal byte, or a 2-byte copy token (offset and length, split at a bit
position that grows with the distance from the chunk's start).

Used to change the text of one module of xlwings' VBA (see
:mod:`kpi_excel.addin.vba_edit`); tests check both directions against
oletools' independent decompressor.
"""

from __future__ import annotations

__all__ = ["compress", "decompress", "OvbaError"]

CHUNK = 4096
SIGNATURE = 0b011


class OvbaError(ValueError):
    """Data that is not an MS-OVBA compressed container."""


def _bit_count(distance: int) -> int:
    """Bits of a copy token's offset at ``distance`` bytes into the chunk (at least 4)."""
    return max((distance - 1).bit_length(), 4)


def decompress(data: bytes) -> bytes:
    if not data or data[0] != 0x01:
        raise OvbaError("a compressed VBA container starts with the byte 0x01")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise OvbaError("a chunk header is cut short")
        header = int.from_bytes(data[pos:pos + 2], "little")
        if (header >> 12) & 0b111 != SIGNATURE:
            raise OvbaError(f"bad chunk signature at byte {pos}")
        end = min(len(data), pos + (header & 0x0FFF) + 3)
        pos += 2
        start = len(out)
        if not header >> 15:  # a raw chunk: 4096 bytes as they are
            out += data[pos:pos + CHUNK]
            pos += CHUNK
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if not (flags >> bit) & 1:
                    out.append(data[pos])
                    pos += 1
                    continue
                token = int.from_bytes(data[pos:pos + 2], "little")
                pos += 2
                bits = _bit_count(len(out) - start)
                length = (token & (0xFFFF >> bits)) + 3
                source = len(out) - ((token >> (16 - bits)) + 1)
                if source < start:
                    raise OvbaError("a copy token points before its chunk")
                for k in range(length):  # byte by byte: a copy may overlap what it writes
                    out.append(out[source + k])
    return bytes(out)


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    seen: dict[bytes, list[int]] = {}  # 3-byte prefix -> positions it starts at, in order
    n, pos = len(chunk), 0

    def remember(at: int) -> None:
        if at + 3 <= n:
            seen.setdefault(chunk[at:at + 3], []).append(at)

    while pos < n:
        flag_at = len(out)
        out.append(0)
        for bit in range(8):
            if pos >= n:
                break
            bits = _bit_count(pos)
            longest = min((0xFFFF >> bits) + 3, n - pos)
            best, offset = 0, 0
            if longest >= 3:
                for candidate in reversed(seen.get(chunk[pos:pos + 3], [])[-256:]):  # nearest first
                    length = 3
                    while length < longest and chunk[candidate + length] == chunk[pos + length]:
                        length += 1
                    if length > best:
                        best, offset = length, pos - candidate
                        if length == longest:
                            break
            if best >= 3:
                out += (((offset - 1) << (16 - bits)) | (best - 3)).to_bytes(2, "little")
                out[flag_at] |= 1 << bit
                for at in range(pos, pos + best):
                    remember(at)
                pos += best
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
    return bytes(out)


def compress(data: bytes) -> bytes:
    out = bytearray(b"\x01")
    for start in range(0, len(data), CHUNK):
        chunk = data[start:start + CHUNK]
        body = _compress_chunk(chunk)
        if len(body) <= CHUNK:
            out += ((len(body) + 2 - 3) | (SIGNATURE << 12) | (1 << 15)).to_bytes(2, "little") + body
        elif len(chunk) == CHUNK:  # incompressible: stored raw
            out += ((CHUNK - 1) | (SIGNATURE << 12)).to_bytes(2, "little") + chunk
        else:
            raise OvbaError("the last chunk does not compress and cannot be stored raw")
    return bytes(out)
