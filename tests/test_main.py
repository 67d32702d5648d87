"""The command line's corpus options (``nqpf.__main__``)."""

import pytest

from nqpf.__main__ import notebook_parameters, parser


@pytest.mark.parametrize(
    ("argv", "expected"),
    [([], None),
     (["--max-docs", "500"], {"max_docs": 500, "sample": "random", "random_state": 0}),
     (["--max-docs", "500", "--random-state", "3"],
      {"max_docs": 500, "sample": "random", "random_state": 3}),
     (["--max-docs", "500", "--sample", "first"], {"max_docs": 500, "sample": "first"}),
     (["--scheduler", "tcp://10.0.0.5:8786", "--text-column", "body"],
      {"scheduler": "tcp://10.0.0.5:8786", "text_column": "body"})],
)
def test_corpus_options(argv, expected):
    values = notebook_parameters(parser().parse_args(["report", *argv]))
    assert values.get("corpus_options") == expected


@pytest.mark.parametrize(("argv", "message"),
                         [(["--sample", "first"], "--sample applies only with --max-docs"),
                          (["--max-docs", "0"], "--max-docs must be at least 1")])
def test_bad_corpus_options(argv, message):
    with pytest.raises(ValueError, match=message):
        notebook_parameters(parser().parse_args(["report", *argv]))
