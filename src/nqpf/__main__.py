"""Command line: ``python -m nqpf report`` (or the ``nqpf`` console script),
``nqpf cache clear`` (or ``size``) for the cache in ``data/processed/``, and ``nqpf workshop``
for the student and instructor copies of the notebooks.

User errors (missing corpus or notebook, an unknown parameter, a failing notebook) end with
exit code 1 and a one-line message on stderr, without a traceback; when notebooks fail the
report is written anyway and the message names them.
"""

import argparse
import sys
from pathlib import Path


class ParametersHelp(argparse.Action):
    """``-h/--help`` of ``nqpf report``: the usual help, then every notebook parameter."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS,
                 help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)

    def __call__(self, parser, namespace, values, option_string=None):
        from nqpf.report import default_notebooks, describe_parameters

        parser.epilog = ("notebook parameters (set with -p NAME VALUE or --params FILE; "
                         "[NN]: the notebooks that declare them):\n"
                         + describe_parameters(default_notebooks()))
        parser.print_help()
        parser.exit()


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
        formatter_class=argparse.RawDescriptionHelpFormatter,
        add_help=False,
    )
    report.add_argument("-h", "--help", action=ParametersHelp,
                        help="show this help, with every notebook parameter, and exit")
    report.add_argument(
        "--corpus", type=Path, help="folder or file of documents (default: the study corpus)"
    )
    report.add_argument("--text-column", help="text field of a CSV/JSONL corpus (default: text)")
    report.add_argument("--id-column",
                        help="id field of a CSV/JSONL corpus (default: doc_id or id, if present)")
    report.add_argument("--metadata-file", type=Path,
                        help="CSV of metadata joined to the documents on the columns both have")
    report.add_argument("--date-column",
                        help="metadata column with each document's date (default: date)")
    report.add_argument("--max-docs", type=int, metavar="N",
                        help="analyse at most N documents: a random sample drawn with "
                             "--random-state (default), or the first N with --sample first; "
                             "the ingest report and the manifest say so")
    report.add_argument("--sample", choices=["random", "first"],
                        help="with --max-docs: a seeded random sample (default) or the first N")
    report.add_argument("--scheduler", metavar="ADDRESS",
                        help="Dask scheduler (e.g. tcp://10.0.0.5:8786) whose workers find the "
                             "boilerplate, segment and tokenise the corpus (default: this "
                             "machine, no Dask)")
    report.add_argument("--out", type=Path, help="report folder (default: reports/)")
    report.add_argument("--k-min", type=int, help="smallest number of topics/clusters to try")
    report.add_argument("--k-max", type=int, help="largest number of topics/clusters to try")
    report.add_argument("--k-step", type=int, default=1, help="step between k values (default 1)")
    report.add_argument("--random-state", type=int, help="seed (default 0)")
    report.add_argument(
        "-p", "--parameter", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
        help="set a notebook parameter in every notebook that declares it (repeatable); VALUE "
             "is read as YAML/JSON (3, 0.5, [2, 3], null, true), else as a string",
    )
    report.add_argument("--params", type=Path, metavar="FILE",
                        help="YAML or JSON file of notebook parameters (name: value); -p and "
                             "the options above win over it")
    report.add_argument("--list-parameters", action="store_true",
                        help="list the parameters of the notebooks to run, and exit")
    report.add_argument(
        "--notebooks", nargs="+", type=Path, metavar="NOTEBOOK",
        help="notebooks to run, in order (default: notebooks/NN_*.ipynb)",
    )
    report.add_argument("--kernel", default="python3", help="Jupyter kernel (default python3)")
    report.add_argument("--jobs", type=int, default=2,
                        help="notebooks run at the same time (default 2)")
    cache = commands.add_parser(
        "cache", help="manage the cache of prepared tables in data/processed/",
        description="The cache of prepared tables (data/processed/) is rebuilt on demand.",
    )
    cache.add_argument("action", choices=["clear", "size"],
                       help="clear: delete every cached table; size: print the cache's size")
    workshop = commands.add_parser(
        "workshop", help="write student notebooks (no solutions) and instructor notebooks",
        description="Write student copies of the notebooks without solutions and instructor "
                    "copies with them, from the same sources (see docs/workshop.md).",
    )
    workshop.add_argument("--out", type=Path, help="folder for student/ and instructor/ "
                                                   "(default: workshop/)")
    workshop.add_argument("--notebooks", nargs="+", type=Path, metavar="NOTEBOOK",
                          help="notebooks to copy (default: notebooks/NN_*.ipynb)")
    return main_parser


def parse_value(text: str):
    """A ``-p`` value: a number, ``true``/``false``, ``null``, a ``[list]`` or a ``{mapping}``
    (YAML/JSON), else the string itself: ``talent: reform``, ``no`` and ``2024-03-10`` stay
    strings (YAML 1.1 would read a mapping, a boolean and a date), ``1e-3`` is a number."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    stripped = text.strip()
    if isinstance(value, bool):
        return value if stripped.lower() in {"true", "false"} else text
    if isinstance(value, list | dict):
        return value if stripped.startswith(("[", "{")) else text
    if isinstance(value, str) and stripped[:1] in set("+-.0123456789"):
        try:
            return float(stripped)  # YAML 1.1 reads 1e-3 as a string
        except ValueError:
            return value
    return value if value is None or isinstance(value, int | float | str) else text


