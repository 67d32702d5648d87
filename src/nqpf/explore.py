"""Exploration tables: corpus statistics, frequencies, KWIC, collocations, dispersion and the
directive-language profile. Every function returns a pandas DataFrame (no plotting).

Units, used consistently:
- ``words``: raw whitespace-separated words of the original ``text`` (``len(text.split())``);
  the directive profile is per 1,000 raw words, for Chinese documents per 10,000 characters
  (non-space characters of the raw text).
- ``tokens``: the passages' ``tokens`` lists (``nqpf.tokenize``: lemmas and ``_`` phrase
  tokens, stopwords and numbers removed); ``frequencies`` and keyness are per 1,000 tokens.
KWIC, dispersion and directive counts search the RAW text, so offsets cite the original file.
Chinese queries match their traditional forms too and across line breaks and spaces inside the
raw text (``习　近　平``), and KWIC context is cut at any Chinese character, not only at white
space.
"""

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from . import chinese, paths
from .boilerplate import CJK
from .checks import check_docs, read_csv_table, require_columns, require_values
from .keyness import count_matrix, count_tokens, g2, log_ratio
from .language import HAN, detect
from .lexicon import AFTER, BEFORE, Lexicon, default_lexicon
from .pages import has_pages, page_column

KINDS = ("all", "words", "phrases")
PER = {"tokens": "per_1000", "characters": "per_10000_chars"}  # frequencies' rate column
MEASURES = ("log_likelihood", "log_ratio", "npmi", "log_dice", "observed")
COLLOCATION_COLUMNS = ["collocate", "observed", "expected", "node_freq", "collocate_freq",
                       *MEASURES[:4]]
KWIC_COLUMNS = ["doc_id", "passage_id", "start", "end", "left", "keyword", "right"]
DIRECTIVE_COLUMNS = ["form", "category", "inflect"]
PROFILE_COLUMNS = ["doc_id", "form", "category", "count", "rate", "unit"]
NOT_DIRECTIVE = "-"  # category of a word that contains a form but is not directive (重要)
UNITS = {"en": "per 1,000 words", "zh": "per 10,000 characters"}
TRUE, FALSE = {"true", "yes", "1"}, {"false", "no", "0", ""}
# KWIC context may be cut next to white space or a CJK character without splitting a word.
_CJK_SPACE = re.compile(f"(?<={CJK.pattern}) (?={CJK.pattern})")  # a line break in Chinese
_PARTIAL_START = re.compile(f"^(?:(?!{CJK.pattern})\\S)+")  # a word cut at the edge
_PARTIAL_END = re.compile(f"(?:(?!{CJK.pattern})\\S)+$")
# Han characters with only white space between them: where a form made of Han characters can
# match (searching these stretches keeps the Chinese forms linear on long English texts).
HAN_STRETCH = re.compile(f"{HAN.pattern}(?:\\s*{HAN.pattern})*")


