import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import normalized_mutual_info_score

from nqpf import guided, paths
from nqpf.guided import (
    GuidedNMF,
    dictionary_labels,
    dictionary_scores,
    read_seed_words,
    seed_report,
    seed_terms,
)
from nqpf.topics import TopicModel
from nqpf.validation import confusion, matched_topics

N_THEMES = 3
MARGIN = 0.25  # guided NMI must beat the best-matched free model's NMI by this much


def planted_corpus(n_passages=300, seed=0):
    """Passages that each mix one of 3 planted themes (5 tokens from its 15 words) with one of
    3 independent styles (20 tokens from its 15 words: the stronger structure) and 6 of 30
    background words; Zipf-like word frequencies. Returns (theme vocabularies, token lists,
    planted theme per passage)."""
    rng = np.random.default_rng(seed)
    themes = [[f"theme{t}w{i}" for i in range(15)] for t in range(N_THEMES)]
    styles = [[f"style{s}w{i}" for i in range(15)] for s in range(3)]
    background = [f"bg{i}" for i in range(30)]
    p = 1 / np.arange(1, 16) ** 0.7
    p /= p.sum()
    texts, planted = [], rng.integers(0, N_THEMES, n_passages)
    for theme in planted:
        tokens = np.concatenate([rng.choice(themes[theme], 5, p=p),
                                 rng.choice(styles[rng.integers(3)], 20, p=p),
                                 rng.choice(background, 6)])
        texts.append(rng.permutation(tokens).tolist())
    return themes, texts, planted


def best_matched_free_nmi(planted, doc_topic) -> float:
    """NMI of the planted themes with a free model read as kindly as possible: each theme
    takes the topic whose dominant passages it shares most (Hungarian), and each passage the
    heaviest of those topics."""
    dominant = doc_topic.argmax(axis=1)
    match = matched_topics(confusion(planted, dominant))
    columns = [match[theme] for theme in range(N_THEMES)]
    return normalized_mutual_info_score(planted, doc_topic[:, columns].argmax(axis=1))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_guided_topics_recover_planted_themes_better_than_free_ones(seed):
    themes, texts, planted = planted_corpus(seed=seed)
    seeds = {f"theme {t}": [words[0], words[5]] for t, words in enumerate(themes)}
    model = GuidedNMF(seeds, n_free=3).fit(texts)
    guided_nmi = normalized_mutual_info_score(planted, model.doc_topic_[:, :N_THEMES].argmax(1))
    free = TopicModel(N_THEMES + 3, random_state=seed).fit(texts)
    free_nmi = best_matched_free_nmi(planted, free.doc_topic_)
    assert guided_nmi >= free_nmi + MARGIN, (guided_nmi, free_nmi)
    assert guided_nmi > 0.9
    for t, terms in enumerate(model.top_terms_[:N_THEMES]):
        assert sum(term.startswith(f"theme{t}w") for term in terms) >= 8


def test_free_topics_are_needed_beside_the_themes():
    """Measured choice: without free topics the stronger styles take the theme topics."""
    themes, texts, planted = planted_corpus()
    seeds = {f"theme {t}": [words[0], words[5]] for t, words in enumerate(themes)}
    alone = GuidedNMF(seeds, n_free=0).fit(texts)
    assert normalized_mutual_info_score(planted, alone.doc_topic_.argmax(1)) < 0.5


def test_fitted_attributes_and_tables():
    themes, texts, _ = planted_corpus(n_passages=120)
    seeds = {"first": [themes[0][0], "nowhere"], "second": [themes[1][0]]}
    model = GuidedNMF(seeds, n_free=2).fit(texts)
    assert model.topic_names_ == ["first", "second", "free 1", "free 2"]
    assert model.seeds_missing_ == {"first": ["nowhere"], "second": []}
    assert model.components_.shape == (4, len(model.vocab_))
    np.testing.assert_allclose(model.components_.sum(axis=1), 1)
    np.testing.assert_allclose(model.doc_topic_.sum(axis=1), 1)
    np.testing.assert_allclose(model.transform(texts), model.doc_topic_, atol=1e-3)
    table = model.theme_table()
    assert table["missing"].tolist() == ["nowhere", "", "", ""]
    passages = pd.DataFrame({"doc_id": "d", "passage_id": range(1, 121), "tokens": texts})
    weights = model.passage_topics(passages)
    assert set(weights["dominant_topic"]) <= set(model.topic_names_)
    again = GuidedNMF(seeds, n_free=2).fit(texts)
    np.testing.assert_array_equal(again.components_, model.components_)


def test_anchoring_keeps_seed_words_on_top():
    themes, texts, _ = planted_corpus()
    seeds = {f"theme {t}": [words[0], words[5]] for t, words in enumerate(themes)}
    model = GuidedNMF(seeds, n_free=3, seed_weight=0.2).fit(texts)
    for t, terms in enumerate(model.top_terms_[:N_THEMES]):
        assert {themes[t][0], themes[t][5]} <= set(terms[:3])


@pytest.mark.parametrize("options, message", [
    ({"themes": {}}, "themes is empty"),
    ({"themes": {"a": ["zzz"]}}, r"no seed word of theme\(s\) \['a'\]"),
    ({"themes": {"a": ["w1"]}, "seed_weight": 1}, "seed_weight"),
    ({"themes": {"a": ["w1"]}, "n_free": 50}, "use fewer free topics"),
])
def test_bad_settings_are_refused(options, message):
    texts = [[f"w{(i + j) % 12}" for j in range(8)] for i in range(20)]
    with pytest.raises(ValueError, match=message):
        GuidedNMF(**options).fit(texts)


def test_dictionary_coding_counts_theme_words_by_hand():
    themes = {"talent": ["talent", "education"], "green": ["green", "ecology"]}
    token_lists = [["talent", "talent", "green"], ["ecology", "green"], ["talent", "green"], []]
    scores = dictionary_scores(token_lists, themes)
    assert scores.to_numpy().tolist() == [[2, 1], [0, 2], [1, 1], [0, 0]]
    assert dictionary_labels(scores).tolist() == ["talent", "green", guided.NO_THEME,
                                                  guided.NO_THEME]


def test_seed_file_reading_and_tokenising(tmp_path):
    path = tmp_path / "seeds.csv"
    path.write_text("theme,seed\ntalent, talents\ntalent,人才\ngreen,the\n"
                    "tech,technological innovation\ngreen,national park\n", encoding="utf-8")
    seeds = read_seed_words(path)
    assert seed_terms(seeds) == {"talent": ["talent", "人才"], "green": [],
                                 "tech": ["scientific_and_technological_innovation"]}
    notes = seed_report(seeds)["note"].tolist()
    assert notes[:2] == ["", ""] and "no token" in notes[2]
    assert "several tokens ['national', 'park']" in notes[4]


@pytest.mark.parametrize("text, message", [
    ("theme,word\na,b\n", r"missing column\(s\) \['seed'\]"),
    ("theme,seed\na,\n", r"empty theme or seed on line\(s\) \[2\]"),
    ("theme,seed\na,b\na,b\n", r"repeated theme and seed on line\(s\) \[3\]"),
    ("theme,seed\n", "no seed words"),
])
def test_bad_seed_files_are_refused_by_name(tmp_path, text, message):
    path = tmp_path / "seeds.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        read_seed_words(path)


def test_the_shipped_seed_file_reaches_the_study_vocabulary():
    seeds = read_seed_words(paths.DATA / "seed_words.csv")
    assert seed_report(seeds)["token"].notna().all()
    assert len(seed_terms(seeds)) >= 3
