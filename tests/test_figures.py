import hashlib
import re
import warnings

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib import font_manager
from matplotlib.colors import to_hex

from nqpf import figures
from nqpf.figures import NEUTRAL, PALETTE

DOCS = ["000_a", "001_b", "002_c"]
TERMS = ["innovation", "high_quality_development", "talent", "reform"]
RNG = np.random.default_rng(0)

TIDY = pd.DataFrame(
    [(d, t, float(i + j + 1)) for i, d in enumerate(DOCS) for j, t in enumerate(TERMS)],
    columns=["doc_id", "term", "score"],
)
SIGNED = pd.DataFrame({"term": TERMS * 2, "ll": [5.0, 3.0, 1.0, 0.5, -0.5, -2.0, -4.0, 0.0]})
MATRIX = pd.DataFrame(RNG.random((3, 3)), index=DOCS, columns=DOCS)
MIXTURES = pd.DataFrame(RNG.dirichlet(np.ones(4), 3), index=DOCS, columns=["T1", "T2", "T3", "T4"])
FLOW = pd.DataFrame(
    [(d, f"T{k}", p, RNG.random()) for d in DOCS for k in range(3) for p in range(4)],
    columns=["doc_id", "topic", "position", "share"],
)
METRICS = pd.DataFrame({"k": [2, 3, 4] * 2, "model": ["nmf"] * 3 + ["lda"] * 3,
                        "coherence": RNG.random(6), "diversity": RNG.random(6)})
HITS = pd.DataFrame({"doc_id": ["000_a", "000_a", "001_b", "002_c"],
                     "term": ["talent", "reform", "talent", "reform"],
                     "relative_position": [0.1, 0.5, 0.9, 0.0]})
LENGTHS = pd.DataFrame({"doc_id": np.repeat(DOCS, 10), "n_words": RNG.integers(60, 200, 30)})
COORDS = pd.DataFrame({"x": [0.1, -0.3, 0.4], "y": [0.2, 0.0, -0.5],
                       "prevalence": [0.5, 0.3, 0.2], "topic": ["T1", "T2", "T3"]})
BANDS = FLOW.assign(low=FLOW["share"] - 0.1, high=FLOW["share"] + 0.1)
EDGES = pd.DataFrame({"source": ["innovation", "innovation", "talent", "reform"],
                      "target": ["talent", "reform", "reform", "high_quality_development"],
                      "weight": [3, 1, 2, 5]})

# name -> (function, data keyword, data, other keywords, required columns)
CHARTS = {
    "bar_grid": (figures.bar_grid, "df", TIDY,
                 {"group": "doc_id", "label": "term", "value": "score", "title": "T",
                  "xlabel": "Score"}, ["doc_id", "term", "score"]),
    "diverging_bars": (figures.diverging_bars, "df", SIGNED,
                       {"label": "term", "value": "ll", "title": "T", "xlabel": "LL"},
                       ["term", "ll"]),
    "heatmap": (figures.heatmap, "matrix", MATRIX,
                {"title": "T", "xlabel": "Document", "ylabel": "Document"}, []),
    "stacked_bars": (figures.stacked_bars, "df", MIXTURES,
                     {"title": "T", "xlabel": "Share", "ylabel": "Document"}, []),
    "lines": (figures.lines, "df", FLOW,
              {"x": "position", "y": "share", "hue": "topic", "panel": "doc_id", "title": "T",
               "xlabel": "Passage", "ylabel": "Share"}, ["position", "share", "topic", "doc_id"]),
    "metric_panels": (figures.metric_panels, "table", METRICS,
                      {"x": "k", "metrics": ["coherence", "diversity"], "hue": "model",
                       "title": "T", "xlabel": "K"}, ["k", "coherence", "diversity", "model"]),
    "dispersion_plot": (figures.dispersion_plot, "hits", HITS, {"title": "T"},
                        ["doc_id", "term", "relative_position"]),
    "histograms": (figures.histograms, "df", LENGTHS,
                   {"value": "n_words", "group": "doc_id", "title": "T", "xlabel": "Words"},
                   ["n_words", "doc_id"]),
    "bubble_map": (figures.bubble_map, "df", COORDS,
                   {"x": "x", "y": "y", "size": "prevalence", "label": "topic", "title": "T"},
                   ["x", "y", "prevalence", "topic"]),
    "network": (figures.network, "edges", EDGES,
                {"source": "source", "target": "target", "weight": "weight", "title": "T"},
                ["source", "target", "weight"]),
    "interval_lines": (figures.interval_lines, "df", BANDS,
                       {"x": "position", "y": "share", "low": "low", "high": "high",
                        "hue": "topic", "panel": "doc_id", "title": "T", "xlabel": "Passage",
                        "ylabel": "Share"}, ["position", "share", "low", "high", "topic"]),
    "interval_dots": (figures.interval_dots, "df", BANDS[BANDS["position"] == 0],
                      {"label": "topic", "y": "share", "low": "low", "high": "high",
                       "panel": "doc_id", "title": "T", "xlabel": "Share"},
                      ["topic", "share", "low", "high", "doc_id"]),
}
MISSING = [(name, column) for name, case in CHARTS.items() for column in case[4]]


