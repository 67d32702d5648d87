"""Plain reference implementations that the fast paths in ``nqpf`` must reproduce exactly."""

import unicodedata

from nqpf import clean
from nqpf.lexicon import default_lexicon
from nqpf.tokens import NUMBER, POSSESSIVE, WORD, lemma, load_stopwords


def regex_normalize(text, keep_newlines=False):
    """``normalize`` as every regex on every text (what its ASCII and split/join shortcuts
    must reproduce)."""
    text = unicodedata.normalize("NFKC", text).translate(clean.QUOTES)
    text = clean.SEPARATORS.sub(" ", clean.DASHES.sub("-", text))
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