def read_parameters(path: Path) -> dict:
    """Notebook parameters from a YAML or JSON file (a mapping of name to value)."""
    import yaml

    try:
        values = yaml.safe_load(Path(path).expanduser().read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"parameters file not found: {path}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        reason = " ".join(str(error).split())
        raise ValueError(f"{path}: not a readable YAML or JSON file ({reason})") from None
    if values is None:
        return {}
    if not isinstance(values, dict) or not all(isinstance(name, str) for name in values):
        raise ValueError(f"{path}: must map parameter names to values, e.g. 'min_df: 1'")
    return values


def notebook_parameters(args: argparse.Namespace) -> dict:
    """The notebook parameters of a ``report`` command line: ``--params`` file, then ``-p``,
    then the dedicated options (``--random-state``, ``--k-min``/``--k-max``, columns, the
    date column)."""
    values = read_parameters(args.params) if args.params else {}
    values.update((name, parse_value(value)) for name, value in args.parameter)
    if args.random_state is not None:
        values["random_state"] = args.random_state
    if args.date_column is not None:
        values["date_column"] = args.date_column
    ks = k_range(args.k_min, args.k_max, args.k_step)
    if ks is not None:
        values["k_range"] = ks
    if corpus_options(args):
        values["corpus_options"] = {**values.get("corpus_options", {}), **corpus_options(args)}
    return values


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
    """The ``load_corpus``/``prepare`` options given on the command line."""
    if args.max_docs is not None and args.max_docs < 1:
        raise ValueError(f"--max-docs must be at least 1, got {args.max_docs}")
    if args.sample is not None and args.max_docs is None:
        raise ValueError("--sample applies only with --max-docs N")
    options = {"text_column": args.text_column, "id_column": args.id_column,
               "metadata_file": args.metadata_file and str(args.metadata_file.resolve()),
               "max_docs": args.max_docs, "scheduler": args.scheduler}
    if args.max_docs is not None:
        options["sample"] = args.sample or "random"
        if options["sample"] == "random":
            options["random_state"] = 0 if args.random_state is None else args.random_state
    return {name: value for name, value in options.items() if value is not None}


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = parser().parse_args(argv)
    if args.command == "cache":
        return cache_command(args.action)
    if args.command == "workshop":
        return workshop_command(args.notebooks, args.out)
    from nqpf.report import NotebookError, build_report, default_notebooks, describe_parameters

    try:
        if args.list_parameters:
            notebooks = args.notebooks or default_notebooks()
            for notebook in notebooks:
                if not notebook.is_file():
                    raise FileNotFoundError(f"notebook not found: {notebook}")
            print(describe_parameters(notebooks))
            return 0
        build_report(
            corpus=args.corpus,
            out_dir=args.out,
            notebooks=args.notebooks,
            parameters=notebook_parameters(args),
            kernel_name=args.kernel,
            n_jobs=args.jobs,
        )
    except (FileNotFoundError, ValueError, NotebookError) as error:
        print(f"nqpf report: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    return 0


def cache_command(action: str) -> int:
    """``nqpf cache clear`` / ``nqpf cache size``."""
    from nqpf.pipeline import cache_size, clear_cache

    files, size = cache_size()
    if action == "clear":
        clear_cache()
        print(f"removed {files} cached file(s), {size / 2**20:.1f} MiB")
    else:
        print(f"{files} cached file(s), {size / 2**20:.1f} MiB")
    return 0


def workshop_command(notebooks: list[Path] | None, out: Path | None) -> int:
    """``nqpf workshop``: write the student and instructor notebooks."""
    from nqpf import workshop

    try:
        written = workshop.build(notebooks, out_dir=out)
    except (FileNotFoundError, ValueError) as error:
        print(f"nqpf workshop: error: {' '.join(str(error).split())}", file=sys.stderr)
        return 1
    for kind, files in written.items():
        print(f"{len(files)} {kind} notebook(s) in {files[0].parent}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
