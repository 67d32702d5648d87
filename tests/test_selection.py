import pandas as pd
import pytest
from joblib import cpu_count
from test_topics import N_PLANTED, TEXTS

from nqpf.selection import (
    MIN_PARALLEL_PASSAGES,
    SWEEP_LDA_ITER,
    KChoice,
    choose_k,
    fit_run,
    k_values,
    run_sizes,
    sample_note,
    sweep,
    sweep_jobs,
    sweep_settings,
)
from nqpf.topics import make_vectorizer


@pytest.fixture(scope="module")
def nmf_sweep():
    return sweep(TEXTS, [2, 3, 4, 5, 6], methods=("nmf",))


def test_sweep_chooses_planted_k(nmf_sweep):
    assert nmf_sweep.columns.tolist() == [
        "method", "k", "npmi", "diversity", "stability", "perplexity"
    ]
    assert nmf_sweep["k"].tolist() == [2, 3, 4, 5, 6]
    assert nmf_sweep["perplexity"].isna().all()
    choice = choose_k(nmf_sweep, method="nmf")
    assert choice.k == N_PLANTED
    assert "highest NPMI" in choice.reason


@pytest.mark.parametrize(
    ("n_jobs", "n_passages", "expected"),
    [(3, 10, 3), (1, 50_000, 1), (None, MIN_PARALLEL_PASSAGES - 1, 1),
     (None, MIN_PARALLEL_PASSAGES, cpu_count())],
)
def test_sweep_jobs(n_jobs, n_passages, expected):
    assert sweep_jobs(n_jobs, n_passages) == expected


def test_sweep_same_with_two_jobs(nmf_sweep):
    parallel = sweep(TEXTS, [3], methods=("nmf",), n_jobs=2)
    expected = nmf_sweep[nmf_sweep["k"] == 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(parallel.round(8), expected.round(8))


@pytest.mark.parametrize("methods", ["nmf", ["nmf"]])
def test_sweep_accepts_one_method_as_str_or_list(nmf_sweep, methods):
    table = sweep(TEXTS, [3], methods=methods)
    expected = nmf_sweep[nmf_sweep["k"] == 3].reset_index(drop=True)
    pd.testing.assert_frame_equal(table.round(8), expected.round(8))


@pytest.mark.parametrize(
    ("methods", "message"),
    [((), "methods is empty"), ([], "methods is empty"), ("lsa", "method must be one of"),
     (("nmf", "lsa"), "got 'lsa'")],
)
def test_sweep_rejects_bad_methods(methods, message):
    with pytest.raises(ValueError, match=message):
        sweep(TEXTS, [3], methods=methods)


@pytest.mark.parametrize(
    ("max_fit", "same_as_default"), [(len(TEXTS), True), (30, False)]
)
def test_sweep_max_fit(nmf_sweep, max_fit, same_as_default):
    table = sweep(TEXTS, [3], methods="nmf", max_fit=max_fit)
    expected = nmf_sweep[nmf_sweep["k"] == 3].reset_index(drop=True)
    assert table.round(8).equals(expected.round(8)) == same_as_default


def test_sweep_max_fit_per_method():
    both = sweep(TEXTS, [3], max_fit={"nmf": 30, "lda": len(TEXTS)})
    for method, max_fit in (("nmf", 30), ("lda", len(TEXTS))):
        alone = sweep(TEXTS, [3], methods=method, max_fit=max_fit)
        pd.testing.assert_frame_equal(both[both["method"] == method].reset_index(drop=True),
                                      alone)
    with pytest.raises(ValueError, match="no value for \\['lda'\\]"):
        sweep(TEXTS, [3], max_fit={"nmf": 30})


def test_sweep_rejects_tiny_max_fit():
    with pytest.raises(ValueError, match="max_fit must be at least 2"):
        sweep(TEXTS, [3], methods="nmf", max_fit=1)


def test_sweep_lda_reports_perplexity():
    table = sweep(TEXTS, [3], methods=("lda",), seeds=(0, 1))
    assert table["perplexity"].iloc[0] > 1
    assert table["stability"].iloc[0] > 0.7


def table(rows):
    return pd.DataFrame(rows, columns=["method", "k", "npmi", "diversity", "stability"])


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # highest NPMI among eligible K
        ([("nmf", 2, 0.1, 0.9, 0.9), ("nmf", 3, 0.3, 0.9, 0.9), ("nmf", 4, 0.5, 0.9, 0.5)], 3),
        # NPMI within the tolerance counts as a tie: smaller K
        ([("nmf", 2, 0.300, 0.9, 0.9), ("nmf", 3, 0.305, 0.9, 0.9)], 2),
        # low diversity excludes a K
        ([("nmf", 2, 0.1, 0.9, 0.9), ("nmf", 3, 0.3, 0.5, 0.9)], 2),
        # rows of the other method are ignored
        ([("lda", 2, 0.9, 0.9, 0.9), ("nmf", 3, 0.3, 0.9, 0.9)], 3),
    ],
)
def test_choose_k_rule(rows, expected):
    assert choose_k(table(rows), method="nmf").k == expected


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([("nmf", 2, 0.30, 0.9, 0.9), ("nmf", 3, 0.20, 0.9, 0.9)],
         "K=2 has the highest NPMI coherence (0.300; ties within 0.01 go to the smaller K), "
         "among the 2 of 2 K values"),
        ([("nmf", 2, 0.195, 0.9, 0.9), ("nmf", 3, 0.20, 0.9, 0.9)],
         "K=2's NPMI coherence (0.195) is within 0.01 of the highest (K=3, 0.200), and ties go "
         "to the smaller K, among the 2 of 2 K values"),
    ],
)
def test_choose_k_reason_names_the_highest_npmi(rows, reason):
    assert choose_k(table(rows), method="nmf").reason.startswith(reason)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([("nmf", 2, 0.5, 0.9, 0.2), ("nmf", 3, 0.1, 0.9, 0.4)], 3),  # most stable
        # stability within the tolerance counts as a tie: smaller K
        ([("nmf", 2, 0.5, 0.9, 0.395), ("nmf", 3, 0.1, 0.9, 0.4)], 2),
        # a K failing diversity only is still a candidate for the fallback
        ([("nmf", 2, 0.5, 0.9, 0.2), ("nmf", 3, 0.1, 0.3, 0.8)], 3),
    ],
)
def test_choose_k_fallback(rows, expected):
    choice = choose_k(table(rows), method="nmf")
    assert choice == KChoice(expected, choice.reason)
    assert "exploratory" in choice.reason


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (table([("lda", 2, 0.1, 0.9, 0.9)]), "no rows for method 'nmf'"),
        (pd.DataFrame({"k": [2]}), "missing column"),
    ],
)
def test_choose_k_errors(frame, message):
    with pytest.raises(ValueError, match=message):
        choose_k(frame, method="nmf")


