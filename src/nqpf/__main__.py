"""Command line: ``python -m nqpf report`` (or the ``nqpf`` console script).

User errors (missing corpus or notebook, a failing notebook) end with exit code 1 and a
one-line message on stderr, without a traceback.
"""

import argparse
import sys
from pathlib import Path


def parser() -> argparse.ArgumentParser:
    """The ``nqpf`` argument parser."""
    main_parser = argparse.ArgumentParser(
        prog="nqpf", description="Text analysis of the 'new quality productive forces' discourse."
    )
    commands = main_parser.add_subparsers(dest="command", required=True)
    report = commands.add_parser(
        "report",
        help="run the notebooks and write the HTML report",
        description="Run every notebook and write an offline HTML report with an index page.",
    )
    report.add_argument(
        "--corpus", type=Path, help="folder or file of documents (default: the study corpus)"
    )
    report.add_argument("--text-column", help="text field of a CSV/JSONL corpus (default: text)")
    report.add_argument("--id-column",
                        help="id field of a CSV/JSONL corpus (default: doc_id or id, if present)")
    report.add_argument("--out", type=Path, help="report folder (default: reports/)")
    report.add_argument("--k-min", type=int, help="smallest number of topics/clusters to try")
    report.add_argument("--k-max", type=int, help="largest number of topics/clusters to try")
    report.add_argument("--k-step", type=int, default=1, help="step between k values (default 1)")
    report.add_argument("--random-state", type=int, default=0, help="seed (default 0)")
    report.add_argument(
        "--notebooks", nargs="+", type=Path, metavar="NOTEBOOK",
        help="notebooks to run, in order (default: notebooks/NN_*.ipynb)",
    )
    report.add_argument("--kernel", default="python3", help="Jupyter kernel (default python3)")
    report.add_argument("--jobs", type=int, default=2,
                        help="notebooks run at the same time (default 2)")
    return main_parser


def k_range(k_min: int | None, k_max: int | None, k_step: int) -> list[int] | None:
    """Inclusive list of k values, or None when neither bound is given."""
    if k_min is None and k_max is None:
        return None
    if k_min is None or k_max is None:
        raise ValueError("give both --k-min and --k-max")
    if not 1 <= k_min <= k_max or k_step < 1:
        raise ValueError(
            f"need 1 <= --k-min <= --k-max and --k-step >= 1, got {k_min}, {k_max}, {k_step}"
        )
    return list(range(k_min, k_max + 1, k_step))


def corpus_options(args: argparse.Namespace) -> dict:
    """The ``load_corpus`` options given on the command line."""
    options = {"text_column": args.text_column, "id_column": args.id_column}
    return {name: value for name, value in options.items() if value is not None}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    from nqpf.report import NotebookError, build_report

    args = parser().parse_args(argv)
    try:
        build_report(
            corpus=args.corpus,
            out_dir=args.out,
            notebooks=args.notebooks,
            corpus_options=corpus_options(args),
            k_range=k_range(args.k_min, args.k_max, args.k_step),
            random_state=args.random_state,
            kernel_name=args.kernel,
            n_jobs=args.jobs,
        )
    except (FileNotFoundError, ValueError, NotebookError) as error:
        print(f"nqpf report: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
