import random
import re

import numpy as np
import pandas as pd
import pytest

import nqpf
from nqpf import dates, keyness, trends

SLOGAN = "We must develop new quality productive forces."
FILLER = ("Local governments support manufacturing and training. Universities improve research "
          "and teaching. Firms upgrade equipment and expand digital platforms. ")
WORDS = ["reform", "energy", "climate", "health", "transport", "housing", "export", "tourism",
         "farming", "water", "culture", "finance", "logistics", "mining", "fishery", "forestry"]
GENRES = ["central", "provincial"]


def dated_corpus(folder, *, n_docs=24, seed=0):
    """A dated English corpus: one document a month from January 2022, in alternating genres,
    each ~200 words of filler; the slogan appears 0-1 times in the first year and 4-6 times in
    the second (a planted rise). Dates are written in a different form each month."""
    rng = random.Random(seed)
    folder.mkdir()
    forms = ["{:%Y-%m-%d}", "{:%B %d, %Y}", "{:%d %b %Y}", "{d.year}年{d.month}月{d.day}日"]
    rows = []
    for i in range(n_docs):
        day = pd.Timestamp(2022 + i // 12, i % 12 + 1, 1 + rng.randrange(27))
        n_slogans = rng.randint(0, 1) if i < n_docs // 2 else rng.randint(4, 6)
        paragraphs = [FILLER * 3 + " ".join(rng.sample(WORDS, 8)).capitalize() + ". "
                      for _ in range(3)]
        for k in range(n_slogans):
            paragraphs[k % 3] += SLOGAN + " "
        (folder / f"doc_{i:02d}.txt").write_text("\n\n".join(paragraphs), encoding="utf-8")
        written = forms[i % 4].format(day, d=day)
        rows.append((f"doc_{i:02d}", written, GENRES[i % 2]))
    pd.DataFrame(rows, columns=["doc_id", "date", "genre"]).to_csv(folder / "metadata.csv",
                                                                   index=False)
    return folder


@pytest.fixture(scope="module")
def prepared(tmp_path_factory):
    return nqpf.prepare(dated_corpus(tmp_path_factory.mktemp("trends") / "corpus"), cache=False)


CONCEPT = "new_quality_productive_forces"


def test_every_date_form_of_the_generated_corpus_is_read(prepared):
    found = dates.document_dates(prepared.docs)
    assert found.undated.empty and found.period == "month"  # 24 months: at most 24 periods
    assert found.dated["period"].nunique() == 24


def test_a_planted_rise_is_found(prepared):
    found = dates.document_dates(prepared.docs, period="year")
    counts = trends.passage_counts(prepared.passages, {"slogan": CONCEPT})
    table = trends.rates(counts, found.dated, n_boot=300).set_index("period")
    assert table.loc["2023", "low"] > 3 * table.loc["2022", "high"]
    assert table["n_docs"].tolist() == [12, 12]
    assert table.loc["2022", "doc_ids"] == [f"doc_{i:02d}" for i in range(12)]


def test_keyness_between_two_periods_finds_the_planted_term(prepared):
    found = dates.document_dates(prepared.docs)
    passages = prepared.passages.merge(found.dated[["doc_id", "date"]], on="doc_id")
    passages["side"] = np.where(passages["date"] >= "2023-01-01", "after", "before")
    keys = keyness.keyness_by(passages, "side", groups=["after"])
    top = keys[keys["significant"] & (keys["direction"] == "+")]["term"].head(3).tolist()
    assert CONCEPT in top, top  # beside the words of the slogan


def test_first_appearance_quotes_the_raw_text(prepared):
    found = dates.document_dates(prepared.docs)
    first = trends.first_appearances(prepared.docs, prepared.passages, found.dated,
                                     terms=[CONCEPT, "talent_chain"])
    row = first.set_index("term").loc[CONCEPT]
    text = prepared.docs.set_index("doc_id").loc[row["doc_id"], "text"]
    assert text[row["start"]:row["end"]] == row["keyword"] == "new quality productive forces"
    assert f"[{row['keyword']}]" in row["quote"]
    earlier = found.dated[found.dated["date"] < row["date"]]["doc_id"]
    assert not any("new quality" in prepared.docs.set_index("doc_id").loc[d, "text"]
                   for d in earlier)
    assert first["term"].tolist() == [CONCEPT]  # talent_chain is never used
    assert first["n_docs"].iat[0] == prepared.docs["text"].str.contains("new quality").sum()


def test_first_appearance_skips_boilerplate():
    docs = pd.DataFrame({"doc_id": ["a", "b"], "text": ["Body. new productive forces footer",
                                                        "Later: new productive forces."]})
    passages = pd.DataFrame({"doc_id": ["a", "b"], "passage_id": [0, 1], "start": [0, 0],
                             "end": [5, 29]})  # the footer of a is outside every passage
    periods = pd.DataFrame({"doc_id": ["a", "b"], "date": pd.to_datetime(["2020", "2021"])})
    first = trends.first_appearances(docs, passages, periods, terms=[CONCEPT])
    assert first[["doc_id", "start", "n_docs"]].values.tolist() == [["b", 7, 1]]


def test_collocates_by_period_leaves_out_periods_without_the_node(prepared):
    found = dates.document_dates(prepared.docs, period="year")
    passages = prepared.passages.merge(found.dated[["doc_id", "period"]], on="doc_id")
    table = trends.collocates_by_period(passages, CONCEPT, "period", min_count=1)
    assert set(table["period"]) <= {"2022", "2023"} and "2023" in set(table["period"])
    assert table.groupby("period").size().max() <= 10


PASSAGES = pd.DataFrame({
    "doc_id": ["a", "a", "b", "c"],
    "text": ["x y x", "y", "x z", "中文 中文字"],
    "tokens": [["x", "y", "x"], ["y"], ["x", "z"], ["中文", "中文", "字"]],
})
PERIODS = pd.DataFrame({"doc_id": ["a", "b", "c"], "period": ["p1", "p1", "p2"],
                        "period_start": pd.to_datetime(["2024-01-01", "2024-01-01",
                                                        "2024-02-01"])})


@pytest.mark.parametrize(("unit", "query", "expected"), [
    # p1: a and b have 6 tokens, x 3 times; p2: c has 3 tokens and no x
    ("tokens", "x", {"p1": 3 / 6 * 1000, "p2": 0.0}),
    ("tokens", "中文", {"p1": 0.0, "p2": 2 / 3 * 1000}),
    # characters: p1 "x y x" + "y" + "x z" = 3 + 1 + 2 non-space; p2 5 characters
    ("characters", re.compile("x"), {"p1": 3 / 6 * 10_000, "p2": 0.0}),
    ("characters", re.compile("中文"), {"p1": 0.0, "p2": 2 / 5 * 10_000}),
])
def test_rates_equal_hand_counts(unit, query, expected):
    counts = trends.passage_counts(PASSAGES, {"q": query}, unit=unit)
    table = trends.rates(counts, PERIODS, unit=unit, n_boot=50)
    assert table.set_index("period")["rate"].to_dict() == pytest.approx(expected)
    assert table["n_docs"].tolist() == [2, 1]
    assert table["low"].isna().tolist() == [False, True]  # one document: no interval


def test_rates_resampling_passages_gives_an_interval_to_a_single_document():
    counts = trends.passage_counts(PASSAGES, {"q": "x"})
    table = trends.rates(counts, PERIODS[PERIODS["doc_id"] == "a"], resample="passages")
    assert table["low"].iat[0] <= table["rate"].iat[0] <= table["high"].iat[0]


def test_bootstrap_interval_covers_the_true_rate_at_its_level():
    rng = np.random.default_rng(0)
    """Percentile intervals run a little narrow on small skewed samples: 0.92-0.93 measured
    at 95% with 40 and 100 documents (300 simulations each)."""
    true_rate, level, n_sims, covered = 5.0, 0.95, 200, 0
    for sim in range(n_sims):
        sizes = rng.integers(200, 800, 40)
        counts = rng.poisson(sizes * true_rate / 1000 * rng.gamma(4, 1 / 4, 40))
        table = pd.DataFrame({"doc_id": [f"d{i}" for i in range(40)], "size": sizes,
                              "q": counts})
        periods = pd.DataFrame({"doc_id": table["doc_id"], "period": "p",
                                "period_start": pd.Timestamp("2024-01-01")})
        row = trends.rates(table, periods, n_boot=200, level=level, random_state=sim).iloc[0]
        covered += row["low"] <= true_rate <= row["high"]
    assert 0.9 <= covered / n_sims <= 0.98, covered / n_sims


def test_rates_are_deterministic_and_checked():
    counts = trends.passage_counts(PASSAGES, {"q": "x"})
    assert trends.rates(counts, PERIODS).equals(trends.rates(counts, PERIODS))
    with pytest.raises(ValueError, match="resample must be one of"):
        trends.rates(counts, PERIODS, resample="words")
    with pytest.raises(ValueError, match="query 'q' must be a token or a compiled regex"):
        trends.passage_counts(PASSAGES, {"q": 3})


@pytest.mark.parametrize(("languages", "unit"), [
    (["zh", "zh", "en"], "characters"), (["en", "mixed"], "tokens"),
    (["zh", "mixed"], "characters"),
])
def test_unit_for(languages, unit):
    assert trends.unit_for(languages) == unit


def test_period_problems_say_what_to_do():
    assert trends.period_problems(PERIODS, min_docs=1) == []
    problems = trends.period_problems(PERIODS, min_docs=2)
    assert len(problems) == 1 and problems[0].startswith("1 of 2 periods have fewer than 2")
    assert "coarser period" in problems[0]
    assert "cannot be seen" in trends.period_problems(PERIODS.iloc[:2])[0]
    assert trends.period_problems(PERIODS, min_docs=2, period="year")[0].endswith(
        "not a period; add documents.")


def planted(n=300, seed=0):
    """Topic shares where topic 1 is 0.15 higher in provincial documents and rises 0.02 a
    year; ``noise`` is a covariate with no effect."""
    rng = np.random.default_rng(seed)
    covariates = pd.DataFrame({"level": rng.choice(GENRES, n), "year": rng.integers(2018, 2025, n),
                               "noise": rng.choice(["x", "y", "z"], n)})
    share = (0.3 + 0.15 * (covariates["level"] == "provincial") + 0.02 * (covariates["year"] - 2021)
             + rng.normal(0, 0.08, n)).clip(0, 1)
    return pd.DataFrame({1: share, 2: 1 - share}), covariates


@pytest.mark.parametrize("interval", ["bootstrap", "analytic"])
def test_prevalence_regression_recovers_a_planted_effect(interval):
    shares, covariates = planted()
    model = trends.PrevalenceRegression(interval=interval, n_boot=300).fit(shares, covariates)
    effects = model.effects_.set_index(["topic", "term"])
    for term, value in [("level=provincial", 0.15), ("year", 0.02)]:
        row = effects.loc[(1, term)]
        assert row["low"] < value < row["high"] and row["low"] > 0
        assert effects.loc[(2, term), "estimate"] == pytest.approx(-row["estimate"])
    for term in ("noise=y", "noise=z"):
        assert effects.loc[(1, term), "low"] < 0 < effects.loc[(1, term), "high"]
    expected = model.expected("level", GENRES).set_index(["level", "topic"])
    gap = expected.loc[("provincial", 1), "estimate"] - expected.loc[("central", 1), "estimate"]
    assert gap == pytest.approx(effects.loc[(1, "level=provincial"), "estimate"])
    over_time = model.expected("year", [2018, 2024])
    assert (over_time["low"] <= over_time["estimate"]).all()
    assert (over_time["estimate"] <= over_time["high"]).all()


def test_prevalence_regression_resamples_groups_and_refuses_too_few():
    shares, covariates = planted(n=40)
    groups = np.repeat(np.arange(20), 2)
    model = trends.PrevalenceRegression(n_boot=50).fit(shares, covariates, groups=groups)
    assert model.draws_.shape == (50, 5, 2)
    with pytest.raises(ValueError, match="2 group\\(s\\) to resample"):
        trends.PrevalenceRegression().fit(shares, covariates, groups=np.arange(40) % 2)
    with pytest.raises(ValueError, match=r"3 rows for \d coefficients"):
        trends.PrevalenceRegression().fit(shares.iloc[:3], covariates.iloc[:3])
    with pytest.raises(ValueError, match="'genre' is not a covariate"):
        model.expected("genre", ["a"])


def test_design_matrix_centres_numbers_and_codes_levels_against_the_first():
    x = trends.design_matrix(pd.DataFrame({"year": [2020, 2022], "g": ["b", "a"]}))
    assert x.columns.tolist() == ["intercept", "year", "g=b"]
    assert x["year"].tolist() == [-1.0, 1.0] and x["g=b"].tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="missing values"):
        trends.design_matrix(pd.DataFrame({"g": ["a", None]}))
