"""Interactive views as self-contained HTML for the offline report (and JupyterLab): a topic map
with pyLDAvis's relevance slider, a map of passages coloured by dominant topic, searchable and
sortable KWIC and passage tables; and a passage reader (plain HTML, no script).

Each view is one ``<div>``: its style, a fallback sentence, its data as JSON in a
``<script type="application/json">`` block (``<``, ``>``, ``&`` written as ``\\u003c`` …, so
corpus text cannot end the block) and the same inlined script (``interactive.js``, written for
nqpf, whose SHA-256 is ``SCRIPT_SHA256``: the report lets through exactly this script). No CDN,
no request, no random ids: the same data gives the same bytes. Above a stated size a view
shows a random sample and says so.
"""

import hashlib
import html
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from nqpf import views
from nqpf.clean import preview
from nqpf.figures import category_color
from nqpf.labels import doc_labels
from nqpf.layout import intertopic_map, topic_prevalence

SCRIPT = (Path(__file__).with_name("interactive.js")).read_text(encoding="utf-8")
SCRIPT_SHA256 = hashlib.sha256(SCRIPT.encode()).hexdigest()
DATA_TYPE = "application/json"
MAX_POINTS = 3000  # passages drawn on the map; above this a random sample
MAX_ROWS = 2000  # rows of a table; above this a random sample
READER_CHARS = 20_000  # characters of a document the reader shows (from its start)
PREVIEW_CHARS = 240  # passage text shown in a table cell or a hover box
_JSON_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                 "\u2029": "\\u2029"}
FALLBACK = ("This interactive view needs JavaScript: open the report's HTML page, or run the "
            "notebook in JupyterLab.")
