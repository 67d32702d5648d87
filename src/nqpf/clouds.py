"""Deterministic word clouds in the house style (see ``nqpf.figures``).

wordcloud only places the words; the figure draws each word as matplotlib text at its final
size, so the PNG is sharp and the SVG holds real, searchable text (no embedded bitmap).
Words are set in the house font (DejaVu Sans; Chinese clouds in ``figures.CJK_FONT``, Noto
Sans SC). Phrase tokens are shown with spaces (``high_quality_development`` -> "high quality
development"); each word keeps one Okabe–Ito colour in every cloud (chosen from a stable
hash of the word), so the same term looks the same across figures. Personal and place names
can be left out with an editable list (``data/lexicon/cloud_names.txt``, ``load_names``).
"""

import zlib
from collections.abc import Collection, Mapping
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib import font_manager
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from PIL import ImageFont
from wordcloud import WordCloud

from nqpf import paths
from nqpf.boilerplate import CJK
from nqpf.figures import CJK_FONT_PATH, styled

# Okabe–Ito colours dark enough for text on white (no yellow, sky blue or orange).
CLOUD_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#000000")
MIN_FONT_SIZE = 9  # pixels of the layout (1 px = 1/100 inch on the page); smaller are left out
PIXELS_PER_INCH = 100  # layout pixels per inch of the figure: word sizes are final sizes
LATIN_FONT_PATH = font_manager.findfont(FontProperties(family="DejaVu Sans"),
                                        fallback_to_default=False)
NAMES_FILE = paths.LEXICON / "cloud_names.txt"
LAYOUT_COLUMNS = ["word", "weight", "font_size", "x", "y", "color"]


def word_color(word: str, *args, **kwargs) -> str:
    """Colour of ``word``: the same in every cloud and every run (WordCloud color_func)."""
    return CLOUD_COLORS[zlib.crc32(word.encode("utf-8")) % len(CLOUD_COLORS)]


