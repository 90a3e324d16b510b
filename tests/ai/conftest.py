"""Shared fixtures of the AI feature tests: the real embedding model and spaCy pipeline."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from spacy.language import Language

from storyline.settings import Settings
from storyline.stories.embeddings import Embedder, model_cache_folder
from storyline.understand.pipeline import load_pipeline


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """The default model (int8 ONNX), its export cached between runs as the story tests do."""
    default = Path(tempfile.gettempdir()) / "storyline-test-home"
    home = Path(os.environ.get("STORYLINE_TEST_MODEL_CACHE", default))
    return Embedder(cache_dir=model_cache_folder(home))


@pytest.fixture(scope="session")
def nlp() -> Language:
    return load_pipeline(Settings())