STYLE = """<style>
.nqpf-view { font-family: var(--jp-content-font-family, system-ui, sans-serif);
  font-size: 13px; margin: 0.5rem 0 1rem; color: #1a1a1a; }
.nqpf-view h4 { margin: 0 0 0.3rem; font-size: 14px; font-weight: 600; }
.nqpf-view h4, .nqpf-view input, .nqpf-view select, .nqpf-view button, .nqpf-view output,
.nqpf-view svg text { font-family: inherit; }
.nqpf-view .nqpf-note { color: #444; font-size: 12px; margin: 0.2rem 0; }
.nqpf-view .nqpf-row { display: flex; flex-wrap: wrap; gap: 1rem; align-items: flex-start; }
.nqpf-view .nqpf-map { width: 320px; height: 320px; border: 1px solid #ccc; }
.nqpf-view .nqpf-bubble { cursor: pointer; opacity: 0.75; }
.nqpf-view .nqpf-bubble text { font-size: 12px; fill: #000; pointer-events: none; }
.nqpf-view .nqpf-selected { opacity: 1; }
.nqpf-view .nqpf-selected circle { stroke: #000; stroke-width: 2; }
.nqpf-view .nqpf-side { flex: 1; min-width: 280px; }
.nqpf-view .nqpf-controls { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: center;
  margin-bottom: 0.4rem; }
.nqpf-view .nqpf-terms { margin: 0; padding-left: 2rem; }
.nqpf-view .nqpf-terms li { display: flex; gap: 0.5rem; align-items: center; }
.nqpf-view .nqpf-term { width: 14rem; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.nqpf-view .nqpf-bar { position: relative; flex: 1; height: 0.8rem; }
.nqpf-view .nqpf-total, .nqpf-view .nqpf-part { position: absolute; left: 0; top: 0;
  height: 100%; }
.nqpf-view .nqpf-total { background: #c8c8c8; }
.nqpf-view .nqpf-mapbox { position: relative; }
.nqpf-view .nqpf-points { width: 100%; max-width: 640px; border: 1px solid #ccc; }
.nqpf-view .nqpf-dot { opacity: 0.8; stroke: #fff; stroke-width: 0.5; }
.nqpf-view .nqpf-tip { display: none; position: absolute; left: 0.5rem; top: 0.5rem;
  max-width: 28rem; background: #fffbe6; border: 1px solid #999; padding: 0.3rem 0.5rem;
  white-space: pre-wrap; pointer-events: none; }
.nqpf-view .nqpf-legend { display: flex; flex-wrap: wrap; gap: 0.3rem; margin-bottom: 0.3rem; }
.nqpf-view .nqpf-key { font: inherit; background: #fff; border: 1px solid #bbb;
  border-radius: 3px; cursor: pointer; }
.nqpf-view .nqpf-key[aria-pressed="false"] { opacity: 0.4; }
.nqpf-view .nqpf-swatch { display: inline-block; width: 0.8rem; height: 0.8rem;
  margin-right: 0.3rem; vertical-align: middle; }
.nqpf-view .nqpf-scroll { max-height: 28rem; overflow: auto; border: 1px solid #ddd; }
.nqpf-view table.nqpf-table { border-collapse: collapse; width: auto; table-layout: auto;
  margin: 0; }
.nqpf-view .nqpf-table th { position: sticky; top: 0; background: #f3f3f3; }
.nqpf-view .nqpf-table th button { font: inherit; font-weight: 600; border: 0;
  background: none; cursor: pointer; padding: 0.2rem 0.3rem; }
.nqpf-view .nqpf-table th, .nqpf-view .nqpf-table td { padding: 0.15rem 0.3rem;
  border-top: 1px solid #eee; vertical-align: top; text-align: left; max-width: none; }
.nqpf-view .nqpf-table td.nqpf-wide { min-width: 16rem; }
.nqpf-view .nqpf-table td.nqpf-label { min-width: 10rem; }
.nqpf-view .nqpf-table tr[tabindex] { cursor: pointer; }
.nqpf-view .nqpf-table tr[tabindex]:hover { background: #eef5fb; }
.nqpf-view .nqpf-table td.nqpf-num { text-align: right; font-variant-numeric: tabular-nums; }
.nqpf-view .nqpf-table td.nqpf-right { text-align: right; white-space: nowrap; }
.nqpf-view .nqpf-table td.nqpf-center { text-align: center; font-weight: 600;
  white-space: nowrap; }
.nqpf-view .nqpf-table td.nqpf-nowrap { white-space: nowrap; }
.nqpf-view .nqpf-detail { margin: 0.5rem 0; padding: 0 0.6rem; border-left: 3px solid #0072B2;
  white-space: pre-wrap; }
.nqpf-view .nqpf-detail:empty { display: none; }
.nqpf-view mark, .nqpf-reader mark { background: #ffe08a; }
.nqpf-reader { font-size: 13px; line-height: 1.5; white-space: pre-wrap; max-height: 32rem;
  overflow: auto; border: 1px solid #ddd; padding: 0.5rem; }
.nqpf-reader .nqpf-boilerplate { color: #777; background: #eee; text-decoration: line-through; }
.nqpf-reader .nqpf-concept { background: #cde6f7; border-bottom: 2px solid #0072B2; }
.nqpf-reader .nqpf-passage-start { color: #D55E00; font-weight: 600; font-size: 11px; }
</style>"""


@dataclass(frozen=True)
class View:
    """One interactive view: ``html`` (a self-contained ``<div>``), shown as HTML by Jupyter;
    ``plain`` says in words what it is (its text/plain form)."""

    title: str
    html: str
    plain: str

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"text/html": self.html, "text/plain": self.plain}


