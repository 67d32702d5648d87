"""Helpers for computational text analysis of the "new quality productive forces" discourse.

The notebooks in ``notebooks/`` tell the story; the logic lives here, one module per stage:
``ingest`` → ``clean``/``boilerplate``/``segment``/``lexicon``/``tokens``/``phrases`` →
``explore``/``keyness`` → ``tfidf``/``reuse`` → ``topics``/``coherence`` → ``figures``/``clouds``
→ ``report``. ``pipeline.prepare`` runs the first stages in one cached call.
"""

from nqpf.ingest import Corpus, load_corpus
from nqpf.lexicon import load_lexicon
from nqpf.pipeline import Prepared, prepare
from nqpf.tokens import tokenize

__all__ = ["Corpus", "Prepared", "load_corpus", "load_lexicon", "prepare", "tokenize"]