@pytest.mark.parametrize(
    ("k_range", "n_passages", "expected"),
    [
        (None, 42, list(range(2, 11))),  # 42 // 4 = 10
        (None, 200, list(range(2, 11))),  # capped at 10
        (None, 14, [2, 3]),
        (None, 5, [2]),  # too few for a sweep: still K=2
        ([4, 2, 3, 3], 42, [2, 3, 4]),
        (range(2, 5), 42, [2, 3, 4]),
        (3, 42, [3]),
        ("[2, 3]", 42, [2, 3]),  # as papermill -p passes a list
        ("2 3,4", 42, [2, 3, 4]),
        ("(5)", 42, [5]),
    ],
)
def test_k_values(k_range, n_passages, expected):
    assert k_values(k_range, n_passages) == expected


@pytest.mark.parametrize(
    ("k_range", "n_passages", "message"),
    [
        ("two to five", 42, "whole numbers"),
        ("[2, -3]", 42, "whole numbers"),
        ([], 42, "empty"),
        ([1, 2], 42, "at least 2"),
        ([2, 50], 42, "exceeds the number of passages"),
        (None, 1, "at least 2 passages"),
    ],
)
def test_k_values_errors(k_range, n_passages, message):
    with pytest.raises(ValueError, match=message):
        k_values(k_range, n_passages)


