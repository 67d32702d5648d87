"""House style, saving and chart primitives on tidy DataFrames.

Every plotting function takes a DataFrame, returns a matplotlib ``Figure`` with a
title (``fig.get_suptitle()``) and labelled axes, and never calls ``plt.show()``.
Categories use ``PALETTE`` (Okabe–Ito, colour-blind safe), heatmaps a perceptually
uniform map (``SEQUENTIAL``), signed values ``POSITIVE``/``NEGATIVE``.
Word clouds live in ``nqpf.clouds``. Chinese (simplified and traditional) is drawn with
``CJK_FONT``, a fallback after the house font, so English figures look as before.
"""

import functools
import re
import textwrap
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pylopdf_fonts_zh_cn
from matplotlib import font_manager, patheffects
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from nqpf import paths
from nqpf.checks import require_columns
from nqpf.layout import spring_layout

# Okabe & Ito (2008), ordered so the first colours stay distinct on white and in grey scale.
PALETTE = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#F0E442",  # yellow
    "#000000",  # black
)
POSITIVE = "#0072B2"
NEGATIVE = "#D55E00"
SEQUENTIAL = "cividis"
NEUTRAL = "#999999"  # edges, reference lines: never a category
HATCHES = ("", "//", "..", "xx")  # second, third … pass through PALETTE
DASHES = ("-", "--", ":", "-.")  # the same for lines
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
RASTER_TICKS = 2_000  # dispersion_plot: rasterise the ticks above this many hits

# Noto Sans SC (SIL Open Font License 1.1), installed with pip (package pylopdf-fonts-zh-cn):
# every GB 2312 and Big5 hanzi, so simplified and traditional text; no system font needed.
CJK_FONT = "Noto Sans SC"
CJK_FONT_PATH = str(pylopdf_fonts_zh_cn.sans_path())
font_manager.fontManager.addfont(CJK_FONT_PATH)

STYLE = {
    # DejaVu Sans is bundled with matplotlib: same metrics on every machine; glyphs it lacks
    # (Chinese) come from CJK_FONT (matplotlib's per-glyph font fallback).
    "font.family": ["DejaVu Sans", CJK_FONT],
    "font.size": 10,
    "axes.titlesize": 10,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "figure.titlesize": 12,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "image.cmap": SEQUENTIAL,
    "savefig.dpi": 150,
    "svg.fonttype": "none",  # text stays text: editable, searchable, deterministic
    "svg.hashsalt": "nqpf",  # stable element ids
    # text is shown as written: a "$" in a document id or a term never starts mathtext
    "text.parse_math": False,
}
SVG_METADATA = {"Date": None, "Creator": None}
PNG_METADATA = {"Software": None}
# zlib level 3 instead of 6: PNGs 0.5% larger, written 30% faster (measured on our figures)
PNG_OPTIONS = {"compress_level": 3}
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
             "alpha": 0.75}  # keeps labels readable over bubbles and edges
# a white edge keeps a line readable over dots of its own colour
OUTLINE = [patheffects.Stroke(linewidth=4, foreground="white"), patheffects.Normal()]
MAX_ANNOTATED_CELLS = 300  # heatmap: print values in at most this many cells by default
MAX_FLAT_COLUMNS = 12  # heatmap: up to this many column labels are written flat (wrapped)
TICK_WRAP = 14  # characters per line of a flat column label
ROW_WRAP = 30  # heatmap: columns per line of a row label and of a vertical column label
MAX_HEATMAP_WIDTH = 12.0  # inches; numbers are printed only if they fit in this width
MIN_HEATMAP_HEIGHT = 3.0  # inches: a matrix of one or two rows keeps a readable colour bar
PANEL_TITLE_WRAP = 36  # columns per line of a panel title (a Chinese character takes two)
MARKED_POINTS = 50  # lines: above this many points a series gets small markers, a thin line
DENSE_POINTS = 200  # lines: above this many points a series is dots under a moving average
SMOOTH_STEPS = 100  # lines: the moving average spans 1 / SMOOTH_STEPS of a dense series
LEGEND_WRAP = 24  # characters per line of a legend entry below a plot


@contextmanager
def style() -> Iterator[None]:
    """Context in which the house style (``STYLE`` rcParams) applies."""
    with mpl.rc_context(STYLE):
        yield