def load_names(path: str | Path = NAMES_FILE) -> frozenset[str]:
    """The tokens to leave out of word clouds (personal and place names): one token per line
    as ``nqpf.tokenize`` writes it (lower case, ``_`` inside phrases); ``#`` starts a comment."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"cannot read the word-cloud names list {path}: {error}") from error
    return frozenset(word for line in lines if (word := line.split("#", 1)[0].strip().lower()))


def cloud_frequencies(frequencies: Mapping | pd.Series, *, exclude: Collection[str] = (),
                      name: str = "frequencies") -> dict[str, float]:
    """{token: weight} -> {display text: weight > 0}, largest first, ties alphabetical.

    Tokens in ``exclude`` (compared in lower case) are left out; ``_`` in phrase tokens
    becomes a space; zero weights are dropped.
    """
    if not isinstance(frequencies, Mapping | pd.Series):
        raise ValueError(f"{name} must be a dict or Series, got {type(frequencies).__name__}")
    excluded = {str(word).lower() for word in exclude}
    items = [(str(word), float(value)) for word, value in frequencies.items()
             if str(word).lower() not in excluded]
    negative = [word for word, value in items if value < 0]
    if negative:
        raise ValueError(f"{name} has negative frequencies for {negative[:10]}")
    items = sorted(((w.replace("_", " "), v) for w, v in items if v > 0),
                   key=lambda item: (-item[1], item[0]))
    if not items:
        raise ValueError(f"{name} has no positive frequencies: nothing to draw")
    return dict(items)


def _font_path(words) -> str:
    return CJK_FONT_PATH if any(CJK.search(word) for word in words) else LATIN_FONT_PATH


def _fitted(frequencies: Mapping | pd.Series, *, exclude, random_state: int, width: int,
            height: int, max_words: int) -> WordCloud:
    frequencies = cloud_frequencies(frequencies, exclude=exclude)
    cloud = WordCloud(
        font_path=_font_path(frequencies), width=width, height=height, max_words=max_words,
        random_state=random_state, background_color="white", color_func=word_color,
        prefer_horizontal=1.0, margin=4, relative_scaling=0.5, collocations=False,
        min_font_size=MIN_FONT_SIZE,
    )
    return cloud.generate_from_frequencies(frequencies)


def cloud_layout(frequencies: Mapping | pd.Series, *, exclude: Collection[str] = (),
                 random_state: int = 0, width: int = 800, height: int = 400,
                 max_words: int = 100) -> pd.DataFrame:
    """Where each word goes on a ``width`` x ``height`` pixel canvas: DataFrame (n_words, 6),
    columns ``word, weight, font_size`` (pixels), ``x, y`` (the word's baseline start, pixels
    from the top left), ``color``. Words that do not fit at ``MIN_FONT_SIZE`` are left out."""
    cloud = _fitted(frequencies, exclude=exclude, random_state=random_state, width=width,
                    height=height, max_words=max_words)
    rows = []
    for (word, weight), font_size, (top, left), _, color in cloud.layout_:
        font = ImageFont.truetype(cloud.font_path, font_size)
        # wordcloud puts the top of the word's ink at ``top``: the baseline lies as far below
        # as the ink rises above it
        rise = -font.getbbox(word, anchor="ls")[1]
        rows.append((word, weight, font_size, left, top + rise, color))
    return pd.DataFrame(rows, columns=LAYOUT_COLUMNS)


def cloud_image(frequencies: Mapping | pd.Series, *, exclude: Collection[str] = (),
                random_state: int = 0, width: int = 800, height: int = 400,
                max_words: int = 100) -> np.ndarray:
    """The cloud as a bitmap: RGB array (height, width, 3), as wordcloud draws it."""
    return _fitted(frequencies, exclude=exclude, random_state=random_state, width=width,
                   height=height, max_words=max_words).to_array()


def draw_cloud(ax, layout: pd.DataFrame, *, width: int, height: int) -> None:
    """Draw a ``cloud_layout`` on ``ax`` as text (``PIXELS_PER_INCH`` layout pixels per inch,
    so the sizes on the page are the sizes of the layout)."""
    font = FontProperties(fname=_font_path(layout["word"]))
    for row in layout.itertuples(index=False):
        ax.text(row.x, row.y, row.word, fontproperties=font, color=row.color,
                fontsize=row.font_size * 72 / PIXELS_PER_INCH, va="baseline", ha="left")
    ax.set_xlim(0, width)
    ax.set_ylim(height, 0)
    ax.set_axis_off()


def _cloud_figure(layouts: dict, *, title: str, ncols: int, width: float, height: float,
                  panel_titles: bool) -> Figure:
    """Panels of exactly ``width`` x ``height`` inches (no layout engine may shrink them, so a
    layout pixel stays 1/``PIXELS_PER_INCH`` inch), in rows of ``ncols``, under ``title``."""
    ncols = max(1, min(ncols, len(layouts)))
    nrows = -(-len(layouts) // ncols)
    gap, head, panel_head = 0.25, 0.55, (0.45 if panel_titles else 0.0)
    fig_w = ncols * width + (ncols - 1) * gap
    fig_h = head + nrows * (height + panel_head)
    fig = plt.figure(figsize=(fig_w, fig_h))
    for i, (group, layout) in enumerate(layouts.items()):
        row, col = divmod(i, ncols)
        left = col * (width + gap)
        bottom = fig_h - head - (row + 1) * (height + panel_head)
        ax = fig.add_axes((left / fig_w, bottom / fig_h, width / fig_w, height / fig_h))
        draw_cloud(ax, layout, width=round(width * PIXELS_PER_INCH),
                   height=round(height * PIXELS_PER_INCH))
        if panel_titles:
            ax.set_title(str(group))
    fig.suptitle(title, y=1 - 0.12 / fig_h, va="top")
    return fig


@styled
def word_cloud(frequencies: Mapping | pd.Series, *, title: str, exclude: Collection[str] = (),
               random_state: int = 0, width: float = 8.0, height: float = 4.0,
               max_words: int = 100) -> Figure:
    """One word cloud (word size ∝ frequency) as a Figure titled ``title``; the cloud is
    ``width`` x ``height`` inches, laid out at that size (see ``cloud_layout``)."""
    layout = cloud_layout(frequencies, exclude=exclude, random_state=random_state,
                          width=round(width * PIXELS_PER_INCH),
                          height=round(height * PIXELS_PER_INCH), max_words=max_words)
    return _cloud_figure({title: layout}, title=title, ncols=1, width=width, height=height,
                         panel_titles=False)


@styled
def cloud_grid(freq_by_group: Mapping[str, Mapping | pd.Series], *, title: str, ncols: int = 2,
               exclude: Collection[str] = (), random_state: int = 0, width: float = 4.6,
               height: float = 2.6, max_words: int = 60) -> Figure:
    """One word cloud per group (panel titled with the group key), same colours throughout;
    each panel ``width`` x ``height`` inches, laid out at that size."""
    if not isinstance(freq_by_group, Mapping) or not freq_by_group:
        raise ValueError("freq_by_group must be a non-empty dict {group: frequencies}")
    layouts = {group: cloud_layout(frequencies, exclude=exclude, random_state=random_state,
                                   width=round(width * PIXELS_PER_INCH),
                                   height=round(height * PIXELS_PER_INCH), max_words=max_words)
               for group, frequencies in freq_by_group.items()}
    return _cloud_figure(layouts, title=title, ncols=ncols, width=width, height=height,
                         panel_titles=True)