def draw(name, data=None, **overrides):
    func, key, default, kwargs, _ = CHARTS[name]
    return func(**{key: default if data is None else data, **kwargs, **overrides})


@pytest.fixture
def chart(request):
    fig = draw(request.param)
    yield fig
    plt.close(fig)


def category_colors(fig):
    """Hex colours of bars, lines, markers and tick collections (reference lines excluded)."""
    found = set()
    for ax in fig.axes:
        found |= {to_hex(p.get_facecolor()) for p in ax.patches}
        found |= {to_hex(line.get_color()) for line in ax.get_lines()}
        for collection in ax.collections:
            if not isinstance(collection, mpl.collections.QuadMesh):
                found |= {to_hex(c) for c in collection.get_facecolor()}
                found |= {to_hex(c) for c in collection.get_edgecolor()}
    return found - {to_hex(NEUTRAL)}


@pytest.mark.parametrize("chart", list(CHARTS), indirect=True)
def test_chart_has_title_and_axis_labels(chart):
    assert chart.get_suptitle() == "T"
    drawn = [ax for ax in chart.axes if ax.axison and ax.get_label() != "<colorbar>"]
    for ax in drawn:
        assert ax.get_xlabel() and ax.get_ylabel()
    assert plt.fignum_exists(chart.number)


@pytest.mark.parametrize("chart", [n for n in CHARTS if n != "heatmap"], indirect=True)
def test_chart_uses_only_palette_colours(chart):
    colors = category_colors(chart)
    assert colors
    assert colors <= {to_hex(c) for c in PALETTE}


@pytest.mark.parametrize(("name", "column"), MISSING)
def test_missing_column_is_named(name, column):
    data = CHARTS[name][2].drop(columns=column)
    with pytest.raises(ValueError, match=column):
        draw(name, data)


@pytest.mark.parametrize("name", list(CHARTS))
def test_empty_input_is_rejected(name):
    with pytest.raises(ValueError, match="empty"):
        draw(name, CHARTS[name][2].iloc[0:0])


@pytest.mark.parametrize(("i", "color"), [(0, "#0072B2"), (3, "#D55E00"), (8, "#0072B2")])
def test_category_color_cycles_through_palette(i, color):
    assert figures.category_color(i) == color


@pytest.mark.parametrize(
    ("top", "labels"),
    [
        (None, ["reform", "talent", "high_quality_development", "innovation"]),
        (2, ["reform", "talent"]),
        (10, ["reform", "talent", "high_quality_development", "innovation"]),
    ],
)
def test_bar_grid_keeps_top_per_panel_largest_first(top, labels):
    fig = draw("bar_grid", top=top)
    assert [len(ax.patches) for ax in fig.axes] == [len(labels)] * len(DOCS)
    assert [ax.get_title() for ax in fig.axes] == DOCS
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == labels
    plt.close(fig)


