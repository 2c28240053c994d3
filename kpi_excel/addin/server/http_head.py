"""A request's head (request line and headers) is bounded: 431 past :data:`MAX_HEAD_BYTES`.

uvicorn parses HTTP with httptools when it is installed, and httptools keeps a
header however long it grows: a 256 MB header was accepted (+727 MB). The
ASGI app only sees a request once its head is complete, so the limit has to be
in the protocol: this one counts what arrives until the head ends and answers
**431** with one line, then closes the connection. (uvicorn's h11 parser has a
limit of its own, 16 KB, but answers 400; it is used only when httptools is
missing.)
"""

from __future__ import annotations

from typing import Any

__all__ = ["MAX_HEAD_BYTES", "http_protocol"]

# The sign-in token is at most 16 KB (admin guide: Limits); the rest of an add-in's request
# head is well under 2 KB. Proxies in front (nginx: 4 x 8 KB) allow about this much too.
MAX_HEAD_BYTES = 64 * 1024
TOO_LARGE = b"Request header fields too large.\n"


try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # no httptools (or no server extra): uvicorn's h11 has a 16 KB head limit of its own
    HttpToolsProtocol = None


def http_protocol() -> Any:
    """The protocol for ``uvicorn.run(http=...)``: httptools with a bounded head, else h11's own limit."""
    return BoundedHeadProtocol if HttpToolsProtocol is not None else "h11"


if HttpToolsProtocol is not None:

    class BoundedHeadProtocol(HttpToolsProtocol):  # type: ignore[misc,valid-type]
        """httptools, refusing a head over :data:`MAX_HEAD_BYTES` with 431 before it is kept.

        At module level: several workers get the class by pickling it.
        """

        _head_bytes = 0
        _in_head = True

        def data_received(self, data: bytes) -> None:
            if self._in_head:
                self._head_bytes += len(data)  # body bytes in the same chunk count too: at most one chunk more
            super().data_received(data)
            if self._in_head and self._head_bytes > MAX_HEAD_BYTES and not self.transport.is_closing():
                self.logger.warning("Refused a request whose head is over %d bytes", MAX_HEAD_BYTES)
                self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\n"
                                     b"content-type: text/plain; charset=utf-8\r\n"
                                     b"content-length: " + str(len(TOO_LARGE)).encode() + b"\r\n"
                                     b"connection: close\r\n\r\n" + TOO_LARGE)
                self.transport.close()

        def on_headers_complete(self) -> None:
            self._in_head = False
            super().on_headers_complete()

        def on_message_complete(self) -> None:
            super().on_message_complete()
            self._in_head, self._head_bytes = True, 0  # the next request on this connection
