"""Plain reference implementations that the fast paths in ``nqpf`` must reproduce exactly."""

import unicodedata

from nqpf import clean
from nqpf.lexicon import default_lexicon
from nqpf.tokens import NUMBER, POSSESSIVE, WORD, lemma, load_stopwords


def regex_normalize(text, keep_newlines=False):
    """``normalize`` as every regex on every text (what its ASCII and split/join shortcuts
    must reproduce)."""
    text = unicodedata.normalize("NFKC", text).translate(clean.QUOTES)
    text = clean.SEPARATORS.sub(" ", clean.CIRCLE_ZERO.sub("〇", clean.DASHES.sub("-", text)))
    text = clean.SPACES.sub(" ", text)
    return clean.NEWLINES.sub("\n" if keep_newlines else " ", text).strip()


def plain_tokenize(text):
    """The plain pipeline the fast path must reproduce: every regex on every text."""
    lexicon, stopwords = default_lexicon(), load_stopwords()
    text = lexicon.apply(clean.repair_run_together(regex_normalize(text))).lower()
    tokens = []
    for token in WORD.findall(POSSESSIVE.sub("", text)):
        if len(token) < 2 or NUMBER.fullmatch(token) or token in stopwords:
            continue
        if "_" not in token and token not in lexicon.terms:
            token = lemma(token)
            if len(token) < 2 or token in stopwords:
                continue
        tokens.append(token)
    return tokens


def dict_shared_ngrams(passages, *, n=5, min_docs=2, min_content_words=0):
    """``nqpf.reuse.shared_ngrams`` as it was written first: a Python dict of every n-gram and
    its occurrences, each phrase grown word by word in Python."""
    from collections import defaultdict

    import pandas as pd

    from nqpf.reuse import NGRAM_COLUMNS, _size, content_words, join_words, surface_words

    def grow(occurrences, size):
        def agree(offset):
            neighbours = set()
            for row, i in occurrences:
                if not 0 <= i + offset < len(words[row]):
                    return False
                neighbours.add(words[row][i + offset])
            return len(neighbours) == 1

        left = 0
        while agree(-left - 1):
            left += 1
        right = 0
        while agree(size + right):
            right += 1
        return left, right

    words = [surface_words(text) for text in passages["text"]]
    doc_ids = passages["doc_id"].astype(str).tolist()
    passage_ids = passages["passage_id"].tolist()
    occurrences = defaultdict(list)
    for row, passage_words in enumerate(words):
        size = _size(passage_words, n)
        for i in range(len(passage_words) - size + 1):
            occurrences[tuple(passage_words[i:i + size])].append((row, i))
    shared = {gram: occ for gram, occ in occurrences.items()
              if len({doc_ids[row] for row, _ in occ}) >= min_docs}
    phrases = {}
    for gram, occ in shared.items():
        before = {words[row][i - 1] if i > 0 else None for row, i in occ}
        if (len(before) == 1 and None not in before
                and len(shared.get((*before, *gram[:-1]), ())) == len(occ)):
            continue
        left, right = grow(occ, len(gram))
        row, i = occ[0]
        phrases.setdefault(tuple(words[row][i - left:i + len(gram) + right]),
                           [(r, j - left) for r, j in occ])
    rows, kept = [], defaultdict(list)
    for phrase, occ in sorted(phrases.items(), key=lambda item: -len(item[0])):
        occ_rows = sorted({row for row, _ in occ})
        cited = "; ".join(f"{doc_ids[row]}:{passage_ids[row]}" for row in occ_rows)
        key = "\0" + "\0".join(phrase) + "\0"
        if content_words(list(phrase)) < min_content_words:
            continue
        if any(key in longer for longer in kept[cited]):
            continue
        kept[cited].append(key)
        docs = sorted({doc_ids[row] for row in occ_rows})
        rows.append((join_words(phrase), len(phrase), len(docs), len(occ), "; ".join(docs),
                     cited))
    table = pd.DataFrame(rows, columns=NGRAM_COLUMNS)
    table = table.sort_values(["n_docs", "n_words", "ngram"], ascending=[False, False, True])
    return table.reset_index(drop=True)


def regex_concept_counts(docs, lexicon=None):
    """``nqpf.lexicon.concept_counts`` as each term's pattern on every text."""
    import pandas as pd

    lexicon = lexicon or default_lexicon()
    counts = {term: [len(lexicon.variants_pattern(term).findall(text)) for text in docs["text"]]
              for term in lexicon.terms}
    return pd.DataFrame(counts, index=pd.Index(docs["doc_id"], name="doc_id"),
                        columns=lexicon.terms)
