"""nqpf.paths: where the study corpus is recognised."""

import os

import pytest

from nqpf import paths


@pytest.mark.parametrize(
    ("corpus", "expected"),
    [
        (None, True),
        (paths.RAW, True),
        (str(paths.RAW), True),
        (paths.RAW / ".." / "raw", True),
        (os.path.relpath(paths.RAW), True),
        (paths.DATA, False),
        (paths.RAW / "metadata.csv", False),
        ("elsewhere/raw", False),
    ],
)
def test_is_study_corpus(corpus, expected):
    assert paths.is_study_corpus(corpus) is expected