def set_style() -> None:
    """Apply the house style globally (once, at the top of a notebook)."""
    mpl.rcParams.update(STYLE)


def styled(func):
    """Build the figure inside ``style()`` so fonts and colours match everywhere."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style():
            return func(*args, **kwargs)

    return wrapper


def category_color(i: int) -> str:
    """Colour of the ``i``-th category (cycles through ``PALETTE``)."""
    return PALETTE[i % len(PALETTE)]


def _hatch(i: int) -> str:
    return HATCHES[(i // len(PALETTE)) % len(HATCHES)]


def _dash(i: int) -> str:
    return DASHES[(i // len(PALETTE)) % len(DASHES)]


# --- saving -------------------------------------------------------------------------------


def save_figure(fig: Figure, name: str, *, folder: Path) -> list[Path]:
    """Write ``name.png`` (150 dpi) and ``name.svg`` (byte-deterministic) into ``folder``.

    The figure's layout is frozen after the first save. Returns ``[png_path, svg_path]``.
    Notebooks save through ``outputs.Run.figure``, which also records the caption.
    """
    if not isinstance(name, str) or not NAME_RE.match(name):
        raise ValueError(
            f"figure name {name!r} is invalid: use letters, digits, '_' or '-' "
            "(no path separators, no extension)"
        )
    folder = paths.output_dir(folder)
    png, svg = folder / f"{name}.png", folder / f"{name}.svg"
    with style():
        # Settle the layout once (as drawing would) and freeze it, with the tight bounding
        # box measured once: PNG and SVG match, saving again writes the same bytes, and each
        # format draws once (with no layout engine left, savefig does not lay out first).
        if (engine := fig.get_layout_engine()) is not None and fig.axes:
            engine.execute(fig)
        with mpl.rc_context({"figure.autolayout": False, "figure.constrained_layout.use": False}):
            fig.set_layout_engine(None)
        bbox = fig.get_tightbbox().padded(mpl.rcParams["savefig.pad_inches"])
        fig.savefig(png, bbox_inches=bbox, metadata=PNG_METADATA, pil_kwargs=PNG_OPTIONS)
        fig.savefig(svg, bbox_inches=bbox, metadata=SVG_METADATA)
    return [png, svg]


def wrap_label(text, width: int) -> str:
    """``text`` broken at spaces into lines of at most ``width`` characters (long words kept)."""
    return textwrap.fill(str(text), width, break_long_words=False, break_on_hyphens=False)


def _columns(text: str) -> int:
    """Width of ``text`` in character columns: a Chinese (wide) character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _wrap_columns(text: str, width: int) -> str:
    """``text`` in lines of at most about ``width`` columns: broken at spaces, and a word
    longer than a line (a Chinese title has no spaces) cut between characters."""
    wide = _columns(text) > len(text)
    return textwrap.fill(text, width // 2 if wide else width, break_on_hyphens=False)


def _panel_title(key, width: int = PANEL_TITLE_WRAP) -> str:
    """``key`` wrapped for a panel title: at spaces, or between Chinese characters (two
    columns each), so neighbouring titles do not run into each other."""
    text = str(key)
    return _wrap_columns(text, width) if _columns(text) > len(text) else wrap_label(text, width)


def panel_grid(n: int, ncols: int, *, panel: tuple[float, float], **kwargs) -> tuple[Figure, list]:
    """Figure with ``n`` panels in rows of ``ncols``; unused cells removed. Every panel shows
    its x tick labels, also with ``sharex`` (a panel above a removed cell has no panel below)."""
    if ncols < 1:
        raise ValueError(f"ncols must be >= 1, got {ncols}")
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(panel[0] * ncols, panel[1] * nrows), layout="constrained",
        squeeze=False, **kwargs,
    )
    axes = list(axes.flat)
    for ax in axes[n:]:
        ax.remove()
    for ax in axes[:n]:
        ax.tick_params(axis="x", labelbottom=True)
    return fig, axes[:n]


# --- charts -------------------------------------------------------------------------------