@pytest.mark.parametrize(("max_fit", "n_held_out"), [(10, 10), (len(TEXTS), len(TEXTS) // 5)])
def test_fit_run_holds_out_at_most_max_fit(monkeypatch, max_fit, n_held_out):
    seen = []
    monkeypatch.setattr("nqpf.lda.LDA.perplexity",
                        lambda self, dtm, *args: seen.append(dtm.shape[0]) or 1.0)
    vectorizer = make_vectorizer("lda")
    fit_run(vectorizer.fit_transform(TEXTS), vectorizer, "lda", 3, 0, 0.8, 10, max_fit)
    assert seen[-1] == n_held_out  # after the fitted model's own perplexity_


@pytest.mark.parametrize(
    ("k_range", "n_passages", "n_terms", "expected"),
    [
        (None, 300, 5, [2, 3, 4, 5]),
        (None, 300, 2, [2]),
        (None, 300, 1000, list(range(2, 11))),
        ([2, 3], 300, 3, [2, 3]),
    ],
)
def test_k_values_capped_by_terms(k_range, n_passages, n_terms, expected):
    assert k_values(k_range, n_passages, n_vocab=n_terms) == expected


@pytest.mark.parametrize(("k_range", "n_terms", "message"),
                         [([2, 4], 3, "exceeds the number of terms"),
                          (None, 1, "at least 2 terms")])
def test_k_values_terms_errors(k_range, n_terms, message):
    with pytest.raises(ValueError, match=message):
        k_values(k_range, 300, n_vocab=n_terms)


@pytest.mark.parametrize(
    ("token_lists", "k_range", "expected"),
    [
        # tiny corpus: every term kept (min_df=1, max_df=1.0), K capped by 8 passages // 4
        ([["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"]] * 2, None, ([2], 1, 1.0)),
        # K values as given, within the 5 terms kept
        ([["a", "b"], ["b", "c"], ["c", "d"], ["d", "e"]] * 2, "[2, 3]", ([2, 3], 1, 1.0)),
    ],
)
def test_sweep_settings(token_lists, k_range, expected):
    ks, min_df, max_df, note = sweep_settings(token_lists, k_range, min_df=2, max_df=0.95)
    assert (ks, min_df, max_df) == expected
    assert note  # says that min_df and max_df were changed


@pytest.mark.parametrize(
    ("threshold", "method", "solver", "max_iter"),
    [(len(TEXTS) + 1, "lda", "auto", None), (len(TEXTS) + 1, "nmf", "auto", None),
     (len(TEXTS), "lda", "auto", SWEEP_LDA_ITER), (len(TEXTS), "nmf", "minibatch", None)],
)
def test_fit_run_policy_on_large_corpora(monkeypatch, threshold, method, solver, max_iter):
    """From MINIBATCH_MIN_PASSAGES on, sweep runs fit NMF by mini-batches and cap LDA."""
    monkeypatch.setattr("nqpf.selection.MINIBATCH_MIN_PASSAGES", threshold)
    def fit_dtm(model, dtm, vectorizer):
        raise Seen((model.solver, model.max_iter))

    monkeypatch.setattr("nqpf.topics.TopicModel.fit_dtm", fit_dtm)
    vectorizer = make_vectorizer(method)
    with pytest.raises(Seen) as seen:
        fit_run(vectorizer.fit_transform(TEXTS), vectorizer, method, 3, 0, 0.8, 10)
    assert seen.value.args[0] == (solver, max_iter)


class Seen(Exception):
    """What a test saw, raised to stop the code under test there."""


@pytest.mark.parametrize(
    ("n_passages", "k", "max_fit", "expected"),
    [(1000, 2, 5000, (800, 200)),  # 80%, the rest held out
     (61_545, 2, 1000, (1000, 1000)),  # at most max_fit each
     (1352, 2, 1000, (1000, 352)),  # held out: what is left
     (10, 5, 2, (5, 5))],  # at least K
)
def test_run_sizes(n_passages, k, max_fit, expected):
    assert run_sizes(n_passages, k, 0.8, max_fit) == expected


@pytest.mark.parametrize(
    ("n_passages", "expected"),
    [(1000, ""),
     (1352, "Each run fitted a random 1,000 (LDA) of the 1,352 passages (parameter max_fit; "
            "drawn with the run's seed), not 80%; NPMI was scored on all passages, LDA "
            "perplexity on 352 other passages."),
     (61_545, "Each run fitted a random 5,000 (NMF) / 1,000 (LDA) of the 61,545 passages")],
)
def test_sample_note(n_passages, expected):
    note = sample_note(n_passages, [2, 3], {"nmf": 5000, "lda": 1000})
    assert note.startswith(expected) and bool(note) == bool(expected)


def test_sample_note_takes_one_max_fit_for_all_methods():
    assert sample_note(61_545, [2], 3000).startswith(
        "Each run fitted a random 3,000 (NMF) / 3,000 (LDA) of the 61,545 passages")
