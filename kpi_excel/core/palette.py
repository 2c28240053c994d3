"""RAG colours every door uses, chosen for contrast (WCAG AA: 4.5:1 or more).

The RAG word is always written in the cell as well: colour only repeats it.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Swatch", "RAG_COLOURS", "STATUS_COLOURS", "status_swatch", "QUARTILE_COLOURS", "COMPARISON_COLOURS", "FUNNEL_COLOURS", "contrast_ratio",
           "HEADER"]


@dataclass(frozen=True)
class Swatch:
    """A fill and the text colour to write on it, as RRGGBB."""

    fill: str
    font: str


RAG_COLOURS: dict[str, Swatch] = {
    "Red": Swatch("C00000", "FFFFFF"),
    "Amber": Swatch("FFC000", "000000"),
    "Green": Swatch("00703C", "FFFFFF"),
    "N/A": Swatch("E7E6E6", "000000"),
}

# The statuses some councils' keys add (issue 19), and every status's colours: Yellow
# between Green and Amber (Isle of Anglesey), Blue beyond Green (Swansea's TTAF).
STATUS_COLOURS: dict[str, Swatch] = {
    **RAG_COLOURS,
    "Yellow": Swatch("FFFF00", "000000"),
    "Blue": Swatch("0070C0", "FFFFFF"),
}


def status_swatch(word: str, status: str | None = None) -> Swatch | None:
    """The colours for a status as a council writes it: the status's own (Blue,
    Yellow, ...), else the colour its name starts with (Harlow's "Green star",
    "Blue circle"), else ``status``'s; None for a word that is none of these."""
    found = STATUS_COLOURS.get(word)
    if found is None:
        first = word.strip().split(" ")[0].capitalize() if word.strip() else ""
        found = STATUS_COLOURS.get(first) or (STATUS_COLOURS.get(status) if status else None)
    return found


# Quartile shading: light tints so the number stays the thing you read.
QUARTILE_COLOURS: dict[int, Swatch] = {
    1: Swatch("C6EFCE", "003300"),
    2: Swatch("E2F0D9", "1F3B1F"),
    3: Swatch("FFF2CC", "3F3000"),
    4: Swatch("F8CBAD", "4D0F00"),
}

# "vs England" as Fingertips colours it: green better, amber similar, red worse;
# blues for higher/lower when the indicator has no polarity. The word is always written too.
COMPARISON_COLOURS: dict[str, Swatch] = {
    "Better": Swatch("00703C", "FFFFFF"),
    "Similar": Swatch("FFC000", "000000"),
    "Worse": Swatch("C00000", "FFFFFF"),
    "Higher": Swatch("BDD7EE", "1F3864"),
    "Lower": Swatch("1F4E79", "FFFFFF"),
}

# Funnel plot: other authorities, ours, the average and the two pairs of limits (line colours).
FUNNEL_COLOURS = {"others": "8EA9C1", "ours": "C00000", "average": "404040", "limit95": "7F7F7F",
                  "limit998": "262626"}

HEADER = Swatch("1F4E79", "FFFFFF")


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str) -> float:
    """WCAG contrast ratio of two RRGGBB colours (1 to 21)."""
    lighter, darker = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
