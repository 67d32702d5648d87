"""Explorers for JupyterLab (ipywidgets): a KWIC explorer, a topic browser and a passage reader.

Each is a thin layer over ``nqpf.views`` (the tables) and ``nqpf.interactive`` (the reader's
HTML): a control's handler recomputes its table with those functions, keeps it as an attribute
(``lines``, ``terms``, ``spans`` …) and shows it as escaped HTML. Tests set a control's value (or
call the handler) and read the attribute. Displayed outside a live kernel (a report page), an
explorer shows one sentence saying what it is.
"""

import html

import ipywidgets as w
import pandas as pd

from nqpf import views
from nqpf.clean import preview
from nqpf.interactive import reader_html
from nqpf.labels import doc_labels
from nqpf.layout import topic_prevalence

MAX_LINES = 200  # KWIC lines shown at once (all are in ``lines``)
MAX_CHOICES = 500  # documents offered in a list; above this the first ones (said beside it)
PREVIEW_CHARS = 300
ALL = "*"  # the KWIC explorer's choice "all documents"


def html_table(frame: pd.DataFrame, *, floats: int = 3) -> str:
    """``frame`` as an escaped HTML table (no index), floats rounded."""
    return frame.round(floats).to_html(index=False, escape=True, border=0,
                                       classes="nqpf-table", na_rep="")


def message(text: str) -> str:
    return f'<p class="nqpf-note">{html.escape(text)}</p>'


def document_choices(labels: pd.Series) -> tuple[list[tuple[str, str]], str]:
    """(label, doc_id) choices for the first ``MAX_CHOICES`` documents, and a sentence saying
    so when there are more ("" otherwise)."""
    choices = [(label, doc) for doc, label in labels.head(MAX_CHOICES).items()]
    if len(labels) <= MAX_CHOICES:
        return choices, ""
    return choices, (f"The list offers the first {MAX_CHOICES:,} of {len(labels):,} documents; "
                     "pass docs=docs[...] to choose others.")


class Explorer:
    """An explorer: ``widget`` is its ipywidgets box; ``description`` its text form."""

    description = "An nqpf explorer"
    widget: w.Widget

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        bundle["text/plain"] = self.description
        return bundle


