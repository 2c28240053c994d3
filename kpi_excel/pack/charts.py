"""One chart per indicator for the committee paper, drawn with matplotlib.

One Agg figure is made once and redrawn for every indicator (``Axes.clear``
then draw, then PNG into memory): no pyplot state, no window, no process per
chart, so 2,000 charts cost 2,000 redraws and nothing more.

Each chart shows the indicator's history (gaps where a period has no value,
the latest point marked), its target as a dashed line and, where it is
benchmarked, England as a dotted line and the comparators' middle half
(lower to upper quartile) as a band, both labelled with the benchmark period.
"""

from __future__ import annotations

import io
import math
import textwrap

from kpi_excel.pack.content import PaperIndicator

__all__ = ["ChartDrawer", "CHART_WIDTH_CM", "CHART_HEIGHT_CM"]

CHART_WIDTH_CM, CHART_HEIGHT_CM = 16.0, 6.2
_BLUE, _ORANGE, _RED, _GREY, _BAND = "#1F4E79", "#C55A11", "#C00000", "#595959", "#BDD7EE"


class ChartDrawer:
    """Draws :class:`PaperIndicator` histories as PNG bytes, reusing one figure."""

    def __init__(self, dpi: int = 110) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter

        self.figure = Figure(figsize=(CHART_WIDTH_CM / 2.54, CHART_HEIGHT_CM / 2.54), dpi=dpi)
        FigureCanvasAgg(self.figure)
        self.axes = self.figure.add_axes((0.08, 0.27, 0.6, 0.6))
        self._percent = FuncFormatter(lambda v, _: f"{v:g}%")
        self.drawn = 0

    def draw(self, indicator: PaperIndicator) -> bytes:
        """The indicator's chart as a PNG (the caller checks it has a history)."""
        history = indicator.history
        assert history is not None
        ax = self.axes
        ax.clear()
        points = history.points
        xs = list(range(len(points)))
        ys = [math.nan if p.value is None else p.value for p in points]
        if indicator.band is not None:
            ax.axhspan(*indicator.band, color=_BAND, alpha=0.6, lw=0,
                       label=f"Comparators' middle half{_when(indicator)}")
        if indicator.england is not None:
            ax.axhline(indicator.england, color=_GREY, ls=":", lw=1.2, label=f"England{_when(indicator)}")
        if indicator.target_value is not None:
            ax.axhline(indicator.target_value, color=_RED, ls="--", lw=1.2, label=f"Target {indicator.target}")
        ax.plot(xs, ys, color=_BLUE, marker="o", ms=3.5, lw=1.6, label="Value")
        known = [i for i, y in enumerate(ys) if not math.isnan(y)]
        if known:
            last = known[-1]
            ax.plot([last], [ys[last]], color=_ORANGE, marker="o", ms=6, ls="none", label=f"Latest ({points[last].period})")
        ax.set_xticks(xs, [p.period for p in points], fontsize=6.5, rotation=30, ha="right")
        ax.tick_params(axis="y", labelsize=7)
        if history.percent:
            ax.yaxis.set_major_formatter(self._percent)
        ax.set_xlim(-0.5, len(points) - 0.5)
        ax.grid(axis="y", color="#D9D9D9", lw=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        ax.set_title("\n".join(textwrap.wrap(indicator.status.indicator, 60)[:2]), fontsize=8, loc="left")
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize=6.5, frameon=False)
        out = io.BytesIO()
        self.figure.savefig(out, format="png")
        self.drawn += 1
        return out.getvalue()


def _when(indicator: PaperIndicator) -> str:
    return f" ({indicator.benchmark_period})" if indicator.benchmark_period else ""