def to_json(data) -> str:
    """``data`` as JSON safe inside a ``<script>`` block: no ``<``, ``>``, ``&``, U+2028/9."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return text.translate(str.maketrans(_JSON_ESCAPES))


def view(data: dict, *, title: str, note: str = "") -> View:
    """Wrap ``data`` (with ``"view"``: ``topics``, ``passages`` or ``table``) in a view."""
    notes = "".join(f'<p class="nqpf-note">{html.escape(line)}</p>'
                    for line in note.split("\n") if line)
    page = (f'<div class="nqpf-view" data-view="{data["view"]}">\n{STYLE}\n'
            f"<h4>{html.escape(title)}</h4>\n{notes}\n"
            f'<div class="nqpf-mount"><p class="nqpf-note">{FALLBACK}</p></div>\n'
            f'<script type="{DATA_TYPE}" class="nqpf-data">{to_json(data)}</script>\n'
            f"<script>{SCRIPT}</script>\n</div>")
    plain = f"{title} (interactive view; its data is in the HTML output). {note}".strip()
    return View(title, page, plain)


def colors(n: int) -> list[str]:
    return [category_color(i) for i in range(n)]


def topic_map(model, passages: pd.DataFrame, *, labels=None, n_terms: int = 30,
              lam: float = views.DEFAULT_LAMBDA) -> View:
    """The intertopic map (bubbles: ``layout.intertopic_map``) beside the ``n_terms`` most
    relevant terms of the chosen topic, re-ranked by a λ slider (0 .. 1 in steps of 0.01) as
    ``views.relevant_terms`` ranks them. ``model``: a fitted ``topics.TopicModel`` on
    ``passages``."""
    labels = model.labels(n_terms=2) if labels is None else list(labels)
    lengths = passages["tokens"].map(len).to_numpy()
    prevalence = topic_prevalence(model.doc_topic_, lengths)
    bubbles = intertopic_map(model.components_, prevalence, labels=labels)
    counts = views.term_counts(passages["tokens"], model.vocab_)
    log_weight, log_lift = views.log_terms(model.components_, counts)
    candidates = views.candidate_terms(model.components_, counts, n=n_terms)
    used = np.unique(np.concatenate(candidates))
    position = {int(j): i for i, j in enumerate(used)}
    in_topic = views.topic_counts(model.components_, counts, prevalence)
    data = {
        "view": "topics", "lambda": lam, "n_terms": n_terms, "colors": colors(len(labels)),
        "topics": [{"topic": int(row.topic), "label": str(row.label), "x": float(row.x),
                    "y": float(row.y), "prevalence": float(row.prevalence)}
                   for row in bubbles.itertuples()],
        "terms": [str(model.vocab_[j]).replace("_", " ") for j in used],
        "counts": [int(counts[j]) for j in used],
        "candidates": [[[position[int(j)], float(log_weight[t, j]), float(log_lift[t, j]),
                         float(in_topic[t, j])] for j in chosen]
                       for t, chosen in enumerate(candidates)],
    }
    note = (f"{len(labels)} topics; bubble area ∝ share of all tokens, placed by "
            "Jensen–Shannon distance (classical scaling). Click a bubble or pick a topic; move "
            f"the slider to re-rank its {n_terms} most relevant terms.")
    return view(data, title="Topic map with term relevance", note=note)


def passage_map(model, passages: pd.DataFrame, docs: pd.DataFrame, *, labels=None,
                max_points: int = MAX_POINTS, random_state: int = 0) -> View:
    """Each passage with a topic as a dot placed by ``views.passage_map`` and coloured by its
    dominant topic; hovering shows its document, passage number and text. Above
    ``max_points`` passages a random sample is drawn (said on the page)."""
    labels = model.labels(n_terms=2) if labels is None else list(labels)
    table = model.passage_topics(passages)
    weights = table[[f"topic_{k}" for k in range(1, len(labels) + 1)]].to_numpy()
    table["x"], table["y"] = views.passage_map(weights).T
    table["text"] = passages["text"].to_numpy()
    with_topic = table[table["dominant_topic"].notna()]
    shown, note = views.sample_rows(with_topic, max_points, random_state=random_state,
                                    what="passages")
    names = doc_labels(docs)
    dominant = shown["dominant_topic"].astype(int).to_numpy()
    share = weights[shown.index.to_numpy(), dominant - 1]
    hover = [f"{names.get(str(doc), doc)} · passage {pid} · T{k} ({w:.0%})\n"
             f"{preview(text, PREVIEW_CHARS)}"
             for doc, pid, k, w, text in zip(shown["doc_id"], shown["passage_id"], dominant,
                                             share, shown["text"], strict=True)]
    data = {"view": "passages", "colors": colors(len(labels)),
            "topics": [f"T{k}: {label}" for k, label in enumerate(labels, start=1)],
            "points": [[round(float(x), 4), round(float(y), 4), int(k) - 1]
                       for x, y, k in zip(shown["x"], shown["y"], dominant, strict=True)],
            "hover": hover}
    skipped = len(table) - len(with_topic)
    notes = [f"{len(shown):,} passages; position from their topic mixtures (principal "
             "components of the square-rooted weights), colour = dominant topic. Hover over a "
             "dot for its text; click a topic in the legend to hide or show it.", note]
    if skipped:
        notes.append(f"{skipped:,} passages without any modelled term have no topic and are "
                     "not drawn.")
    return view(data, title="Passages by dominant topic", note="\n".join(filter(None, notes)))


def table(frame: pd.DataFrame, *, title: str, max_rows: int = MAX_ROWS, align=None,
          sort_keys=None, details=None, note: str = "", random_state: int = 0) -> View:
    """``frame`` as a table with a search box (rows containing the text, any column, any case)
    and headings that sort (numbers as numbers; click again to reverse).

    ``align``: column -> ``"right"``, ``"center"``, ``"nowrap"``, ``"wide"`` (long text) or
    ``"label"`` (a document label); ``sort_keys``: column -> one sort key per row (e.g. word
    lists); ``details``: one ``(text, mark_start, mark_end, caption)`` or None per row, shown
    with the mark highlighted when the row is clicked. Above ``max_rows`` rows a random sample
    (said on the page)."""
    shown, sampled = views.sample_rows(frame.reset_index(drop=True), max_rows,
                                       random_state=random_state)
    rows = shown.index.to_numpy()
    columns = [str(c) for c in frame.columns]
    data = {"view": "table", "title": title, "columns": columns,
            "align": [(align or {}).get(c, "text") for c in columns],
            "rows": [[_cell(value) for value in row]
                     for row in shown.itertuples(index=False, name=None)]}
    if sort_keys:
        data["sort_keys"] = {str(c): [keys[i] for i in rows] for c, keys in sort_keys.items()}
    if details is not None:
        texts, index, data["details"] = [], {}, []
        for i in rows:
            if details[i] is None:
                data["details"].append(None)
                continue
            text, start, end, caption = details[i]
            data["details"].append([index.setdefault(text, len(index)), int(start), int(end),
                                    str(caption)])
            if len(texts) < len(index):
                texts.append(text)
        data["texts"] = texts
    note = "\n".join(filter(None, [note, sampled]))
    return view(data, title=title, note=note)


def _cell(value):
    """A table cell for JSON: numbers stay numbers (rounded floats), missing values None."""
    if value is None or (not isinstance(value, str | list) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return str(bool(value))
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        return round(float(value), 6)
    return str(value)


def kwic_table(lines: pd.DataFrame, passages: pd.DataFrame, *, title: str = "KWIC",
               max_rows: int = MAX_ROWS, random_state: int = 0) -> View:
    """KWIC ``lines`` (``views.kwic_lines``) as a table sorted by the left context word by word
    from the keyword outwards, by the right context from the keyword on (as
    ``views.sort_kwic``); clicking a line shows its passage with the match marked."""
    total = len(lines)
    lines, sampled = views.sample_rows(lines.reset_index(drop=True), max_rows,
                                       random_state=random_state, what="lines")
    by_id = passages.set_index(["doc_id", "passage_id"])[["start", "text"]]
    details = []
    for doc, pid, start, end in zip(lines["doc_id"], lines["passage_id"], lines["start"],
                                    lines["end"], strict=True):
        if pd.isna(pid):
            details.append(None)
            continue
        base, text = by_id.loc[(doc, pid)]
        details.append((text, start - base, end - base,
                        f"{doc} · passage {pid} · characters {start}–{end} of the raw text"))
    shown = lines[views.kwic_display_columns(lines)]
    keys = {"left": [views.context_words(t)[::-1] for t in lines["left"]],
            "right": [views.context_words(t) for t in lines["right"]],
            "keyword": [t.casefold() for t in lines["keyword"]]}
    return table(shown.rename(columns={"label": "document", "passage_id": "passage"}),
                 title=title, max_rows=max_rows, sort_keys=keys, details=details,
                 align={"document": "label", "left": "right", "keyword": "center",
                        "right": "nowrap"},
                 note="\n".join(filter(None, [
                     f"{total:,} lines. Sort by left/right to order the concordance by the "
                     "words next to the keyword; click a line to read its passage.", sampled])))


def passage_table(model, passages: pd.DataFrame, docs: pd.DataFrame, *, labels=None,
                  max_rows: int = MAX_ROWS, random_state: int = 0) -> View:
    """Every passage with its document, offsets, dominant topic and share, and the start of
    its text; clicking a row shows the whole passage."""
    labels = model.labels(n_terms=2) if labels is None else list(labels)
    passages, sampled = views.sample_rows(passages.reset_index(drop=True), max_rows,
                                          random_state=random_state, what="passages")
    topics = model.passage_topics(passages)
    weights = topics[[f"topic_{k}" for k in range(1, len(labels) + 1)]].to_numpy()
    dominant = topics["dominant_topic"]
    names = doc_labels(docs)
    frame = pd.DataFrame({
        "document": passages["doc_id"].astype(str).map(names).to_numpy(),
        "passage": passages["passage_id"].to_numpy(),
        "start": passages["start"].to_numpy(), "end": passages["end"].to_numpy(),
        "topic": [f"T{k}" if pd.notna(k) else "" for k in dominant],
        "share": np.where(dominant.notna(), weights.max(axis=1), np.nan),
        "text": [preview(text, PREVIEW_CHARS) for text in passages["text"]],
    })
    details = [(text, 0, 0, f"{doc} · passage {pid} · characters {start}–{end}")
               for doc, pid, start, end, text in zip(
                   passages["doc_id"], passages["passage_id"], passages["start"],
                   passages["end"], passages["text"], strict=True)]
    key = "; ".join(f"T{k}: {label}" for k, label in enumerate(labels, start=1))
    return table(frame, title="Passages", max_rows=max_rows, details=details,
                 align={"document": "label", "text": "wide"},
                 note="\n".join(filter(None, [
                     f"Topic = dominant topic ({key}). Search the text, sort by any column, "
                     "click a row to read the whole passage.", sampled])))


def reader_html(text: str, spans: pd.DataFrame, *, max_chars: int = READER_CHARS) -> str:
    """``text`` as HTML (escaped) with ``spans`` (``views.reader_spans``) marked: boilerplate
    greyed and struck through, concept hits underlined (their term on hover), each passage's
    start labelled "[passage N]"; with the views' style sheet. A longer text shows its first
    ``max_chars`` characters, and says so."""
    note = ""
    if len(text) > max_chars:
        note = (f'<div class="nqpf-view"><p class="nqpf-note">The first {max_chars:,} of '
                f"{len(text):,} characters.</p></div>")
        text, spans = text[:max_chars], spans[spans["start"] < max_chars]
        spans = spans.assign(end=spans["end"].clip(upper=max_chars))
    kinds, names = spans["kind"].to_numpy(), spans["name"].to_numpy()
    passage_starts = {}
    for start, name in zip(spans["start"][kinds == "passage"], names[kinds == "passage"],
                           strict=True):
        passage_starts.setdefault(start, []).append(name)
    pieces = []
    for lo, hi, rows in views.segments(len(text), spans):
        pieces += [f'<span class="nqpf-passage-start">[{html.escape(str(name))}] </span>'
                   for name in passage_starts.get(lo, [])]
        marked = [r for r in rows if kinds[r] != "passage"]
        piece = html.escape(text[lo:hi])
        if marked:
            classes = " ".join(sorted({f"nqpf-{kinds[r]}" for r in marked}))
            title = "; ".join(dict.fromkeys(str(names[r]) for r in marked))
            piece = f'<span class="{classes}" title="{html.escape(title)}">{piece}</span>'
        pieces.append(piece)
    return f'{STYLE}\n{note}<div class="nqpf-reader">{"".join(pieces)}</div>'
