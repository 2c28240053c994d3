"""Words of a rendered PDF with their page and size, from poppler's ``pdftotext -bbox-layout``.

A word's box is as tall as its font's ascent plus descent, so its height is the
point size times a factor of the font; :func:`font_factor` measures that factor
from a page of known sizes rendered beside the report, so sizes are not guessed.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


@dataclass(frozen=True)
class Word:
    page: int  # 1-based
    text: str
    x: float
    y: float
    height: float


@dataclass(frozen=True)
class Page:
    number: int
    width: float  # points
    height: float
    words: tuple[Word, ...]

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


def pages(pdf: Path) -> list[Page]:
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=120).stdout
    out = []
    for number, (width, height, body) in enumerate(_PAGE.findall(html), start=1):
        words = tuple(Word(number, _unescape(t), float(x0), float(y0), float(y1) - float(y0))
                      for x0, y0, x1, y1, t in _WORD.findall(body))
        out.append(Page(number, float(width), float(height), words))
    return out


def _unescape(text: str) -> str:
    return text.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def font_factor(reference: list[Page], sizes: dict[str, float]) -> float:
    """Word height per point of font size, from words of known size (``{"Size8": 8}``)."""
    factors = [w.height / sizes[w.text] for p in reference for w in p.words if w.text in sizes]
    assert factors, "the reference page has none of its words"
    return sum(factors) / len(factors)
