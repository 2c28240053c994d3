"""One chart per indicator for the committee paper, drawn with matplotlib.

One Agg figure is made once, with its artists (the value line, the latest
point, the target and England lines, the comparators' band, the title and the
key); each indicator only updates their data and text, then the figure is
saved as a PNG into memory. No pyplot state, no window, no process per chart,
and no axes rebuilt per chart (rebuilding ticks and text is most of what a
fresh chart costs), so 2,000 charts cost 2,000 redraws and nothing more.
Text is what a redraw spends its time on, so the chart carries only its axis
labels: the indicator's name is a heading above the picture and the key is
said once in the paper (both real text in the document, which also reads
better aloud than text inside a picture).

Each chart shows the indicator's history (gaps where a period has no value,
the latest point marked), its target as a dashed line and, where it is
benchmarked, England as a dotted line and the comparators' middle half
(lower to upper quartile) as a band, both labelled with the benchmark period,
and the authority's own value that was ranked (the KPIs sheet's Benchmark
Value) as a diamond: at its period when the history has it, else in a slot of
its own at the right labelled with the benchmark period, so the band and
England are read against the figure the quartile is of.
"""

from __future__ import annotations

import io
import math

from kpi_excel.core.benchmark import same_benchmark_period
from kpi_excel.app.paper.content import PaperIndicator

__all__ = ["ChartDrawer", "CHART_WIDTH_CM", "CHART_HEIGHT_CM"]

CHART_WIDTH_CM, CHART_HEIGHT_CM = 16.0, 5.5
_BLUE, _ORANGE, _RED, _GREY, _BAND = "#1F4E79", "#C55A11", "#C00000", "#595959", "#BDD7EE"


class ChartDrawer:
    """Draws :class:`PaperIndicator` histories as PNG bytes, reusing one figure and its artists."""

    def __init__(self, dpi: int = 100) -> None:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
        from matplotlib.ticker import FuncFormatter, MaxNLocator, ScalarFormatter

        self.dpi = dpi
        self.figure = Figure(figsize=(CHART_WIDTH_CM / 2.54, CHART_HEIGHT_CM / 2.54), dpi=dpi)
        FigureCanvasAgg(self.figure)
        ax = self.axes = self.figure.add_axes((0.08, 0.2, 0.9, 0.75))
        self.band = ax.axhspan(0, 1, color=_BAND, alpha=0.6, lw=0)
        self.england = ax.axhline(0, color=_GREY, ls=":", lw=1.2)
        self.target = ax.axhline(0, color=_RED, ls="--", lw=1.2)
        (self.line,) = ax.plot([], [], color=_BLUE, marker="o", ms=3.5, lw=1.6)
        (self.latest,) = ax.plot([], [], color=_ORANGE, marker="o", ms=6, ls="none")
        (self.ranked,) = ax.plot([], [], color=_GREY, marker="D", ms=6, ls="none", mec="black", mew=0.6)
        ax.tick_params(axis="y", labelsize=7)
        ax.tick_params(axis="x", labelsize=6.5)
        ax.yaxis.set_major_locator(MaxNLocator(nbins=4))
        ax.grid(axis="y", color="#D9D9D9", lw=0.6)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        self._percent, self._plain = FuncFormatter(lambda v, _: f"{v:g}%"), ScalarFormatter()
        self._ticks = -1
        self.drawn = 0

    def draw(self, indicator: PaperIndicator) -> bytes:
        """The indicator's chart as a PNG (the caller checks it has a history)."""
        history = indicator.history
        assert history is not None
        ax = self.axes
        points = history.points
        n = len(points)
        labels = [p.period for p in points]
        ranked_at = None
        if indicator.benchmark_value is not None:
            ranked_at = next((i for i, label in enumerate(labels)
                              if same_benchmark_period(indicator.benchmark_period, label)), None)
            if ranked_at is None:  # a slot of its own, after the history
                ranked_at = n
                labels.append(f"{indicator.benchmark_period or 'benchmark'} ranked")
        slots = len(labels)
        if slots != self._ticks:
            ax.set_xticks(range(slots))
            ax.set_xlim(-0.5, slots - 0.5)
            self._ticks = slots
        slanted = max(map(len, labels), default=0) * slots > 100  # slant only labels that would collide
        ax.set_xticklabels(labels, rotation=30 if slanted else 0, ha="right" if slanted else "center")
        ys = [math.nan if p.value is None else p.value for p in points]
        self.line.set_data(range(n), ys)
        known = [i for i, y in enumerate(ys) if not math.isnan(y)]
        last = known[-1] if known else None
        self.latest.set_data([last] if last is not None else [], [ys[last]] if last is not None else [])
        shown = [y for y in ys if not math.isnan(y)]
        self.ranked.set_data([ranked_at] if ranked_at is not None else [],
                             [indicator.benchmark_value] if ranked_at is not None else [])
        if indicator.benchmark_value is not None:
            shown.append(indicator.benchmark_value)
        for artist, value in ((self.target, indicator.target_value), (self.england, indicator.england)):
            artist.set_visible(value is not None)
            if value is not None:
                artist.set_ydata([value, value])
                shown.append(value)
        self.band.set_visible(indicator.band is not None)
        if indicator.band is not None:
            low, high = indicator.band
            self.band.set_y(low)
            self.band.set_height(high - low)
            shown += [low, high]
        low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
        pad = (high - low) * 0.08 or abs(high) * 0.1 or 1.0
        ax.set_ylim(low - pad, high + pad)
        ax.yaxis.set_major_formatter(self._percent if history.percent else self._plain)
        out = io.BytesIO()
        self.figure.savefig(out, format="png", dpi=self.dpi, pil_kwargs={"compress_level": 3})
        self.drawn += 1
        return out.getvalue()
