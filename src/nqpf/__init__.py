"""Helpers for computational text analysis of the "new quality productive forces" discourse.

The notebooks in ``notebooks/`` tell the story; the logic lives here, one module per stage:
``ingest`` → ``clean``/``boilerplate``/``segment``/``lexicon``/``tokens``/``phrases`` →
``explore``/``keyness`` → ``tfidf``/``reuse`` → ``topics``/``coherence`` → ``figures``/``clouds``
→ ``report``. ``pipeline.prepare`` runs the first stages in one cached call.
"""

import importlib

# Imported on first use, so that ``import nqpf.tokens`` (e.g. in a tokenizer worker process)
# does not pay for pandas, scikit-learn and the other stages.
EXPORTS = {"Corpus": "ingest", "load_corpus": "ingest", "load_lexicon": "lexicon",
           "Prepared": "pipeline", "prepare": "pipeline", "tokenize": "tokens"}
__all__ = sorted(EXPORTS)


def __getattr__(name: str):
    if name not in EXPORTS:
        raise AttributeError(f"module 'nqpf' has no attribute {name!r}")
    return getattr(importlib.import_module(f"nqpf.{EXPORTS[name]}"), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *EXPORTS])
