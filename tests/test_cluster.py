import gzip
import itertools

import pytest

from nqpf import paths, stream

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