class KwicExplorer(Explorer):
    """Concordance of a term, a lexicon concept or a regular expression (``views.kwic_lines``)
    in chosen documents, with a context window and a sort by position, left or right context
    or keyword; picking a line shows its passage with the match marked and its offsets."""

    description = ("KWIC explorer (interactive in JupyterLab: query, kind, window, documents, "
                   "sort, and each line's passage).")

    def __init__(self, docs: pd.DataFrame, passages: pd.DataFrame, *,
                 query: str = "new_quality_productive_forces", kind: str = "concept",
                 window: int = 60, sort: str = "position", max_lines: int = MAX_LINES,
                 lexicon=None):
        self.docs, self.passages, self.lexicon, self.max_lines = docs, passages, lexicon, max_lines
        self.labels = doc_labels(docs)
        self.query = w.Text(value=query, description="Query", continuous_update=False)
        self.kind = w.Dropdown(options=views.QUERY_KINDS, value=kind, description="Kind")
        self.window = w.IntSlider(value=window, min=10, max=300, step=10,
                                  description="Window", continuous_update=False)
        choices, self.note = document_choices(self.labels)
        self.documents = w.SelectMultiple(options=[("All documents", ALL), *choices],
                                          value=(ALL,), rows=5, description="Documents")
        self.sort = w.Dropdown(options=views.KWIC_SORTS, value=sort, description="Sort by")
        self.status = w.HTML()
        self.table = w.HTML()
        self.line = w.Dropdown(description="Line", options=[])
        self.passage = w.HTML()
        self.lines = pd.DataFrame()
        for control in (self.query, self.kind, self.window, self.documents, self.sort):
            control.observe(self.update, names="value")
        self.line.observe(self.show_line, names="value")
        self.widget = w.VBox([
            w.HBox([self.query, self.kind, self.sort]), w.HBox([self.window, self.documents]),
            w.HTML(message(self.note)), self.status, self.table, self.line, self.passage])
        self.update()

    def update(self, change=None) -> None:
        """Recompute ``lines`` from the controls; show them (first ``max_lines``)."""
        try:
            self.lines = views.kwic_lines(
                self.docs, self.passages, self.query.value, kind=self.kind.value,
                window=self.window.value, doc_ids=(
                    None if ALL in self.documents.value else list(self.documents.value)),
                sort=self.sort.value, lexicon=self.lexicon)
        except ValueError as error:
            self.lines = pd.DataFrame()
            self.status.value, self.table.value, self.line.options = message(str(error)), "", []
            self.passage.value = ""
            return
        shown = self.lines.head(self.max_lines)
        self.status.value = message(
            f"{len(self.lines)} lines in {self.lines['doc_id'].nunique()} documents"
            + (f"; the first {self.max_lines} shown" if len(self.lines) > self.max_lines else ""))
        self.table.value = html_table(shown[views.kwic_display_columns(shown)])
        self.line.options = [
            (f"{i + 1}. {row.label} · passage {row.passage_id} · {row.start}–{row.end}", i)
            for i, row in enumerate(shown.itertuples())]
        self.show_line()

    def show_line(self, change=None) -> None:
        """Show the passage of the chosen line with the match marked."""
        i = self.line.value
        if i is None or self.lines.empty:
            self.passage.value = ""
            return
        row = self.lines.iloc[i]
        if pd.isna(row["passage_id"]):
            self.passage.value = message("This match lies in boilerplate outside every passage.")
            return
        own = self.passages[(self.passages["doc_id"] == row["doc_id"])
                            & (self.passages["passage_id"] == row["passage_id"])].iloc[0]
        spans = pd.DataFrame({"kind": ["concept"], "start": [row["start"] - own["start"]],
                              "end": [row["end"] - own["start"]], "name": [row["keyword"]]})
        caption = (f"{row['label']} ({row['doc_id']}), passage {row['passage_id']}, characters "
                   f"{own['start']}–{own['end']}; the match at {row['start']}–{row['end']}")
        self.passage.value = message(caption) + reader_html(own["text"], spans)