def corpus_stats(docs: pd.DataFrame, passages: pd.DataFrame,
                 sentences: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per document plus a final ``doc_id == "corpus"`` row. Columns: ``doc_id, words``
    (``docs["n_words"]`` where given: each Han character one word; else white-space words),
    ``sentences`` (only if a ``sentences`` table with ``doc_id`` is given), ``passages, tokens,
    types, ttr`` (types / tokens; NaN without tokens). The corpus row sums the counts but
    counts ``types`` over the whole corpus (not the sum of documents)."""
    check_docs(docs)
    require_columns(passages, ["doc_id", "tokens"], "passages")
    passages = passages[passages["doc_id"].isin(docs["doc_id"])]
    table = pd.DataFrame({"doc_id": docs["doc_id"].to_numpy(),
                          "words": docs["n_words"].to_numpy() if "n_words" in docs
                          else [len(text.split()) for text in docs["text"]]})
    if sentences is not None:
        require_columns(sentences, ["doc_id"], "sentences")
        table["sentences"] = table["doc_id"].map(sentences["doc_id"].value_counts())
    labels, terms, counts = count_matrix(passages["tokens"], passages["doc_id"])
    table["passages"] = table["doc_id"].map(passages["doc_id"].value_counts())
    table["tokens"] = table["doc_id"].map(pd.Series(counts.sum(axis=1), index=labels))
    table["types"] = table["doc_id"].map(pd.Series(counts.count_nonzero(axis=1), index=labels))
    table = table.fillna(0)
    total = table.drop(columns="doc_id").sum().to_dict()
    total.update(doc_id="corpus", types=len(terms))
    table = pd.concat([table, pd.DataFrame([total])], ignore_index=True)
    table = table.astype({c: "int64" for c in table.columns if c != "doc_id"})
    table["ttr"] = table["types"] / table["tokens"].where(table["tokens"] > 0)
    return table


def frequencies(passages: pd.DataFrame, *, by: str | None = None, top: int | None = None,
                kind: str = "all", per: str = "tokens") -> pd.DataFrame:
    """Token frequency table, overall or per value of column ``by`` (e.g. ``"doc_id"``).

    ``kind``: ``"all"``, ``"words"`` (lemmas) or ``"phrases"`` (tokens containing ``_``).
    ``per_1000``: count per 1,000 tokens of ALL kinds in the group, so per_1000 of
    ``kind="all"`` sums to 1,000 per group. ``rank``: 1 = most frequent, ties share the
    lowest rank. ``top`` keeps the first ``top`` rows per group (count desc, then term).
    ``per="characters"`` (for Chinese, 每万字) gives ``per_10000_chars`` instead of
    ``per_1000``: count per 10,000 non-space characters of the group's passage ``text``.
    Returns DataFrame (n_rows, 4), or (n_rows, 5) with ``by``: columns ``[by,] term, count,
    per_1000, rank``. Raises ``ValueError`` if a passage has no value in ``by`` (fill it first).
    """
    if per not in PER:
        raise ValueError(f"per must be one of {tuple(PER)}, got {per!r}")
    require_columns(passages, ["tokens"] + ([by] if by else [])
                    + (["text"] if per == "characters" else []), "passages")
    if by:
        require_values(passages, by, "passages")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if top is not None and top < 1:
        raise ValueError(f"top must be a positive integer or None, got {top!r}")
    codes = passages[by] if by else np.zeros(len(passages))
    labels, terms, counts = count_matrix(passages["tokens"], codes)
    if per == "characters":
        chars = [len(text) - sum(map(str.isspace, text)) for text in passages["text"]]
        sizes, scale = pd.Series(chars).groupby(pd.factorize(codes)[0]).sum().to_numpy(), 10_000
    else:
        sizes, scale = counts.sum(axis=1), 1000
    rate = PER[per]
    cells = counts.tocoo()
    table = pd.DataFrame({"group": cells.row, "term": pd.array(terms[cells.col], dtype="str"),
                          "count": cells.data.astype("int64")})
    if kind != "all":
        table = table[table["term"].str.contains("_", regex=False) == (kind == "phrases")]
    table[rate] = table["count"] / np.maximum(sizes[table["group"]], 1) * scale
    table = table.sort_values(["group", "count", "term"], ascending=[True, False, True],
                              ignore_index=True)
    table["rank"] = table.groupby("group")["count"].rank(method="min", ascending=False).astype(
        "int64")
    if top:
        table = table.groupby("group").head(top).reset_index(drop=True)
    if by:
        return pd.concat([pd.Series(labels[table["group"]], name=by),
                          table.drop(columns="group")], axis=1)
    return table.drop(columns="group")


def compile_pattern(pattern: str | re.Pattern) -> re.Pattern:
    """A compiled regex is returned as is; a plain string is escaped and matched
    case-insensitively, as whole words, with any run of white space (incl. newlines)
    between its words: ``"new productive forces"`` finds ``"New productive\\nforces"``; and
    between two Chinese characters: ``"新质生产力"`` finds ``"新质\\n生产力"``."""
    if isinstance(pattern, re.Pattern):
        return pattern
    if not isinstance(pattern, str) or not pattern.split():
        raise ValueError(f"pattern must be a compiled regex or a non-empty string, got {pattern!r}")
    words = pattern.split()
    return re.compile(_phrase([_word_regex(word) for word in words], " ".join(words)),
                      re.IGNORECASE)


def term_pattern(term: str, *, lexicon: Lexicon | None = None,
                 inflect: bool = True) -> re.Pattern:
    """Raw-text regex for a token as it appears in ``tokens`` / ``frequencies``.

    A canonical term of ``lexicon`` (default: the project lexicon), e.g.
    ``"new_quality_productive_forces"``, matches every surface variant
    (``Lexicon.variants_pattern``). Any other token matches its words (``_`` read as white
    space), case-insensitive, whole words; with ``inflect`` the first word also matches
    -s/-es/-ed/-ing as in ``directive_profile`` (``"talent"`` finds "talents"). Lemmas with
    irregular forms ("country" / "countries") are only matched as written.
    """
    if not isinstance(term, str) or not term.replace("_", " ").split():
        raise ValueError(f"term must be a non-empty token string, got {term!r}")
    lexicon = default_lexicon() if lexicon is None else lexicon
    if term in lexicon.terms:
        return lexicon.variants_pattern(term)
    return re.compile(_words_regex(term.replace("_", " "), inflect), re.IGNORECASE)


def kwic(docs: pd.DataFrame, passages: pd.DataFrame, pattern: str | re.Pattern, *,
         window: int = 60) -> pd.DataFrame:
    """Keyword-in-context lines for every match of ``pattern`` (see ``compile_pattern``; e.g.
    ``lexicon.variants_pattern("new_quality_productive_forces")``) in the RAW ``text``.

    Returns DataFrame (n_matches, 7), columns ``doc_id, passage_id`` (the passage containing
    the match start; <NA> for matches in boilerplate outside every passage), ``start, end``
    (``text[start:end] == keyword``), ``left, keyword, right``. ``left``/``right``: at most
    ``window`` characters of context with white space collapsed, cut at a word boundary (no
    partial words at the outer edge). If any document has pages (``nqpf.pages``), a ``page``
    column after ``end`` gives the match's page (<NA> in a text without pages).
    """
    check_docs(docs)
    require_columns(passages, ["doc_id", "passage_id", "start", "end"], "passages")
    regex = compile_pattern(pattern)
    spans = passages.sort_values(["doc_id", "start"], kind="stable")
    all_starts, all_ends = spans["start"].to_numpy(), spans["end"].to_numpy()
    all_ids = spans["passage_id"].to_numpy()
    rows_of = spans.groupby("doc_id", sort=False).indices  # doc_id -> its rows, by start
    no_rows = np.zeros(0, dtype=np.int64)
    rows = []
    for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True):
        doc_rows = rows_of.get(doc_id, no_rows)
        starts, ends, ids = all_starts[doc_rows], all_ends[doc_rows], all_ids[doc_rows]
        for match in regex.finditer(text):
            start, end = match.span()
            i = np.searchsorted(starts, start, side="right") - 1
            passage_id = ids[i] if i >= 0 and start < ends[i] else pd.NA
            rows.append((doc_id, passage_id, start, end, _context(text, start, window, before=True),
                         match.group(), _context(text, end, window, before=False)))
    table = pd.DataFrame(rows, columns=KWIC_COLUMNS)
    table = table.astype({"passage_id": "Int64", "start": "int64", "end": "int64"})
    if has_pages(docs["text"]):
        texts = dict(zip(docs["doc_id"], docs["text"], strict=True))
        table.insert(4, "page", pd.array(page_column(texts, table["doc_id"], table["start"]),
                                         dtype="Int64"))
    return table


def collocations(passages: pd.DataFrame, node: str, *, window: int = 5, min_count: int = 3,
                 measure: str = "log_likelihood", positive: bool = False) -> pd.DataFrame:
    """Collocates of token ``node`` within ±``window`` tokens, inside one passage only.

    Surface co-occurrence table as in Evert (2008, sec. 5): the span is the set of token
    positions within ±``window`` of some node occurrence in the same passage, node positions
    excluded and overlapping windows counted once. N = all tokens minus node occurrences,
    R1 = span size, C1 = collocate frequency, O11 = collocate tokens in the span, and
    E11 = R1 * C1 / N. With span vs rest of the corpus as target vs reference:
    ``log_likelihood = keyness.g2(O11, C1 - O11, R1, N - R1)`` (two-sided: also large for
    repelled words, check ``observed > expected``), ``log_ratio`` likewise (Hardie 2014),
    ``npmi = log2(O11 / E11) / -log2(O11 / N)`` (Bouma 2009) and
    ``log_dice = 14 + log2(2 * O11 / (node_freq + C1))`` (Rychlý 2008).
    Returns DataFrame (n_collocates, 9), columns collocate, observed, expected, node_freq,
    collocate_freq, log_likelihood, log_ratio, npmi, log_dice; rows with
    ``observed >= min_count`` (and, if ``positive``, only attracted collocates:
    ``observed > expected``), sorted by ``measure`` (descending, then collocate).
    """
    require_columns(passages, ["tokens"], "passages")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {MEASURES}, got {measure!r}")
    if window < 1:
        raise ValueError(f"window must be a positive number of tokens, got {window!r}")
    totals = count_tokens(passages["tokens"])
    if not totals[node]:
        raise ValueError(f"node {node!r} does not occur in passages['tokens']")
    span_counts, span_size = count_tokens([]), 0
    for tokens in passages["tokens"]:
        hits = [i for i, token in enumerate(tokens) if token == node]
        span = {j for i in hits
                for j in range(max(0, i - window), min(len(tokens), i + window + 1))}
        span -= set(hits)
        span_size += len(span)
        span_counts.update(tokens[j] for j in span)
    node_freq = totals.pop(node)
    n = totals.total()
    terms = sorted(t for t, o in span_counts.items() if o >= min_count)
    o11 = np.array([span_counts[t] for t in terms], dtype=float)
    c1 = np.array([totals[t] for t in terms], dtype=float)
    expected = span_size * c1 / n
    table = pd.DataFrame({
        "collocate": terms, "observed": o11.astype("int64"), "expected": expected,
        "node_freq": node_freq, "collocate_freq": c1.astype("int64"),
        "log_likelihood": g2(o11, c1 - o11, span_size, n - span_size),
        "log_ratio": log_ratio(o11, c1 - o11, span_size, n - span_size),
        "npmi": np.log2(o11 / expected) / -np.log2(o11 / n),
        "log_dice": 14 + np.log2(2 * o11 / (node_freq + c1)),
    }, columns=COLLOCATION_COLUMNS)
    if positive:
        table = table[table["observed"] > table["expected"]]
    return table.sort_values([measure, "collocate"], ascending=[False, True], ignore_index=True)


def dispersion(docs: pd.DataFrame, patterns: dict[str, str | re.Pattern]) -> pd.DataFrame:
    """Every match of each ``patterns`` value (label -> pattern, see ``compile_pattern``) in the
    raw ``text``: columns ``doc_id, term`` (the label), ``start``, ``relative_position``
    (``start / len(text)``, in [0, 1)) — the data of a lexical dispersion plot."""
    check_docs(docs)
    if not isinstance(patterns, dict) or not patterns:
        raise ValueError("patterns must be a non-empty dict of label -> pattern")
    regexes = {label: compile_pattern(pattern) for label, pattern in patterns.items()}
    rows = [(doc_id, label, match.start(), match.start() / len(text))
            for doc_id, text in zip(docs["doc_id"], docs["text"], strict=True)
            for label, regex in regexes.items() for match in regex.finditer(text)]
    table = pd.DataFrame(rows, columns=["doc_id", "term", "start", "relative_position"])
    return table.astype({"start": "int64", "relative_position": "float64"})


def load_directives(path: Path = paths.LEXICON / "directives.csv") -> pd.DataFrame:
    """Read the directive-language list: CSV with header ``form,category,inflect``
    (``inflect``: yes/no, see ``directive_profile``). Returns DataFrame with those columns."""
    table = read_csv_table(path, "directives", dtype=str, keep_default_na=False,
                           skipinitialspace=True)
    return _checked_directives(table, str(path))


def directive_profile(docs: pd.DataFrame, *, forms: pd.DataFrame | list[str] | None = None,
                      path: Path = paths.LEXICON / "directives.csv") -> pd.DataFrame:
    """Directive (modal and exhortative) language per document: one row per ``doc_id`` x form
    of the document's language that occurs in it (count > 0; a form a document does not use has
    no row, so the table grows with the matches, not with documents x forms), columns ``doc_id,
    form, category, count, rate, unit``. Column ``language`` of ``docs`` (without it:
    ``nqpf.language.detect``): ``zh`` documents get the Chinese forms, ``mixed`` ones all forms,
    both per 10,000 non-space characters; others the English forms per 1,000 raw whitespace words.

    ``forms``: DataFrame ``form, category[, inflect]`` or a list of forms; default: read
    ``path``. A form with Han characters is Chinese, written in simplified characters; its
    traditional forms count for it. Matching on the raw text: case-insensitive, any white
    space between words; English forms as whole words, Chinese forms wherever they occur,
    except inside the words listed with category ``-`` (重要 and
    主要 contain 要 but instruct no one; they are matched and not counted). Inflection rule
    (rows with ``inflect`` yes): the FIRST word also matches -s/-es, -ed and -ing, dropping a
    final ``e`` before -ed/-ing ("accelerate" finds accelerates, accelerated, accelerating;
    "adhere to" finds "adhering to"). Each stretch of text counts once: all forms are searched
    together, longest form first, so "it is necessary to" counts for "it is necessary", not
    also for "necessary to".
    """
    check_docs(docs)
    if forms is None:
        forms = load_directives(path)
    elif isinstance(forms, list):
        forms = _checked_directives(pd.DataFrame({"form": forms, "category": ""}), "forms")
    else:
        forms = _checked_directives(forms, "forms")
    order = sorted(range(len(forms)), key=lambda i: -len(forms["form"].iat[i]))
    chinese_form = forms["form"].map(lambda form: HAN.search(form) is not None).to_numpy()
    # Forms with Han characters are searched only in texts that have some (a regex with every
    # Chinese form and its traditional variants is slow on long English texts).
    searches = []
    for han in (False, True):
        group = [i for i in order if chinese_form[i] == han]
        if group:
            sources = [_words_regex(forms["form"].iat[i], forms["inflect"].iat[i]) for i in group]
            only_han = han and all(HAN_STRETCH.fullmatch(forms["form"].iat[i]) for i in group)
            searches.append((han, only_han, group, re.compile(
                "|".join(f"({source})" for source in sources), re.IGNORECASE)))
    counted = (forms["category"] != NOT_DIRECTIVE).to_numpy()
    languages = docs["language"] if "language" in docs.columns else docs["text"].map(detect)
    shown_forms = {"zh": counted & chinese_form, "mixed": counted}
    other_forms = counted & ~chinese_form
    form_values, category_values = forms["form"].to_numpy(), forms["category"].to_numpy()
    rows = []
    for doc_id, text, language in zip(docs["doc_id"], docs["text"], languages, strict=True):
        found = Counter()
        for han, only_han, group, regex in searches:
            if han and not HAN.search(text):
                continue
            stretches = (match.span() for match in HAN_STRETCH.finditer(text)) if only_han else [
                (0, len(text))]
            for start, end in stretches:
                found.update(group[match.lastindex - 1]
                             for match in regex.finditer(text, start, end))
        shown = shown_forms.get(language, other_forms)
        found = sorted((i, count) for i, count in found.items() if shown[i])
        if not found:
            continue
        chinese = language in shown_forms
        unit = UNITS["zh" if chinese else "en"]
        size = (len(text) - sum(map(str.isspace, text))) / 10_000 if chinese else (
            len(text.split()) / 1000)
        rows += [(doc_id, form_values[i], category_values[i], count, count / size, unit)
                 for i, count in found]
    return pd.DataFrame(rows, columns=PROFILE_COLUMNS).astype({"count": "int64"})


def _phrase(words: list[str], form: str) -> str:
    """Regex source: word regexes separated by white space, with word boundaries at the ends
    of ``form`` that are not Han characters (Chinese is written without spaces)."""
    before = "" if HAN.match(form[0]) else BEFORE
    after = "" if HAN.match(form[-1]) else AFTER
    return before + r"\s+".join(words) + after


def _word_regex(word: str) -> str:
    """Regex source for one word: escaped, with optional white space between two Han
    characters (raw Chinese text breaks lines and spaces names inside words); a word with
    Han characters also matches its traditional forms (``nqpf.chinese.traditional_forms``)."""
    forms = [word, *chinese.traditional_forms(word)] if HAN.search(word) else [word]
    sources = []
    for form in forms:
        source = re.escape(form[:1])
        for previous, char in zip(form, form[1:], strict=False):
            between = r"\s*" if HAN.match(previous) and HAN.match(char) else ""
            source += between + re.escape(char)
        sources.append(source)
    return sources[0] if len(sources) == 1 else f"(?:{'|'.join(sources)})"


def _words_regex(form: str, inflect: bool) -> str:
    """Regex source for the words of ``form``; ``inflect``: see ``directive_profile``
    (never for a Chinese word)."""
    words = [_word_regex(word) for word in form.lower().split()]
    if inflect and not HAN.search(form):
        first = words[0]
        stem, endings = (first[:-1], "e|es|ed|ing") if first.endswith("e") else (first,
                                                                                 "|s|es|ed|ing")
        words[0] = f"{stem}(?:{endings})"
    return _phrase(words, form.strip())


def _checked_directives(table: pd.DataFrame, source: str) -> pd.DataFrame:
    """Validate a directives table; return ``form, category, inflect`` (bool), forms stripped."""
    require_columns(table, ["form", "category"], source)
    table = table.assign(inflect=table.get("inflect", ""))
    table = table[DIRECTIVE_COLUMNS].fillna("").astype(str)
    table = table.apply(lambda column: column.str.strip()).reset_index(drop=True)
    flags = table["inflect"].str.lower()
    bad = ~flags.isin(TRUE | FALSE)
    if bad.any():
        values = sorted(set(table["inflect"][bad]))
        raise ValueError(f"{source}: inflect must be yes or no, got {values}")
    if (table["form"] == "").any() or table.empty:
        raise ValueError(f"{source}: every row needs a non-empty form")
    duplicated = table["form"].str.lower().duplicated()
    if duplicated.any():
        raise ValueError(f"{source}: duplicate form(s) {sorted(set(table['form'][duplicated]))}")
    return table.assign(inflect=flags.isin(TRUE))


def _context(text: str, position: int, window: int, *, before: bool) -> str:
    """At most ``window`` characters before/after ``position``, white space collapsed (and
    dropped between two CJK characters), cut where no word is split: at white space or next
    to a CJK character."""
    size = 2 * window
    while True:
        lo, hi = (max(0, position - size), position) if before else (position, position + size)
        context = _CJK_SPACE.sub("", " ".join(text[lo:hi].split()))
        if len(context) > window or (lo == 0 if before else hi >= len(text)):
            break
        size *= 2
    if len(context) <= window:
        return context
    kept, cut = (context[-window:], context[-window - 1]) if before else (
        context[:window], context[window])
    inner = kept[0] if before else kept[-1]
    if not (cut == " " or inner == " " or CJK.match(cut) or CJK.match(inner)):
        kept = (_PARTIAL_START if before else _PARTIAL_END).sub("", kept)  # a cut word
    return kept.strip()