@styled
def bar_grid(df: pd.DataFrame, *, group: str, label: str, value: str, title: str, xlabel: str,
             ylabel: str | None = None, ncols: int = 3, top: int | None = None,
             sharex: bool = False) -> Figure:
    """One horizontal bar panel per ``group`` value (order of first appearance).

    Bars show ``value`` per ``label``, largest on top; ``top`` keeps the n largest per panel.
    ``sharex``: one x scale for all panels, so bars compare across panels. A single panel
    gets no panel title (the figure title says it all).
    """
    require_columns(df, [group, label, value], "df", non_empty=True, numeric=[value])
    groups = list(pd.unique(df[group]))
    panels = [df[df[group] == g].sort_values(value, ascending=False, kind="stable").head(top)
              for g in groups]
    height = 0.8 + 0.22 * max(len(p) for p in panels)
    fig, axes = panel_grid(len(groups), ncols, panel=(3.4, height), sharex=sharex)
    for i, (ax, g, sub) in enumerate(zip(axes, groups, panels, strict=True)):
        ax.barh(range(len(sub))[::-1], sub[value], color=category_color(i),
                hatch=_hatch(i))
        ax.set_yticks(range(len(sub))[::-1], sub[label].astype(str))
        if len(groups) > 1:
            ax.set_title(_panel_title(g))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel or label)
    fig.suptitle(title)
    return fig


@styled
def diverging_bars(df: pd.DataFrame, *, label: str, value: str, title: str, xlabel: str,
                   ylabel: str | None = None, top: int = 15,
                   legend: tuple[str, str] | None = None) -> Figure:
    """The ``top`` largest positive and ``top`` most negative ``value`` per ``label``.

    Positive bars are ``POSITIVE`` (blue), negative ``NEGATIVE`` (vermillion); ``legend``
    names the two directions, e.g. ``("overused in target", "underused in target")``.
    """
    require_columns(df, [label, value], "df", non_empty=True, numeric=[value])
    ordered = df.sort_values(value, ascending=False, kind="stable")
    shown = pd.concat([ordered[ordered[value] > 0].head(top),
                       ordered[ordered[value] < 0].tail(top)])
    if shown.empty:
        raise ValueError(f"df column {value!r} has no non-zero values to plot")
    fig, ax = plt.subplots(figsize=(6.5, 0.8 + 0.22 * len(shown)), layout="constrained")
    ypos = np.arange(len(shown))[::-1]
    positive = (shown[value] > 0).to_numpy()
    colors = np.where(positive, POSITIVE, NEGATIVE)
    ax.barh(ypos, shown[value], color=colors)
    ax.axvline(0, color=NEUTRAL, linewidth=0.8)
    ax.set_yticks(ypos, shown[label].astype(str))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel or label)
    if legend is not None:
        handles = [Patch(color=c) for c in (POSITIVE, NEGATIVE)]
        ax.legend(handles, legend, loc="lower right", frameon=False)
    fig.suptitle(title)
    return fig


def _widest(labels: list[str]) -> int:
    """Columns of the widest line among ``labels`` (multi-line strings)."""
    return max(_columns(line) for label in labels for line in label.split("\n"))


def _most_lines(labels: list[str]) -> int:
    return max(label.count("\n") + 1 for label in labels)


def _text_color(rgba) -> str:
    """Black or white, whichever reads better on ``rgba``."""
    r, g, b = rgba[:3]
    return "black" if 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.45 else "white"