class TopicBrowser(Explorer):
    """One topic at a time: its terms ranked by pyLDAvis's relevance at the slider's λ
    (``views.relevant_terms``), its representative passages, and its share per document and per
    ``group`` (a metadata column of ``docs``) (``views.topic_shares``)."""

    description = ("Topic browser (interactive in JupyterLab: topic, relevance λ, "
                   "representative passages, share per document and group).")

    def __init__(self, model, passages: pd.DataFrame, docs: pd.DataFrame, *, labels=None,
                 group: str | None = None, n_terms: int = 20, n_passages: int = 3,
                 lam: float = views.DEFAULT_LAMBDA):
        self.model, self.n_terms = model, n_terms
        self.topic_labels = model.labels(n_terms=2) if labels is None else list(labels)
        lengths = passages["tokens"].map(len).to_numpy()
        self.counts = views.term_counts(passages["tokens"], model.vocab_)
        self.prevalence = topic_prevalence(model.doc_topic_, lengths)
        names = doc_labels(docs)
        self.representative = model.representative_passages(passages, n=n_passages)
        self.representative.insert(3, "label", self.representative["doc_id"].astype(str)
                                   .map(names))
        self.doc_shares = views.topic_shares(model.doc_topic_, lengths,
                                             passages["doc_id"].astype(str).map(names))
        self.group_shares = None
        if group is not None:
            if group not in docs:
                raise ValueError(f"docs has no column {group!r} to group by; columns: "
                                 f"{', '.join(map(str, docs.columns))}")
            by_doc = docs.set_index(docs["doc_id"].astype(str))[group].astype(str)
            self.group_shares = views.topic_shares(
                model.doc_topic_, lengths, passages["doc_id"].astype(str).map(by_doc))
        self.topic = w.Dropdown(options=[(f"T{k}: {label}", k) for k, label in
                                         enumerate(self.topic_labels, start=1)],
                                value=1, description="Topic")
        self.lam = w.FloatSlider(value=lam, min=0, max=1, step=0.01, description="λ",
                                 readout_format=".2f")
        self.terms_html, self.passages_html, self.shares_html = w.HTML(), w.HTML(), w.HTML()
        self.terms = pd.DataFrame()
        self.topic.observe(self.update, names="value")
        self.lam.observe(self.update, names="value")
        self.widget = w.VBox([
            w.HBox([self.topic, self.lam]),
            w.HBox([self.terms_html, w.VBox([self.shares_html, self.passages_html])])])
        self.update()

    def update(self, change=None) -> None:
        """Re-rank the chosen topic's terms at λ; show its passages and shares."""
        topic = self.topic.value
        self.terms = views.relevant_terms(self.model.components_, self.model.vocab_,
                                          self.counts, self.prevalence, topic,
                                          lam=self.lam.value, n=self.n_terms)
        self.terms_html.value = (message(f"Terms of T{topic} by relevance at λ = "
                                         f"{self.lam.value:.2f}")
                                 + html_table(self.terms.drop(columns="relevance")))
        own = self.representative[self.representative["topic"] == topic]
        quotes = "".join(
            f"<blockquote><b>{html.escape(str(row.label))}</b>, passage {row.passage_id} "
            f"({row.weight:.0%}): {html.escape(preview(row.text, PREVIEW_CHARS))}</blockquote>"
            for row in own.itertuples())
        self.passages_html.value = message("Representative passages") + quotes
        shares = self.doc_shares[topic].rename("share").rename_axis("document").reset_index()
        parts = [message(f"Share of T{topic} per document"), html_table(shares)]
        if self.group_shares is not None:
            groups = self.group_shares[topic].rename("share").rename_axis("group").reset_index()
            parts += [message(f"Share of T{topic} per group"), html_table(groups)]
        self.shares_html.value = "".join(parts)


class PassageReader(Explorer):
    """A document with its passages numbered, boilerplate greyed and struck through and
    lexicon concepts underlined (``views.reader_spans``, ``interactive.reader_html``)."""

    description = ("Passage reader (interactive in JupyterLab: a document with passages, "
                   "boilerplate and concept hits marked).")

    def __init__(self, docs: pd.DataFrame, passages: pd.DataFrame, boilerplate: pd.DataFrame,
                 *, lexicon=None):
        self.docs, self.passages, self.boilerplate = docs, passages, boilerplate
        self.lexicon = lexicon
        choices, note = document_choices(doc_labels(docs))
        self.document = w.Dropdown(options=choices, description="Document")
        self.summary, self.text = w.HTML(), w.HTML()
        self.spans = pd.DataFrame()
        self.document.observe(self.update, names="value")
        self.widget = w.VBox([self.document, w.HTML(message(note)), self.summary, self.text])
        self.update()

    def update(self, change=None) -> None:
        """Mark the chosen document's passages, boilerplate and concept hits."""
        doc_id = self.document.value
        self.spans = views.reader_spans(doc_id, self.docs, self.passages, self.boilerplate,
                                        lexicon=self.lexicon)
        text = self.docs.loc[self.docs["doc_id"].astype(str) == str(doc_id), "text"].iloc[0]
        counts = self.spans["kind"].value_counts()
        self.summary.value = message(
            f"{counts.get('passage', 0)} passages, {counts.get('boilerplate', 0)} boilerplate "
            f"spans (grey, struck through), {counts.get('concept', 0)} concept hits "
            "(underlined; hover for the concept)")
        self.text.value = reader_html(text, self.spans)
