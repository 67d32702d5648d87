import gzip
import itertools
import json
import shutil
import subprocess
import sys

import pandas as pd
import pytest

import nqpf
from nqpf import paths, pipeline, stream

distributed = pytest.importorskip("distributed", reason="needs the dask extra")
from test_stream import LINES, assert_same, in_memory  # noqa: E402

from nqpf.cluster import prepare_distributed  # noqa: E402

DEBIAN = paths.ROOT.parent / "shared" / "bench" / "debian-descriptions.jsonl.gz"


@pytest.fixture(scope="module")
def client():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        yield client


@pytest.fixture(scope="module")
def debian_sample(tmp_path_factory):
    if not DEBIAN.exists():
        pytest.skip(f"benchmark corpus not found: {DEBIAN}")
    path = tmp_path_factory.mktemp("debian") / "debian-5000.jsonl"
    with gzip.open(DEBIAN, "rb") as source:
        path.write_bytes(b"".join(itertools.islice(source, 5000)))
    return path


def test_study_corpus_as_in_memory(client):
    prepared = prepare_distributed(paths.RAW, client, keep_text=True, files_per_part=2)
    assert prepared.n_blocks == 3
    assert_same(prepared, *in_memory(paths.RAW))


def test_debian_sample_as_in_memory(client, debian_sample):
    prepared = prepare_distributed(debian_sample, client, keep_text=True, block_bytes=300_000)
    assert prepared.n_blocks == 8
    assert_same(prepared, *in_memory(debian_sample))


def test_report_and_topics_as_streamed(client, tmp_path):
    source = tmp_path / "corpus.jsonl"
    source.write_text("\n".join(LINES * 3) + "\n", encoding="utf-8")
    on_cluster = prepare_distributed(source, client, min_df=1, max_df=1.0, block_bytes=200)
    streamed = stream.prepare_stream(source, min_df=1, max_df=1.0, folder=tmp_path / "s")
    assert on_cluster.n_blocks > 3
    assert sorted(on_cluster.report.values.tolist()) == sorted(streamed.report.values.tolist())
    assert "invalid JSON on line 20" in set(on_cluster.report["reason"])
    topics = on_cluster.fit_topics(2, n_epochs=2)
    assert topics.components_.shape == (2, len(streamed.vocab))
    assert (topics.components_ == on_cluster.fit_topics(2, n_epochs=2).components_).all()


def assert_same_tables(left, right):
    for name in ("docs", "passages", "sentences", "boilerplate"):
        pd.testing.assert_frame_equal(getattr(left, name), getattr(right, name))


@pytest.mark.parametrize("source", ["study", "debian"])
def test_prepare_on_the_cluster_gives_the_same_tables(client, debian_sample, monkeypatch,
                                                      source):
    source = paths.RAW if source == "study" else debian_sample
    monkeypatch.setattr(pipeline, "CHUNK_DOCS", 700)  # several tasks for the 5,000 documents
    on_cluster = pipeline.prepare(source, client=client, cache=False)
    assert_same_tables(on_cluster, pipeline.prepare(source, cache=False))
    scheduler = client.scheduler.address
    assert_same_tables(on_cluster, pipeline.prepare(source, scheduler=scheduler, cache=False))
    ran = client.run_on_scheduler(lambda dask_scheduler: set(dask_scheduler.task_prefixes))
    assert {"measure", "segment_and_tokenize"} <= ran


def test_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(ValueError, match="could not reach the Dask scheduler at 'tcp://127.0.0"):
        pipeline.prepare(paths.RAW, scheduler="tcp://127.0.0.1:9", cache=False)


def report(out, *options):
    return subprocess.run([sys.executable, "-m", "nqpf", "report", "--out", str(out), *options],
                          capture_output=True, text=True, cwd=paths.ROOT, timeout=1200)


WIDGET = "application/vnd.jupyter.widget-view+json"


def outputs_of(notebook, out) -> list:
    """What each code cell of an executed notebook shows, except the injected parameters:
    its stream text (coalesced: a busy kernel may flush one print in two pieces) and the data
    of its other outputs but a widget's random model id (as nbval); the report folder ``out``
    written as OUT."""
    cells = []
    text = notebook.read_text(encoding="utf-8").replace(json.dumps(str(out))[1:-1], "OUT")
    for cell in json.loads(text)["cells"]:
        if cell["cell_type"] != "code" or "injected-parameters" in cell["metadata"].get("tags", []):
            continue
        streams, data = {}, []
        for output in cell.get("outputs", []):
            if output["output_type"] == "stream":
                streams[output["name"]] = streams.get(output["name"], "") + "".join(
                    output["text"])
            elif "data" in output:
                data.append({kind: value for kind, value in output["data"].items()
                             if kind != WIDGET})
            else:
                data.append(output.get("evalue"))
        cells.append((streams, data))
    return cells


def test_report_on_a_cluster_gives_the_same_pages(client, tmp_path):
    alone = report(tmp_path / "alone")
    assert alone.returncode == 0, alone.stderr
    settings = {"min_words": 60, "max_words": 200, "language": None}
    cached = paths.PROCESSED / pipeline.cache_key(nqpf.load_corpus(paths.RAW).docs, settings)
    shutil.rmtree(cached, ignore_errors=True)  # so that the cluster prepares the corpus
    client.run_on_scheduler(lambda dask_scheduler: dask_scheduler.task_prefixes.clear())
    on_cluster = report(tmp_path / "cluster", "--scheduler", client.scheduler.address)
    assert on_cluster.returncode == 0, on_cluster.stderr
    ran = client.run_on_scheduler(lambda dask_scheduler: set(dask_scheduler.task_prefixes))
    assert {"measure", "segment_and_tokenize"} <= ran
    tables = sorted(p.name for p in (tmp_path / "alone" / "tables").iterdir())
    assert tables == sorted(p.name for p in (tmp_path / "cluster" / "tables").iterdir())
    for name in tables:
        assert (tmp_path / "alone" / "tables" / name).read_bytes() == \
            (tmp_path / "cluster" / "tables" / name).read_bytes(), name
    executed = sorted((tmp_path / "alone" / "notebooks").glob("*.ipynb"))
    assert len(executed) == len(list((paths.ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    for notebook in executed:
        assert outputs_of(notebook, tmp_path / "alone") == outputs_of(
            tmp_path / "cluster" / "notebooks" / notebook.name, tmp_path / "cluster"), notebook.name
    manifest = json.loads((tmp_path / "cluster" / "manifest.json").read_text())
    assert manifest["parameters"]["corpus_options"] == {"scheduler": client.scheduler.address}
