import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from nqpf import clouds, figures
from nqpf.figures import PALETTE

FREQ = {"new_quality_productive_forces": 9, "innovation": 5, "talent": 5, "reform": 2}
SMALL = {"width": 200, "height": 120}


@pytest.mark.parametrize(
    ("frequencies", "expected"),
    [
        (FREQ, {"new quality productive forces": 9.0, "innovation": 5.0, "talent": 5.0,
                "reform": 2.0}),
        ({"talent": 5, "innovation": 5}, {"innovation": 5.0, "talent": 5.0}),  # ties: a-z
        (pd.Series({"high_quality_development": 2, "zero": 0}),
         {"high quality development": 2.0}),
    ],
)
def test_cloud_frequencies(frequencies, expected):
    result = clouds.cloud_frequencies(frequencies)
    assert result == expected
    assert list(result) == list(expected)


@pytest.mark.parametrize(
    ("frequencies", "message"),
    [({"a": 1, "b": -1}, "negative"), ({"a": 0}, "no positive"), ({}, "no positive"),
     (["a", "b"], "dict or Series")],
)
def test_cloud_frequencies_rejects_bad_input(frequencies, message):
    with pytest.raises(ValueError, match=message):
        clouds.cloud_frequencies(frequencies)


@pytest.mark.parametrize("word", ["innovation", "high quality development", "talent"])
def test_word_color_is_a_stable_palette_colour(word):
    assert clouds.word_color(word) == clouds.word_color(word)
    assert clouds.word_color(word) in PALETTE


def test_cloud_image_is_deterministic():
    first = clouds.cloud_image(FREQ, **SMALL)
    second = clouds.cloud_image(dict(reversed(FREQ.items())), **SMALL)
    assert first.shape == (120, 200, 3)
    assert np.array_equal(first, second)
    assert (first != 255).any()  # something was drawn


CROWDED = {f"word{i:03d}": 100 - i for i in range(100)}  # cannot all fit on 200 x 120 px


@pytest.mark.parametrize(
    ("frequencies", "all_drawn"),
    [(CROWDED, False), ({"big": 10, "small": 5}, True)],
)
def test_cloud_never_draws_words_below_min_font_size(monkeypatch, frequencies, all_drawn):
    layouts = []
    original = clouds.WordCloud.generate_from_frequencies

    def spy(self, freqs, *args, **kwargs):
        result = original(self, freqs, *args, **kwargs)
        layouts.append(self.layout_)
        return result

    monkeypatch.setattr(clouds.WordCloud, "generate_from_frequencies", spy)
    clouds.cloud_image(frequencies, **SMALL)
    sizes = [size for _, size, *_ in layouts[0]]
    assert min(sizes) >= clouds.MIN_FONT_SIZE
    assert (len(sizes) == len(frequencies)) == all_drawn


def test_word_cloud_figure_draws_words_as_text_at_final_size():
    fig = clouds.word_cloud(FREQ, title="Most frequent terms", width=4.0, height=2.0)
    assert fig.get_suptitle() == "Most frequent terms"
    ax = fig.axes[0]
    assert not ax.images
    assert sorted(t.get_text() for t in ax.texts) == sorted(clouds.cloud_frequencies(FREQ))
    # the axes is exactly the cloud's size: a layout pixel is 1/100 inch on the page
    width, height = ax.get_position().size * fig.get_size_inches()
    assert (round(width, 6), round(height, 6)) == (4.0, 2.0)
    plt.close(fig)


def test_word_cloud_svg_holds_text_not_a_bitmap(tmp_path):
    fig = clouds.word_cloud(FREQ, title="T", width=3.0, height=1.5)
    _, svg = figures.save_figure(fig, "cloud", folder=tmp_path)
    content = svg.read_text(encoding="utf-8")
    assert "<image" not in content
    assert "innovation" in content and "new quality productive forces" in content
    assert "DejaVu Sans" in content


def test_cloud_layout_stays_on_the_canvas():
    layout = clouds.cloud_layout(CROWDED, width=300, height=150)
    assert list(layout.columns) == clouds.LAYOUT_COLUMNS
    assert (layout["font_size"] >= clouds.MIN_FONT_SIZE).all()
    assert layout["x"].between(0, 300).all()
    assert (layout["y"] > 0).all() and (layout["y"] - layout["font_size"] < 150).all()
    assert set(layout["color"]) <= set(clouds.CLOUD_COLORS)


@pytest.mark.parametrize(
    ("exclude", "expected"),
    [((), 4), (["Talent", "reform"], 2), (["new_quality_productive_forces"], 3)],
)
def test_cloud_frequencies_leave_out_excluded_tokens(exclude, expected):
    result = clouds.cloud_frequencies(FREQ, exclude=exclude)
    assert len(result) == expected
    assert not {w.lower().replace(" ", "_") for w in exclude} & {
        w.replace(" ", "_") for w in result}


def test_load_names_reads_tokens_and_skips_comments(tmp_path):
    path = tmp_path / "names.txt"
    path.write_text("# names\nXi_Jinping  # a person\n\nchongqing\n", encoding="utf-8")
    assert clouds.load_names(path) == {"xi_jinping", "chongqing"}


def test_load_names_names_the_file_it_cannot_read(tmp_path):
    with pytest.raises(ValueError, match="missing.txt"):
        clouds.load_names(tmp_path / "missing.txt")


def test_shipped_names_list_holds_tokens():
    names = clouds.load_names()
    assert "xi_jinping" in names
    assert all(name == name.lower() and " " not in name for name in names)


def test_no_light_colours_for_words_on_white():
    assert "#F0E442" not in clouds.CLOUD_COLORS and "#E69F00" not in clouds.CLOUD_COLORS


def test_cloud_grid_has_one_titled_panel_per_group():
    groups = {"000_a": FREQ, "001_b": {"talent": 3, "reform": 1}, "002_c": {"cppcc": 1}}
    fig = clouds.cloud_grid(groups, title="Terms by document", ncols=2, width=2.0, height=1.2)
    assert fig.get_suptitle() == "Terms by document"
    assert [ax.get_title() for ax in fig.axes] == list(groups)
    plt.close(fig)


def test_cloud_grid_rejects_empty_mapping():
    with pytest.raises(ValueError, match="freq_by_group"):
        clouds.cloud_grid({}, title="T")


def _ink(word: str) -> int:
    """Pixels drawn by a cloud of ``word`` alone."""
    return int((clouds.cloud_image({word: 1}, **SMALL) != 255).any(axis=2).sum())


@pytest.mark.parametrize(("light", "heavy"), [("一", "国"), ("人", "體"), ("一二三", "新质生产力")])
def test_chinese_words_render_as_glyphs(light, heavy):
    """Real glyphs differ in ink: "一" (one stroke) far less than "国". A font without the
    characters draws the same empty box for each (measured: equal pixel counts)."""
    assert 0 < _ink(light) < 0.75 * _ink(heavy)
