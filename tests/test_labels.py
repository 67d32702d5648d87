import pandas as pd
import pytest

from nqpf import labels


@pytest.mark.parametrize(
    ("title", "width", "expected"),
    [
        ("Notes on the Two Sessions", 28, "Notes on the Two Sessions"),
        ("To cultivate and strengthen new quality productive forces", 28,
         "To cultivate and …"),
        ("[untitled] Deputies and members on speeches", 28, "Deputies and members on …"),
        ("  spaced\n  title ", 28, "spaced title"),
        ("中国共产党第十九次全国代表大会上的报告", 10, "中国共产党第十九 …"),
        ("[only a note]", 28, "[only a note]"),
        ("全面建设小康社会，开创中国特色社会主义事业新局面 (十六大)", 28,
         "全面建设小康社会，开创中国特色社会主义事 … (十六大)"),
        ("A long title about new quality productive forces (2024)", 28,
         "A long title about … (2024)"),
    ],
)
def test_short_label(title, width, expected):
    assert labels.short_label(title, width=width) == expected
    assert len(labels.short_label(title, width=width)) <= width


@pytest.mark.parametrize(
    ("columns", "expected"),
    [
        ({}, ["d1", "d2", "d3"]),
        ({"title": ["Alpha", None, "Alpha"]}, ["Alpha [d1]", "d2", "Alpha [d3]"]),
        ({"title": ["A long shared title, cut", "A long shared title, cut", "Beta"]},
         ["A long shared title, … [d1]", "A long shared title, … [d2]", "Beta"]),
        ({"title": ["Alpha", "Beta", ""], "label": ["A", None, " "]}, ["A", "Beta", "d3"]),
    ],
)
def test_doc_labels_prefer_label_then_title_then_id(columns, expected):
    docs = pd.DataFrame({"doc_id": ["d1", "d2", "d3"], **columns})
    result = labels.doc_labels(docs)
    assert result.tolist() == expected
    assert result.index.tolist() == ["d1", "d2", "d3"]
    assert result.is_unique


def test_label_key_links_labels_to_ids():
    docs = pd.DataFrame({"doc_id": ["d1", "d2"], "title": ["Alpha", "Alpha"]})
    key = labels.label_key(docs)
    assert key.to_dict("list") == {"label": ["Alpha [d1]", "Alpha [d2]"], "doc_id": ["d1", "d2"],
                                   "title": ["Alpha", "Alpha"]}


def test_numbers_skip_labels_that_exist():
    """"sendfile(2)" is cut to "… (2)": the next document of that label gets "(3)"."""
    docs = pd.DataFrame({"doc_id": ["python3-sendfile", "python-apt-doc", "python-other-doc"],
                         "title": ["Python interface to sendfile(2)",
                                   "Python interface to libapt-pkg (API documentation)",
                                   "Python interface to libapt-pkg and more"]})
    assert labels.doc_labels(docs).tolist() == [
        "Python interface to … (2)", "Python interface to …", "Python interface to … (3)"]


def test_shared_labels_with_a_long_id_are_numbered():
    docs = pd.DataFrame({"doc_id": ["a", "a-rather-long-document-id-2"], "title": ["Alpha"] * 2})
    assert labels.doc_labels(docs).tolist() == ["Alpha", "Alpha (2)"]


@pytest.mark.parametrize("name", ["7zip", "python3-numpy", "Two Sessions notes", "[untitled] x",
                                  " padded", "two  spaces", "a\nb", "", "x" * 28, "x" * 29,
                                  "新质生产力", "Report (2024)"])
def test_quick_labels_agree_with_short_label(name):
    docs = pd.DataFrame({"doc_id": ["d"], "title": [name]})
    expected = labels.short_label(name) if name.strip() else "d"
    assert labels.doc_labels(docs).tolist() == [expected]


@pytest.mark.parametrize(
    ("doc_ids", "n", "expected"),
    [("d1", 5, "Alpha"),
     ("d1; d2; x9", 5, "Alpha; Beta; x9"),
     ("d1; d2; x9", 2, "Alpha; Beta; … and 1 more"),
     ("; ".join(["d1"] * 1206), 1, "Alpha; … and 1,205 more")],
)
def test_label_list_names_the_first_documents(doc_ids, n, expected):
    names = pd.Series({"d1": "Alpha", "d2": "Beta"})
    assert labels.label_list(doc_ids, names, n=n) == expected