@pytest.mark.parametrize(
    ("top", "n_positive", "n_negative"),
    [(15, 4, 3), (2, 2, 2), (1, 1, 1)],
)
def test_diverging_bars_colours_by_sign(top, n_positive, n_negative):
    fig = draw("diverging_bars", top=top)
    colors = [to_hex(p.get_facecolor()) for p in fig.axes[0].patches]
    assert colors.count(to_hex(figures.POSITIVE)) == n_positive
    assert colors.count(to_hex(figures.NEGATIVE)) == n_negative
    plt.close(fig)


def test_heatmap_uses_sequential_map_and_annotates():
    fig = draw("heatmap")
    ax = fig.axes[0]
    assert ax.images[0].get_cmap().name == figures.SEQUENTIAL
    assert [t.get_text() for t in ax.texts][:1] == [format(MATRIX.iloc[0, 0], ".2f")]
    plt.close(fig)


@pytest.mark.parametrize(
    ("shape", "annotate", "n_texts"),
    [((3, 4), None, 12), ((20, 15), None, 300), ((20, 16), None, 0), ((20, 16), True, 320),
     ((3, 4), False, 0),
     ((3, 40), None, 0), ((3, 40), True, 120)],  # 40 numbers side by side would not fit
)
def test_heatmap_annotates_only_readable_sizes(shape, annotate, n_texts):
    matrix = pd.DataFrame(np.arange(shape[0] * shape[1], dtype=float).reshape(shape))
    fig = figures.heatmap(matrix, title="T", xlabel="X", ylabel="Y", annotate=annotate)
    assert len(fig.axes[0].texts) == n_texts
    plt.close(fig)


def test_heatmap_rejects_text_columns():
    with pytest.raises(ValueError, match="numeric"):
        figures.heatmap(MATRIX.assign(label="x"), title="T", xlabel="X", ylabel="Y")


def test_stacked_bars_has_one_segment_per_cell():
    fig = draw("stacked_bars")
    assert len(fig.axes[0].patches) == MIXTURES.size
    assert [t.get_text() for t in fig.legends[0].get_texts()] == list(MIXTURES.columns)
    plt.close(fig)


@pytest.mark.parametrize(
    ("name", "n_panels", "legend"),
    [("lines", len(DOCS), ["T0", "T1", "T2"]), ("metric_panels", 2, ["nmf", "lda"])],
)
def test_line_panels_and_legend(name, n_panels, legend):
    fig = draw(name)
    assert len(fig.axes) == n_panels
    assert [t.get_text() for t in fig.legends[0].get_texts()] == legend
    plt.close(fig)


@pytest.mark.parametrize("name", ["lines", "interval_lines"])
def test_more_lines_than_colours_still_look_different(name):
    """The ninth line on has the colour and marker of an earlier one, but its own dashes."""
    n = len(figures.PALETTE) + 2
    df = pd.DataFrame({"position": np.tile([0.0, 1.0], n), "share": 0.5, "low": 0.4,
                       "high": 0.6, "topic": np.repeat([f"T{i}" for i in range(n)], 2)})
    fig = draw(name, df, panel=None)
    looks = {(line.get_color(), line.get_marker(), line.get_linestyle())
             for line in fig.axes[0].get_lines()}
    assert len(looks) == n
    plt.close(fig)


@pytest.mark.parametrize("name", ["lines", "metric_panels"])
def test_line_charts_without_hue_have_title_but_no_legend(name):
    fig = draw(name, hue=None, title="No hue")
    assert (fig.legends, fig.get_suptitle()) == ([], "No hue")
    plt.close(fig)


@pytest.mark.parametrize(
    ("kwargs", "rows"),
    [
        ({}, ["000_a | reform", "000_a | talent", "001_b | reform", "001_b | talent",
              "002_c | reform", "002_c | talent"]),
        ({"doc_ids": ["001_b"], "terms": ["talent", "innovation"]},
         ["001_b | talent", "001_b | innovation"]),
    ],
)
def test_dispersion_plot_rows(kwargs, rows):
    fig = draw("dispersion_plot", **kwargs)
    ax = fig.axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == rows
    assert ax.get_xlabel() == "Position in document (0 = start, 1 = end)"
    plt.close(fig)