@styled
def heatmap(matrix: pd.DataFrame, *, title: str, xlabel: str, ylabel: str,
            annotate: bool | None = None, fmt: str = ".2f", cmap: str = SEQUENTIAL,
            vmin: float | None = None, vmax: float | None = None,
            colorbar_label: str = "") -> Figure:
    """Cell colours for a numeric matrix: index on the y axis, columns on the x axis.
    With ``cmap`` cividis (default) dark cells are LOW values, light (yellow) cells high.
    Column labels are written flat and wrapped (vertical above ``MAX_FLAT_COLUMNS`` columns
    or when too long); row labels wrap at ``ROW_WRAP`` columns. The figure grows with the
    labels and the printed values, so cells keep their width next to long (Chinese) labels.
    ``annotate``: print each value in its cell; None (default) does so up to
    ``MAX_ANNOTATED_CELLS`` cells and while the numbers fit in ``MAX_HEATMAP_WIDTH``,
    beyond which they could not be read."""
    require_columns(matrix, [], "matrix", non_empty=True)
    bad = [c for c in matrix.columns if not pd.api.types.is_numeric_dtype(matrix[c])]
    if bad:
        raise ValueError(f"matrix column(s) {bad} must be numeric")
    values = matrix.to_numpy(dtype=float)
    n_rows, n_cols = values.shape
    finite = values[np.isfinite(values)]
    numbers = finite.size > 0 and (annotate or (annotate is None
                                                and values.size <= MAX_ANNOTATED_CELLS))
    number = (0.15 + 0.07 * max(len(format(v, fmt)) for v in finite)  # inches, at 8 pt
              if numbers else 0.0)
    rows = [_wrap_columns(str(name), ROW_WRAP) for name in matrix.index]
    row_width = 0.2 + 0.075 * _widest(rows)  # inches, tick labels at 9 pt
    row_height = max(0.4, 0.1 + 0.17 * _most_lines(rows))
    names = [str(c) for c in matrix.columns]
    wrapped = [_wrap_columns(name, TICK_WRAP) for name in names]
    column = max(0.75, number, 0.16 + 0.075 * _widest(wrapped))
    flat = n_cols <= MAX_FLAT_COLUMNS and 1.3 + row_width + column * n_cols <= MAX_HEATMAP_WIDTH
    if flat:  # wrapped, horizontal
        names = wrapped
        label_height = 0.17 * _most_lines(names)
    else:  # too many or too long to write flat: vertical, never slanted
        names = [_wrap_columns(name, ROW_WRAP) for name in names]
        column = max(0.3, number, 0.05 + 0.17 * _most_lines(names))
        label_height = 0.075 * _widest(names)
    width = 1.3 + row_width + column * n_cols
    height = max(1.5 + row_height * n_rows + label_height, MIN_HEATMAP_HEIGHT)
    if annotate is None:  # the numbers only if each fits in its cell
        annotate = numbers and width <= MAX_HEATMAP_WIDTH
    fig, ax = plt.subplots(figsize=(min(width, MAX_HEATMAP_WIDTH), min(height, 14)),
                           layout="constrained")
    image = ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, aspect="auto")
    ax.set_xticks(range(n_cols), names, rotation=0 if flat else 90)
    ax.set_yticks(range(n_rows), rows)
    ax.spines[:].set_visible(False)
    if annotate:
        for (i, j), v in np.ndenumerate(values):
            if np.isfinite(v):
                ax.text(j, i, format(v, fmt), ha="center", va="center", fontsize=8,
                        color=_text_color(image.cmap(image.norm(v))))
    fig.colorbar(image, ax=ax, label=colorbar_label, shrink=0.8)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.suptitle(title)
    return fig


@styled
def stacked_bars(df: pd.DataFrame, *, title: str, xlabel: str, ylabel: str,
                 legend_title: str = "") -> Figure:
    """Horizontal stacked bars: one bar per row (e.g. document), one segment per column."""
    require_columns(df, [], "df", non_empty=True, numeric=list(df.columns))
    fig, ax = plt.subplots(figsize=(7.5, 1.0 + 0.35 * len(df)), layout="constrained")
    ypos = np.arange(len(df))[::-1]
    left = np.zeros(len(df))
    for i, column in enumerate(df.columns):
        ax.barh(ypos, df[column], left=left, color=category_color(i), hatch=_hatch(i),
                edgecolor="white", linewidth=0.5, label=str(column))
        left += df[column].to_numpy(dtype=float)
    ax.set_yticks(ypos, df.index.astype(str))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    _legend_below(fig, ax, title=legend_title)
    fig.suptitle(title)
    return fig


def _legend_below(fig: Figure, ax, *, title: str | None, ncols: int = 3, extra=()) -> None:
    """One figure legend for what ``ax`` drew (plus ``extra`` (handle, label) pairs), below
    the plot, entries wrapped at ``LEGEND_WRAP`` characters in up to ``ncols`` columns, so it
    is never wider than the plot."""
    handles, labels = ax.get_legend_handles_labels()
    for handle, label in extra:
        handles.append(handle)
        labels.append(label)
    if handles:
        fig.legend(handles, [wrap_label(label, LEGEND_WRAP) for label in labels],
                   title=title or None, loc="outside lower center",
                   ncols=min(ncols, len(handles)), frameon=False)


