"""Short readable names for documents, for figures and tables (ids stay the key).

A document's label is its metadata ``label`` if given, else its ``title`` shortened, else its
``doc_id``; labels are made unique by a number, and ``label_key`` links each label to its id.
"""

import re
import textwrap
from collections import defaultdict

import pandas as pd

LABEL_CHARS = 28  # longest label, in characters (Chinese titles are cut between characters)
BRACKETED = re.compile(r"^\s*\[[^\]]*\]\s*")  # a curator's note such as "[untitled] "
SUFFIX = re.compile(r"\s*([(（][^()（）]{1,12}[)）])$")  # a short closing "(十六大)", "(2024)"


def short_label(title: str, *, width: int = LABEL_CHARS) -> str:
    """``title`` on one line, without a leading bracketed note, in at most ``width``
    characters (cut at a word boundary, or between characters when the first
    word is too long, marked ``…``); a short closing parenthesis, often what tells
    similar titles apart, is kept after the cut."""
    text = BRACKETED.sub("", " ".join(str(title).split())) or str(title).strip()
    suffix = SUFFIX.search(text)
    if len(text) > width and suffix and len(suffix.group(1)) < width // 2:
        head = short_label(text[:suffix.start()], width=width - len(suffix.group(1)) - 1)
        return f"{head} {suffix.group(1)}"
    short = textwrap.shorten(text, width, placeholder=" …")
    return short if short.strip(" …") else text[:width - 2] + " …"  # no space: cut characters


def doc_labels(docs: pd.DataFrame, *, width: int = LABEL_CHARS) -> pd.Series:
    """One unique short label per document: Series indexed by ``doc_id`` (n_docs,).

    Taken from the column ``label`` where filled, else ``title``, else the ``doc_id`` itself;
    a label shared by several documents names each by its id too, "Alpha [d1]", if all their
    ids are short (at most half the ``width``), else gets " (2)", " (3)" … from its second
    document on."""
    ids = docs["doc_id"].astype(str)
    names = ids.copy()
    for column in ("title", "label"):  # label wins over title
        if column in docs:
            given = docs[column].astype("string").str.strip()
            names = given.where(given.fillna("") != "", names).astype(str)
    labels = [name if _is_short(name, width) else short_label(name, width=width)
              for name in names]
    ids_of = defaultdict(list)  # label -> the ids of its documents
    for label, doc_id in zip(labels, ids, strict=True):
        ids_of[label].append(doc_id)
    by_id = {label for label, group in ids_of.items()
             if len(group) > 1 and max(map(len, group)) <= width // 2}
    labels = [f"{short_label(name, width=width - len(doc_id) - 3)} [{doc_id}]"
              if label in by_id else label
              for name, label, doc_id in zip(names, labels, ids, strict=True)]
    taken, seen, unique = set(labels), {}, []
    for label in labels:
        number = seen.get(label, 0) + 1
        while number > 1 and f"{label} ({number})" in taken:  # "sendfile(2)" is cut to "… (2)"
            number += 1
        seen[label] = number
        unique.append(label if number == 1 else f"{label} ({number})")
        taken.add(unique[-1])
    return pd.Series(unique, index=pd.Index(ids, name="doc_id"), name="label")


def _is_short(name: str, width: int) -> bool:
    """``short_label(name, width=width) == name`` for sure (a quick test: most ids and titles
    of a large corpus already are labels)."""
    return 0 < len(name) <= width and name[0] != "[" and " ".join(name.split()) == name


def label_list(doc_ids: str, labels: pd.Series, *, n: int = 5, sep: str = "; ") -> str:
    """``doc_ids`` joined by ``sep`` (as in ``nqpf.reuse`` tables) as their labels (``labels``:
    ``doc_labels``; an id without one stays as it is), the first ``n`` and then "… and N more"."""
    ids = doc_ids.split(sep)
    names = [labels.get(doc_id, doc_id) for doc_id in ids[:n]]
    more = f"{sep}… and {len(ids) - n:,} more" if len(ids) > n else ""
    return sep.join(names) + more


def label_key(docs: pd.DataFrame, *, width: int = LABEL_CHARS) -> pd.DataFrame:
    """The key from labels to documents: columns ``label, doc_id`` (+ ``title`` if present)."""
    key = doc_labels(docs, width=width).reset_index()[["label", "doc_id"]]
    if "title" in docs:
        key["title"] = docs["title"].to_numpy()
    return key