def test_dispersion_plot_rejects_positions_outside_unit_interval():
    with pytest.raises(ValueError, match="relative_position"):
        draw("dispersion_plot", HITS.assign(relative_position=[0.1, 1.5, 0.2, 0.3]))


def test_bubble_area_is_proportional_to_size():
    fig = draw("bubble_map")
    sizes = fig.axes[0].collections[0].get_sizes()
    assert np.allclose(sizes / sizes[0], COORDS["prevalence"] / COORDS["prevalence"][0])
    plt.close(fig)


@pytest.mark.parametrize(
    ("labels", "texts"),
    [
        (["T1", "T2", "T3"], ["T1", "T2", "T3"]),
        (["T1: talent · new quality productive forces", "T2", "T3"],
         ["T1: talent · new\nquality productive\nforces", "T2", "T3"]),
    ],
)
def test_bubble_map_colours_and_wraps_each_bubble(labels, texts):
    fig = draw("bubble_map", COORDS.assign(topic=labels))
    ax = fig.axes[0]
    colors = [to_hex(c) for c in ax.collections[0].get_facecolor()]
    assert colors == [to_hex(c) for c in PALETTE[:3]]
    assert [t.get_text() for t in ax.texts] == texts
    plt.close(fig)


@pytest.mark.parametrize(
    ("text", "width", "expected"),
    [
        ("talent", 16, "talent"),
        ("scientific and technological innovation", 16,
         "scientific and\ntechnological\ninnovation"),
        ("new_quality_productive_forces", 10, "new_quality_productive_forces"),  # no spaces
        (3, 16, "3"),
    ],
)
def test_wrap_label(text, width, expected):
    assert figures.wrap_label(text, width) == expected


def test_network_is_deterministic_and_draws_every_node():
    offsets = []
    for _ in range(2):
        fig = draw("network")
        points = fig.axes[0].collections[1]
        offsets.append(points.get_offsets().copy())
        assert sorted(t.get_text() for t in fig.axes[0].texts) == sorted(
            ["innovation", "talent", "reform", "high quality\ndevelopment"])
        plt.close(fig)
    assert np.array_equal(offsets[0], offsets[1])


@pytest.mark.parametrize(
    ("edges", "message"),
    [
        (EDGES.assign(weight=[1, 0, 2, 3]), "positive"),
        (EDGES.assign(target=EDGES["source"]), "self-loops"),
    ],
)
def test_network_rejects_bad_edges(edges, message):
    with pytest.raises(ValueError, match=message):
        draw("network", edges)


def test_charts_do_not_change_global_style():
    before = dict(mpl.rcParams)
    plt.close(draw("bar_grid"))
    assert dict(mpl.rcParams) == before


def test_save_figure_writes_deterministic_files(tmp_path):
    digests = []
    for _ in range(2):  # two separate builds
        fig = draw("bar_grid")
        for _ in range(2):  # saving again writes the same bytes
            written = figures.save_figure(fig, "terms", folder=tmp_path)
            assert [p.name for p in written] == ["terms.png", "terms.svg"]
            assert all(p.stat().st_size > 0 for p in written)
            digests.append(hashlib.sha256(written[1].read_bytes()).hexdigest())
        plt.close(fig)
    assert len(set(digests)) == 1
    svg = (tmp_path / "terms.svg").read_text(encoding="utf-8")
    assert "<dc:date>" not in svg


@pytest.mark.parametrize("name", ["a/b", "../up", "a\\b", "", "x.png"])
def test_save_figure_rejects_bad_names(tmp_path, name):
    fig = draw("bubble_map")
    with pytest.raises(ValueError, match="name"):
        figures.save_figure(fig, name, folder=tmp_path)
    plt.close(fig)
    assert not any(tmp_path.iterdir())