def _draw_lines(ax, df: pd.DataFrame, x: str, y: str, hue: str | None) -> bool:
    """One line per ``hue`` value (small markers past ``MARKED_POINTS``). A series of more than
    ``DENSE_POINTS`` points is drawn as small dots under its centred moving average (window
    1 / ``SMOOTH_STEPS`` of its points), which alone stays readable; returns whether any was."""
    series = [(None, df)] if hue is None else list(df.groupby(hue, sort=False))
    dense = False
    for i, (key, sub) in enumerate(series):
        sub = sub.sort_values(x, kind="stable")
        line = {"color": category_color(i), "marker": MARKERS[i % len(MARKERS)],
                "linestyle": _dash(i), "label": None if key is None else str(key)}
        if len(sub) <= DENSE_POINTS:
            small = len(sub) > MARKED_POINTS
            ax.plot(sub[x], sub[y], markersize=2.5 if small else 4,
                    linewidth=1.0 if small else 1.5, **line)
            continue
        dense = True
        ax.plot(sub[x], sub[y], color=line["color"], linestyle="none", marker=".",
                markersize=1.5, alpha=0.2, rasterized=True)
        window = -(-len(sub) // SMOOTH_STEPS)
        average = sub[y].rolling(window, center=True, min_periods=1).mean()
        ax.plot(sub[x], average, markersize=5, linewidth=1.8, markevery=len(sub) // 10,
                path_effects=OUTLINE, **line)
    return dense


def _legend_and_title(fig: Figure, ax, *, hue: str | None, title: str, extra=()) -> Figure:
    """Add one figure legend for the ``hue`` lines drawn on ``ax`` and ``extra`` (handle,
    label) pairs, below the plot (none without either), and the figure title; return ``fig``."""
    if hue is not None or extra:
        _legend_below(fig, ax, title=hue, extra=extra)
    fig.suptitle(title)
    return fig


@styled
def lines(df: pd.DataFrame, *, x: str, y: str, title: str, xlabel: str, ylabel: str,
          hue: str | None = None, panel: str | None = None, ncols: int = 3) -> Figure:
    """One line per ``hue`` value; with ``panel``, small multiples sharing both axes.

    When every ``x`` lies in 0..1 (a share, a relative position) the x axis spans 0 to 1.
    Long series (over ``DENSE_POINTS`` points) show as dots under a moving average, which
    the legend says."""
    require_columns(df, [x, y, hue, panel], "df", non_empty=True, numeric=[y])
    panels = [(None, df)] if panel is None else list(df.groupby(panel, sort=False))
    size = (6.5, 3.8) if len(panels) == 1 else (3.4, 2.6)
    fig, axes = panel_grid(len(panels), ncols, panel=size, sharex=True, sharey=True)
    dense = False
    for ax, (key, sub) in zip(axes, panels, strict=True):
        dense |= _draw_lines(ax, sub, x, y, hue)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if key is not None:
            ax.set_title(_panel_title(key))
    if pd.api.types.is_numeric_dtype(df[x]) and df[x].between(0, 1).all():
        axes[0].set_xlim(0, 1)  # shared by every panel
    extra = [(Line2D([], [], color=NEUTRAL, linestyle="none", marker="."),
              f"dots: single values; lines: moving average over {1 / SMOOTH_STEPS:.0%} "
              "of the points")] if dense else []
    return _legend_and_title(fig, axes[0], hue=hue, title=title, extra=extra)


@styled
def metric_panels(table: pd.DataFrame, *, x: str, metrics: list[str], title: str, xlabel: str,
                  hue: str | None = None, ncols: int = 3, mark: float | None = None,
                  mark_label: str = "chosen") -> Figure:
    """One panel per metric column (own y scale), ``x`` on the x axis, lines by ``hue``;
    ``mark``: a dashed vertical line at that ``x`` in every panel (named ``mark_label`` in
    the legend), e.g. the chosen K."""
    if not metrics:
        raise ValueError("metrics is empty: name at least one column to plot")
    require_columns(table, [x, hue, *metrics], "table", non_empty=True, numeric=metrics)
    fig, axes = panel_grid(len(metrics), ncols, panel=(3.4, 2.6), sharex=True)
    for ax, metric in zip(axes, metrics, strict=True):
        _draw_lines(ax, table, x, metric, hue)
        if mark is not None:
            ax.axvline(mark, color=NEUTRAL, linestyle="--", linewidth=1.2, zorder=0)
        ax.set_title(metric)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(metric)
    extra = [] if mark is None else [
        (Line2D([], [], color=NEUTRAL, linestyle="--", linewidth=1.2), f"{mark_label} ({mark:g})")]
    return _legend_and_title(fig, axes[0], hue=hue, title=title, extra=extra)


@styled
def dispersion_plot(hits: pd.DataFrame, *, title: str,
                    xlabel: str = "Position in document (0 = start, 1 = end)",
                    ylabel: str = "Document | term", doc_ids=None, terms=None) -> Figure:
    """Lexical dispersion: one row per (doc_id, term), a tick at each hit.

    hits: columns ``doc_id, term, relative_position`` (0–1). Rows are sorted unless
    ``doc_ids``/``terms`` give the order (and add rows for pairs without hits); one colour
    per term. Above ``RASTER_TICKS`` hits the ticks are rasterised (the SVG embeds them as an
    image), so the file's size does not grow with the number of hits.
    """
    require_columns(hits, ["doc_id", "term", "relative_position"], "hits", non_empty=True,
                    numeric=["relative_position"])
    position = hits["relative_position"]
    if ((position < 0) | (position > 1)).any():
        raise ValueError("hits column 'relative_position' must lie between 0 and 1")
    doc_ids = sorted(pd.unique(hits["doc_id"])) if doc_ids is None else list(doc_ids)
    terms = sorted(pd.unique(hits["term"])) if terms is None else list(terms)
    rows = [(d, t) for d in doc_ids for t in terms]
    fig, ax = plt.subplots(figsize=(9.0, 1.5 + 0.28 * len(rows)), layout="constrained")
    for r, (d, t) in enumerate(rows):
        xs = position[(hits["doc_id"] == d) & (hits["term"] == t)]
        y = len(rows) - 1 - r
        ax.vlines(xs, y - 0.35, y + 0.35, color=category_color(terms.index(t)),
                  linewidth=1.2, label=t if d == doc_ids[0] else None,
                  rasterized=len(hits) > RASTER_TICKS)
    for k in range(1, len(doc_ids)):
        ax.axhline(len(rows) - k * len(terms) - 0.5, color=NEUTRAL, linewidth=0.5)
    ax.set_yticks(range(len(rows))[::-1], [f"{d} | {t}" for d, t in rows])
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.6, len(rows) - 0.4)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    fig.legend(title="term", loc="outside lower center", ncols=min(len(terms), 4), frameon=False)
    fig.suptitle(title)
    return fig


