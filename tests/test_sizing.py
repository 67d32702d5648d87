import gzip
import json
import random

import pytest

from nqpf import paths, sizing


@pytest.fixture
def corpus(tmp_path):
    rng = random.Random(0)
    words = ["policy", "innovation", "forces", "productive", "quality", "green", "digital"]
    lines = [json.dumps({"id": f"d{i}", "text": " ".join(rng.choices(words, k=rng.randint(5, 80)))})
             for i in range(20_000)]
    data = ("\n".join(lines) + "\n").encode()
    (tmp_path / "plain.jsonl").write_bytes(data)
    (tmp_path / "packed.jsonl.gz").write_bytes(gzip.compress(data))
    return tmp_path, len(data), len(lines)


@pytest.mark.parametrize("name", ["plain.jsonl", "packed.jsonl.gz"])
def test_estimate_is_close_to_the_truth(corpus, name):
    folder, n_bytes, n_docs = corpus
    estimate = sizing.estimate_size(folder / name)
    assert estimate.n_files == 1
    assert abs(estimate.text_bytes - n_bytes) < 0.2 * n_bytes
    assert abs(estimate.n_docs - n_docs) < 0.2 * n_docs
    assert estimate.memory_bytes > sizing.MEMORY_BASE


def test_a_folder_adds_its_files():
    estimate = sizing.estimate_size(paths.RAW)
    texts = [p for p in paths.RAW.iterdir() if p.suffix == ".txt"]
    assert estimate.n_docs == estimate.n_files == len(texts)
    assert estimate.text_bytes == sum(p.stat().st_size for p in texts)


@pytest.mark.parametrize("available, fits", [(10**13, True), (10**8, False)])
def test_check_fits_refuses_early_and_says_what_to_do(corpus, available, fits):
    source = corpus[0] / "packed.jsonl.gz"
    if fits:
        assert sizing.check_fits(source, available=available).n_files == 1
        return
    with pytest.raises(sizing.CorpusTooLarge) as error:
        sizing.check_fits(source, available=available)
    message = str(error.value)
    for needed in ("packed.jsonl.gz", "documents", "GiB", "prepare_distributed",
                   "prepare_stream", "sample"):
        assert needed in message


def test_missing_source():
    with pytest.raises(FileNotFoundError, match="not found"):
        sizing.estimate_size("no/such/corpus")


def test_max_docs_shrinks_the_estimate_and_the_refusal_names_it(corpus):
    source = corpus[0] / "packed.jsonl.gz"
    estimate = sizing.estimate_size(source)
    assert estimate.memory_for(100) < estimate.memory_bytes == estimate.memory_for(10**9)
    available = 2 * (estimate.memory_for(1000) + estimate.memory_bytes) // 2  # between them
    with pytest.raises(sizing.CorpusTooLarge) as error:
        sizing.check_fits(source, available=available)
    fitting = estimate.docs_fitting(0.5 * available)
    assert 0 < fitting < estimate.n_docs
    assert f"--max-docs {fitting}" in str(error.value)
    assert sizing.check_fits(source, max_docs=fitting, available=available) == estimate
    with pytest.raises(sizing.CorpusTooLarge, match=f"with --max-docs {fitting + 1000}"):
        sizing.check_fits(source, max_docs=fitting + 1000, available=available)


def test_no_sample_fits_when_reading_alone_does_not(corpus):
    with pytest.raises(sizing.CorpusTooLarge, match="a smaller file"):
        sizing.check_fits(corpus[0] / "packed.jsonl.gz", available=sizing.MEMORY_BASE)