def test_save_figure_writes_the_same_box_in_both_formats(tmp_path):
    fig = draw("stacked_bars")
    png, svg = figures.save_figure(fig, "box", folder=tmp_path)
    plt.close(fig)
    width_px = int.from_bytes(png.read_bytes()[16:20], "big")  # PNG IHDR width
    width_pt = float(re.search(r'<svg[^>]* width="([\d.]+)pt"', svg.read_text()).group(1))
    assert width_px / figures.STYLE["savefig.dpi"] == pytest.approx(width_pt / 72, abs=0.02)


ZH_TIDY = pd.DataFrame({"doc_id": ["十九大", "十九大", "二十大", "二十大"],
                        "term": ["新质生产力", "高质量发展", "科技創新", "人才強國"],
                        "score": [4.0, 3.0, 2.0, 1.0]})


def test_chinese_labels_render_without_missing_glyphs(tmp_path):
    """Simplified and traditional labels: no missing-glyph warning with the house style."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fig = figures.bar_grid(ZH_TIDY, group="doc_id", label="term", value="score",
                               title="关键词 (關鍵詞)", xlabel="每万字出现次数")
        figures.save_figure(fig, "zh_terms", folder=tmp_path)
    plt.close(fig)


def test_missing_glyphs_do_warn_without_the_cjk_font(tmp_path):
    """The check above can fail: with the house font alone matplotlib warns."""
    with mpl.rc_context({"font.family": ["DejaVu Sans"]}):
        fig, ax = plt.subplots()
        ax.set_title("关键词")
        with pytest.warns(UserWarning, match="missing from font"):
            fig.savefig(tmp_path / "plain.png")
    plt.close(fig)


def test_cjk_font_is_a_fallback_after_the_house_font():
    assert figures.STYLE["font.family"] == ["DejaVu Sans", figures.CJK_FONT]
    found = font_manager.findfont(font_manager.FontProperties(family=figures.CJK_FONT),
                                  fallback_to_default=False)
    assert found == figures.CJK_FONT_PATH


DOLLARS = "latex $\\alert$ and $5 $6"


@pytest.mark.parametrize("name", list(CHARTS))
def test_dollar_signs_are_text_not_mathtext(name, tmp_path):
    """A title or label with two "$" (e.g. from a document id) is drawn as written."""
    func, key, data, kwargs, _ = CHARTS[name]
    data = data.copy()
    text_columns = [c for c in data.columns if data[c].dtype == object]
    for column in text_columns:
        data[column] = data[column].map(lambda value: f"{value} {DOLLARS}")
    if not text_columns:  # labels from the index
        data.index = [f"{value} {DOLLARS}" for value in data.index]
    fig = func(**{key: data, **kwargs, "title": DOLLARS})
    figures.save_figure(fig, "dollars", folder=tmp_path)
    plt.close(fig)
    assert DOLLARS in (tmp_path / "dollars.svg").read_text(encoding="utf-8")


@pytest.mark.parametrize("n_hits, rasterized", [(figures.RASTER_TICKS, False),
                                                (figures.RASTER_TICKS + 1, True)])
def test_dispersion_plot_rasterises_many_ticks(n_hits, rasterized):
    hits = pd.DataFrame({"doc_id": "000_a", "term": "talent",
                         "relative_position": np.linspace(0, 1, n_hits)})
    fig = draw("dispersion_plot", hits)
    assert [c.get_rasterized() for c in fig.axes[0].collections] == [rasterized]
    plt.close(fig)


def test_bubble_map_has_equal_axes_and_a_size_legend():
    fig = figures.bubble_map(COORDS, x="x", y="y", size="prevalence", label="topic", title="T",
                             size_label="share of tokens", size_format="{:.0%}")
    ax = fig.axes[0]
    assert ax.get_aspect() == 1.0
    assert np.isclose(np.ptp(ax.get_xlim()), np.ptp(ax.get_ylim()))
    legend = fig.legends[0]
    assert legend.get_title().get_text() == "share of tokens"
    assert [t.get_text() for t in legend.get_texts()] == ["50%", "25%", "12%"]
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    assert COORDS["x"].between(x0 + 0.2 * (x1 - x0), x1 - 0.2 * (x1 - x0)).all()  # room for labels
    assert COORDS["y"].between(y0 + 0.2 * (y1 - y0), y1 - 0.2 * (y1 - y0)).all()
    plt.close(fig)


@pytest.mark.parametrize(("sharex", "same_scale"), [(True, True), (False, False)])
def test_bar_grid_can_share_one_x_scale(sharex, same_scale):
    fig = figures.bar_grid(TIDY, group="doc_id", label="term", value="score", title="T",
                           xlabel="x", sharex=sharex)
    limits = {ax.get_xlim() for ax in fig.axes}
    assert (len(limits) == 1) == same_scale
    plt.close(fig)


def test_bar_grid_with_one_panel_does_not_repeat_the_title():
    one = TIDY[TIDY["doc_id"] == DOCS[0]]
    fig = figures.bar_grid(one, group="doc_id", label="term", value="score", title="T",
                           xlabel="x")
    assert fig.axes[0].get_title() == ""
    plt.close(fig)


@pytest.mark.parametrize(("n_cols", "rotation"), [(3, 0.0), (figures.MAX_FLAT_COLUMNS + 1, 90.0)])
def test_heatmap_column_labels_are_never_slanted(n_cols, rotation):
    matrix = pd.DataFrame(RNG.random((2, n_cols)),
                          columns=[f"a rather long document label {i}" for i in range(n_cols)])
    fig = figures.heatmap(matrix, title="T", xlabel="x", ylabel="y")
    labels = fig.axes[0].get_xticklabels()
    assert {label.get_rotation() for label in labels} == {rotation}
    if rotation == 0.0:
        assert all(max(map(len, label.get_text().split("\n"))) <= figures.TICK_WRAP + 3
                   for label in labels)
    plt.close(fig)


def test_metric_panels_mark_the_chosen_value():
    fig = figures.metric_panels(METRICS, x="k", metrics=["coherence", "diversity"], hue="model",
                                title="T", xlabel="K", mark=3, mark_label="chosen K")
    for ax in fig.axes:
        assert any(list(line.get_xdata()) == [3, 3] for line in ax.lines)
    assert "chosen K (3)" in [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)


@pytest.mark.parametrize("chart", ["stacked_bars", "lines"])
def test_legends_sit_below_the_plot(chart):
    fig = draw(chart)
    fig.canvas.draw()
    legend = fig.legends[0].get_window_extent()
    lowest = min(ax.get_tightbbox().y0 for ax in fig.axes)
    assert legend.y1 <= lowest + 1  # below every panel and its tick labels
    assert legend.width <= fig.bbox.width
    plt.close(fig)


def test_heatmap_wraps_chinese_column_labels_and_leaves_room_for_them():
    titles = ["中国共产党第十九次全国代表大会上的报告", "高举中国特色社会主义伟大旗帜"]
    fig = figures.heatmap(pd.DataFrame(RNG.random((2, 2)), columns=titles), title="T",
                          xlabel="x", ylabel="y")
    labels = [label.get_text() for label in fig.axes[0].get_xticklabels()]
    assert all(max(map(len, label.split("\n"))) <= figures.TICK_WRAP for label in labels)
    plt.close(fig)


def test_heatmap_with_many_long_vertical_labels_keeps_its_cells(recwarn):
    matrix = pd.DataFrame(RNG.random((2, 16)),
                          columns=[f"一份很长的中国文件标题第{i}号报告全文" for i in range(16)])
    fig = figures.heatmap(matrix, title="T", xlabel="x", ylabel="y")
    fig.canvas.draw()
    assert fig.axes[0].get_position().height > 0.1
    assert not [w for w in recwarn if "collapsed" in str(w.message)]
    plt.close(fig)


# --- layouts that stay readable with long (Chinese) labels, one row, many points --------------

ZH_TITLES = ["全面建设小康社会，开创中国特色社会主义事业新局面 (十六大)",
             "在中国共产党第十一次全国代表大会上的政治报告", "决胜全面建成小康社会 (十九大)",
             "北京共产主义组织的报告 (一大)", "論聯合政府 (七大)", "加快改革开放和现代化建设步伐"]


def boxes_overlap(a, b) -> bool:
    return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1 and a.y0 < b.y1 - 1 and b.y0 < a.y1 - 1


def assert_apart(artists):
    """No two of the drawn texts (tick labels, titles) overlap."""
    boxes = [a.get_window_extent() for a in artists if a.get_visible() and a.get_text()]
    clashes = [(i, j) for i in range(len(boxes)) for j in range(i + 1, len(boxes))
               if boxes_overlap(boxes[i], boxes[j])]
    assert not clashes, [(artists[i].get_text(), artists[j].get_text()) for i, j in clashes]


def square(labels):
    return pd.DataFrame(RNG.random((len(labels), len(labels))), index=labels, columns=labels)


@pytest.mark.parametrize("labels", [
    DOCS,
    ["Two Sessions notes", "Talent foundation", "Deputies on Xi's speeches"],
    ZH_TITLES + [f"{t}（续）" for t in ZH_TITLES],  # 12 documents with long Chinese titles
    [f"Debian package number {i} with a long description" for i in range(14)],
    ["debian-descriptions-50mib"],  # one document
])
def test_heatmap_numbers_and_labels_do_not_overlap(labels):
    fig = figures.heatmap(square(labels), title="T", xlabel="x", ylabel="y", vmin=0, vmax=1)
    fig.canvas.draw()
    ax = fig.axes[0]
    cell = ax.get_window_extent().width / len(labels)
    first_row = [t for t in ax.texts if t.get_position()[1] == 0]
    assert len(first_row) == len(labels)
    assert max(t.get_window_extent().width for t in first_row) < cell
    assert_apart(ax.get_xticklabels())
    assert_apart(ax.get_yticklabels())
    plt.close(fig)


@pytest.mark.parametrize(("short", "long"), [
    (["a", "b"], ["a rather long document label", "b"]),
    (["十九大", "二十大"], ["在中国共产党第十一次全国代表大会上的政治报告", "二十大"]),
    (DOCS, [f"{d}{i}" for d in DOCS for i in range(4)]),  # more rows and columns
])
def test_heatmap_grows_with_label_length_and_matrix_size(short, long):
    small = figures.heatmap(square(short), title="T", xlabel="x", ylabel="y")
    large = figures.heatmap(square(long), title="T", xlabel="x", ylabel="y")
    assert large.get_figwidth() > small.get_figwidth()
    plt.close(small)
    plt.close(large)


@pytest.mark.parametrize("shape", [(1, 1), (1, 4), (2, 2)])
def test_heatmap_of_one_or_two_rows_keeps_a_readable_colour_bar(shape):
    fig = figures.heatmap(pd.DataFrame(RNG.random(shape)), title="T", xlabel="x", ylabel="y")
    fig.canvas.draw()
    assert fig.get_figheight() >= figures.MIN_HEATMAP_HEIGHT
    colorbar = next(ax for ax in fig.axes if ax.get_label() == "<colorbar>")
    assert colorbar.get_window_extent().height / fig.dpi >= 1.5  # inches
    assert_apart(colorbar.get_yticklabels())
    plt.close(fig)


def one_panel_each(names):
    """Four rows per panel name, with the columns bar_grid, lines and interval_lines read."""
    n = len(names)
    share = RNG.random(4 * n)
    return pd.DataFrame({"doc_id": np.repeat(names, 4), "topic": "T0", "term": TERMS * n,
                         "position": [0.1, 0.4, 0.6, 0.9] * n, "score": RNG.random(4 * n),
                         "share": share, "low": share - 0.1, "high": share + 0.1})


@pytest.mark.parametrize("names", [
    ZH_TITLES,
    [f"a long English panel title about document number {i}" for i in range(6)],
    ["十九大", "二十大", "七大"],
])
@pytest.mark.parametrize("name", ["bar_grid", "lines", "interval_lines"])
def test_panel_titles_do_not_collide(name, names):
    fig = draw(name, one_panel_each(names))
    fig.canvas.draw()
    titles = [ax.title for ax in fig.axes]
    assert len(titles) == len(names) and all(t.get_text() for t in titles)
    assert_apart(titles)
    plt.close(fig)


@pytest.mark.parametrize("n_panels", [2, 4, 5, 7])
@pytest.mark.parametrize("name", ["lines", "interval_lines", "bar_grid", "histograms"])
def test_every_small_multiple_has_x_tick_labels(name, n_panels):
    """Also a panel above an empty cell of the grid (the last row is not full)."""
    data = one_panel_each([f"doc {i}" for i in range(n_panels)])
    kwargs = {"group": "doc_id", "value": "score"} if name == "histograms" else {}
    fig = draw(name, data, **kwargs)
    fig.canvas.draw()
    for ax in fig.axes:
        shown = [t for t in ax.get_xticklabels() if t.get_visible() and t.get_text()]
        assert len(shown) >= 2, ax.get_title()
    plt.close(fig)


@pytest.mark.parametrize(("positions", "xlim"), [
    ([0.5], (0.0, 1.0)),  # one passage per document
    ([0.1, 0.3, 0.5, 0.7, 0.9], (0.0, 1.0)),
    ([0.0, 1.0], (0.0, 1.0)),
    ([2, 3, 4], None),  # not a position: matplotlib's own limits
])
def test_lines_of_relative_positions_span_zero_to_one(positions, xlim):
    data = pd.DataFrame({"doc_id": np.repeat(DOCS, len(positions)), "topic": "T1",
                         "position": positions * len(DOCS), "share": 0.5})
    fig = draw("lines", data)
    for ax in fig.axes:
        if xlim is None:
            assert ax.get_xlim()[0] < min(positions) and ax.get_xlim()[1] > max(positions)
            assert ax.get_xlim() != (0.0, 1.0)
        else:
            assert ax.get_xlim() == xlim
    plt.close(fig)


@pytest.mark.parametrize(("n_points", "markersize", "dense"), [
    (10, 4, False), (figures.DENSE_POINTS, 2.5, False), (figures.DENSE_POINTS + 1, 5, True),
    (20_000, 5, True),
])
def test_lines_with_many_points_show_dots_under_a_moving_average(n_points, markersize, dense):
    position = (np.arange(n_points) + 0.5) / n_points
    weight = np.where(np.arange(n_points) % 2 == 0, 1.0, 0.0)  # alternating: a solid block
    data = pd.DataFrame({"doc_id": "long", "topic": np.repeat(["T1", "T2"], n_points),
                         "position": np.tile(position, 2), "share": np.tile(weight, 2)})
    fig = draw("lines", data)
    ax = fig.axes[0]
    dots = [line for line in ax.lines if line.get_linestyle() == "None"]
    drawn = [line for line in ax.lines if line.get_linestyle() != "None"]
    assert len(drawn) == 2
    assert {line.get_markersize() for line in drawn} == {markersize}
    assert len(dots) == (2 if dense else 0)
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert any("moving average" in text for text in legend) == dense
    if dense:
        assert all(line.get_rasterized() for line in dots)
        middle = drawn[0].get_ydata()[n_points // 4: -n_points // 4]
        window = -(-n_points // figures.SMOOTH_STEPS)  # the average of 0, 1, 0, 1, …
        assert middle.mean() == pytest.approx(0.5, abs=0.01)
        assert np.ptp(middle) <= 1 / window + 1e-9
        assert np.array_equal(dots[0].get_ydata(), weight)  # every value is still drawn
    else:
        assert np.array_equal(drawn[0].get_ydata(), weight)
    plt.close(fig)


@pytest.mark.parametrize(("names", "size"), [(["one"], (6.5, 3.8)), (["a", "b"], (6.8, 2.6))])
def test_lines_with_one_panel_get_a_full_size_plot(names, size):
    fig = draw("lines", one_panel_each(names))
    assert (fig.get_figwidth(), fig.get_figheight()) == pytest.approx(size)
    plt.close(fig)