@styled
def histograms(df: pd.DataFrame, *, value: str, group: str, title: str, xlabel: str,
               ylabel: str = "Count", bins: int = 15, ncols: int = 3) -> Figure:
    """One histogram of ``value`` per ``group`` value, with shared bins and axes."""
    require_columns(df, [value, group], "df", non_empty=True, numeric=[value])
    edges = np.histogram_bin_edges(df[value].dropna(), bins=bins)
    groups = list(df.groupby(group, sort=False))
    fig, axes = panel_grid(len(groups), ncols, panel=(3.2, 2.4), sharex=True, sharey=True)
    for i, (ax, (key, sub)) in enumerate(zip(axes, groups, strict=True)):
        ax.hist(sub[value].dropna(), bins=edges, color=category_color(i),
                edgecolor="white", linewidth=0.5)
        ax.set_title(f"{key} (n = {len(sub)})")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
    fig.suptitle(title)
    return fig


@styled
def bubble_map(df: pd.DataFrame, *, x: str, y: str, size: str, label: str, title: str,
               xlabel: str = "Dimension 1", ylabel: str = "Dimension 2",
               max_area: float = 3000.0, size_label: str | None = None,
               size_format: str = "{:.2g}") -> Figure:
    """Intertopic-distance style map: one bubble per row, area proportional to ``size``, in
    its own ``PALETTE`` colour, labelled with ``label`` (wrapped at 18 characters).

    Both axes have the same scale (a distance reads the same in every direction) and the
    plot leaves room for the labels; a legend below shows three reference sizes (the largest,
    half and a quarter of it, formatted with ``size_format``), titled ``size_label``."""
    require_columns(df, [x, y, size, label], "df", non_empty=True, numeric=[x, y, size])
    if (df[size] < 0).any():
        raise ValueError(f"df column {size!r} must be non-negative (it sets bubble area)")
    peak = df[size].max()
    areas = df[size] / peak * max_area if peak > 0 else np.full(len(df), max_area / 4)
    colors = [category_color(i) for i in range(len(df))]
    fig, ax = plt.subplots(figsize=(6.5, 7.0), layout="constrained")
    ax.scatter(df[x], df[y], s=areas, color=colors, alpha=0.45, edgecolor=colors)
    for _, row in df.iterrows():
        ax.annotate(wrap_label(row[label], 18), (row[x], row[y]), ha="center", va="center",
                    fontsize=9, bbox=LABEL_BOX)
    ax.axhline(0, color=NEUTRAL, linewidth=0.5)
    ax.axvline(0, color=NEUTRAL, linewidth=0.5)
    xs, ys = df[x].to_numpy(dtype=float), df[y].to_numpy(dtype=float)
    span = max(np.ptp(xs), np.ptp(ys)) or 1.0
    half = 0.5 * span + 0.45 * span  # room for bubbles and labels at the edge
    mid_x, mid_y = (xs.max() + xs.min()) / 2, (ys.max() + ys.min()) / 2
    ax.set_xlim(mid_x - half, mid_x + half)
    ax.set_ylim(mid_y - half, mid_y + half)
    ax.set_aspect("equal")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if peak > 0:
        steps = [peak, peak / 2, peak / 4]
        handles = [Line2D([], [], marker="o", linestyle="", markersize=float(np.sqrt(
            v / peak * max_area)), color=NEUTRAL, alpha=0.45) for v in steps]
        room = np.sqrt(max_area) / mpl.rcParams["legend.fontsize"]  # largest marker, in font sizes
        fig.legend(handles, [size_format.format(v) for v in steps], title=size_label or size,
                   loc="outside lower center", ncols=3, frameon=False, handleheight=room,
                   handlelength=room, columnspacing=2, handletextpad=0.8)
    fig.suptitle(title)
    return fig


