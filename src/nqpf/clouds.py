"""Deterministic word clouds in the house style (see ``nqpf.figures``).

Phrase tokens are shown with spaces (``high_quality_development`` -> "high quality
development"); each word keeps one Okabe–Ito colour in every cloud (chosen from a stable
hash of the word), so the same term looks the same across figures. Clouds with Chinese words
are drawn in ``nqpf.figures.CJK_FONT``; others in wordcloud's own font, as before.
"""

import zlib
from collections.abc import Mapping

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from wordcloud import WordCloud

from nqpf.boilerplate import CJK
from nqpf.figures import CJK_FONT_PATH, panel_grid, styled

# Okabe–Ito colours dark enough for text on white (no yellow, no sky blue).
CLOUD_COLORS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000")
MIN_FONT_SIZE = 9  # pixels; smaller words are left out rather than drawn unreadably


def word_color(word: str, *args, **kwargs) -> str:
    """Colour of ``word``: the same in every cloud and every run (WordCloud color_func)."""
    return CLOUD_COLORS[zlib.crc32(word.encode("utf-8")) % len(CLOUD_COLORS)]


def cloud_frequencies(frequencies: Mapping | pd.Series, *,
                      name: str = "frequencies") -> dict[str, float]:
    """{token: weight} -> {display text: weight > 0}, largest first, ties alphabetical.

    ``_`` in phrase tokens becomes a space; zero weights are dropped.
    """
    if not isinstance(frequencies, Mapping | pd.Series):
        raise ValueError(f"{name} must be a dict or Series, got {type(frequencies).__name__}")
    items = [(str(word), float(value)) for word, value in frequencies.items()]
    negative = [word for word, value in items if value < 0]
    if negative:
        raise ValueError(f"{name} has negative frequencies for {negative[:10]}")
    items = sorted(((w.replace("_", " "), v) for w, v in items if v > 0),
                   key=lambda item: (-item[1], item[0]))
    if not items:
        raise ValueError(f"{name} has no positive frequencies: nothing to draw")
    return dict(items)


def cloud_image(frequencies: Mapping | pd.Series, *, random_state: int = 0, width: int = 800,
                height: int = 400, max_words: int = 100) -> np.ndarray:
    """Render a cloud. frequencies: {token: weight} -> RGB array (height, width, 3)."""
    frequencies = cloud_frequencies(frequencies)
    chinese = any(CJK.search(word) for word in frequencies)
    cloud = WordCloud(
        font_path=CJK_FONT_PATH if chinese else None,
        width=width, height=height, max_words=max_words, random_state=random_state,
        background_color="white", color_func=word_color, prefer_horizontal=1.0,
        margin=4, relative_scaling=0.5, collocations=False, min_font_size=MIN_FONT_SIZE,
    )
    cloud.generate_from_frequencies(frequencies)
    return cloud.to_array()


@styled
def word_cloud(frequencies: Mapping | pd.Series, *, title: str, random_state: int = 0,
               width: int = 800, height: int = 400, max_words: int = 100) -> Figure:
    """One word cloud (word size ∝ frequency) as a Figure titled ``title``."""
    image = cloud_image(frequencies, random_state=random_state, width=width, height=height,
                        max_words=max_words)
    fig, ax = plt.subplots(figsize=(width / 100, height / 100 + 0.5), layout="constrained")
    ax.imshow(image, interpolation="bilinear")
    ax.set_axis_off()
    fig.suptitle(title)
    return fig


@styled
def cloud_grid(freq_by_group: Mapping[str, Mapping | pd.Series], *, title: str, ncols: int = 2,
               random_state: int = 0, width: int = 600, height: int = 350,
               max_words: int = 60) -> Figure:
    """One word cloud per group (panel titled with the group key), same colours throughout."""
    if not isinstance(freq_by_group, Mapping) or not freq_by_group:
        raise ValueError("freq_by_group must be a non-empty dict {group: frequencies}")
    fig, axes = panel_grid(len(freq_by_group), ncols,
                           panel=(width / 120, height / 120 + 0.4))
    for ax, (group, frequencies) in zip(axes, freq_by_group.items(), strict=True):
        ax.imshow(cloud_image(frequencies, random_state=random_state, width=width,
                              height=height, max_words=max_words), interpolation="bilinear")
        ax.set_axis_off()
        ax.set_title(str(group))
    fig.suptitle(title)
    return fig