@styled
def network(edges: pd.DataFrame, *, source: str, target: str, weight: str, title: str,
            node_size: Mapping | pd.Series | None = None, random_state: int = 0,
            max_area: float = 1200.0) -> Figure:
    """Undirected weighted network (e.g. term co-occurrence), drawn with matplotlib only.

    Edge width ∝ ``weight``; node area ∝ ``node_size[node]`` (default: weighted degree);
    labels show ``_`` as spaces, wrapped at 16 characters.
    Layout: ``spring_layout`` with ``random_state``; nodes in sorted order, so deterministic.
    """
    require_columns(edges, [source, target, weight], "edges", non_empty=True,
                    numeric=[weight])
    if (edges[weight] <= 0).any():
        raise ValueError(f"edges column {weight!r} must be positive")
    edges = edges[edges[source] != edges[target]]
    nodes = sorted(set(edges[source].astype(str)) | set(edges[target].astype(str)))
    if not nodes:
        raise ValueError("edges has only self-loops: nothing to draw")
    index = {node: i for i, node in enumerate(nodes)}
    w = np.zeros((len(nodes), len(nodes)))
    for s, t, v in zip(edges[source].astype(str), edges[target].astype(str), edges[weight],
                       strict=True):
        w[index[s], index[t]] += v
        w[index[t], index[s]] += v
    pos = spring_layout(w, random_state=random_state)
    if node_size is None:
        sizes = w.sum(axis=1)
    else:
        missing = [node for node in nodes if node not in node_size]
        if missing:
            raise ValueError(f"node_size has no value for node(s) {missing[:10]}")
        sizes = np.array([node_size[node] for node in nodes], dtype=float)
    areas = 80 + sizes / sizes.max() * max_area
    fig, ax = plt.subplots(figsize=(7.5, 6.5), layout="constrained")
    pairs = np.argwhere(np.triu(w) > 0)
    ax.add_collection(LineCollection(
        [pos[[i, j]] for i, j in pairs], linewidths=0.5 + 3.5 * w[tuple(pairs.T)] / w.max(),
        colors=NEUTRAL, alpha=0.6, zorder=1,
    ))
    ax.scatter(pos[:, 0], pos[:, 1], s=areas, color=PALETTE[5], edgecolor=PALETTE[0], zorder=2)
    for node, (px, py) in zip(nodes, pos, strict=True):
        ax.annotate(wrap_label(node.replace("_", " "), 16), (px, py), ha="center",
                    va="center", fontsize=9, bbox=LABEL_BOX, zorder=3)
    ax.margins(0.12)
    ax.set_axis_off()
    fig.suptitle(title)
    return fig


@styled
def interval_lines(df: pd.DataFrame, *, x: str, y: str, low: str, high: str, title: str,
                   xlabel: str, ylabel: str, hue: str | None = None, panel: str | None = None,
                   ncols: int = 3, sharey: bool = True) -> Figure:
    """Lines of ``y`` over ``x`` (numbers or dates) with a shaded ``low``–``high`` band (an
    interval; NaN bounds leave a gap, so a point without an interval shows as a bare dot);
    one line per ``hue`` value, one panel per ``panel`` value (small multiples)."""
    require_columns(df, [x, y, low, high, hue, panel], "df", non_empty=True,
                    numeric=[y, low, high])
    panels = [(None, df)] if panel is None else list(df.groupby(panel, sort=False))
    size = (6.5, 3.8) if len(panels) == 1 else (3.4, 2.6)
    fig, axes = panel_grid(len(panels), ncols, panel=size, sharex=True, sharey=sharey)
    for ax, (key, sub) in zip(axes, panels, strict=True):
        series = [(None, sub)] if hue is None else list(sub.groupby(hue, sort=False))
        for i, (name, part) in enumerate(series):
            part = part.sort_values(x, kind="stable")
            ax.fill_between(part[x], part[low], part[high], color=category_color(i),
                            alpha=0.25, linewidth=0)
            ax.plot(part[x], part[y], color=category_color(i), marker=MARKERS[i % len(MARKERS)],
                    linestyle=_dash(i), markersize=4, linewidth=1.5,
                    label=None if name is None else str(name))
        if pd.api.types.is_datetime64_any_dtype(df[x]):  # short date ticks that do not overlap
            locator = mdates.AutoDateLocator(maxticks=5)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if key is not None:
            ax.set_title(_panel_title(key))
    return _legend_and_title(fig, axes[0], hue=hue, title=title)


@styled
def interval_dots(df: pd.DataFrame, *, label: str, y: str, low: str, high: str, title: str,
                  xlabel: str, ylabel: str | None = None, panel: str | None = None,
                  ncols: int = 3) -> Figure:
    """One dot per ``label`` value (a group, a coefficient) at ``y`` with a ``low``–``high``
    bar, labels on the y axis in order of first appearance; one panel per ``panel`` value."""
    require_columns(df, [label, y, low, high, panel], "df", non_empty=True,
                    numeric=[y, low, high])
    panels = [(None, df)] if panel is None else list(df.groupby(panel, sort=False))
    n_labels = df[label].nunique()
    fig, axes = panel_grid(len(panels), ncols, panel=(3.6, 0.9 + 0.3 * n_labels), sharex=True,
                           sharey=True)
    for i, (ax, (key, sub)) in enumerate(zip(axes, panels, strict=True)):
        ypos = np.arange(len(sub))[::-1]
        ax.errorbar(sub[y], ypos, xerr=[sub[y] - sub[low], sub[high] - sub[y]], fmt="o",
                    color=category_color(i), markersize=5, capsize=3, linewidth=1.2)
        ax.set_yticks(ypos, [wrap_label(v, 28) for v in sub[label]])
        ax.set_ylim(-0.6, len(sub) - 0.4)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel or label)
        if key is not None:
            ax.set_title(_panel_title(key))
    fig.suptitle(title)
    return fig
