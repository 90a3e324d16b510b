"""ONNX copies of a sentence-transformers model, made here from its local files.

The fast embedding backends run the model on ONNX Runtime, which needs neither torch at
run time nor its start-up cost. Model weights are never downloaded: the ONNX file is
produced from the model folder already on disk, once, and cached.

1. :func:`export_folder` names the cache entry by the model folder's content (a changed
   model gets a new export, a copied or reinstalled one the same) and the export format.
2. :func:`ensure_export` loads the model with sentence-transformers, checks that it is a
   transformer with mean pooling and normalisation (what the graph reproduces), traces
   it with the pooling inside the graph, fuses the graph with ONNX Runtime's transformer
   optimiser (attention, layer norm, GELU); asked for the int8 graph, it writes a copy
   whose weights are quantised per channel. Every file is written under a temporary
   name and renamed, so a process never reads half an export.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Raised when the export's layout or recipe changes, so older cache entries are not reused.
_FORMAT = "1"
FP32_FILE = "model-fp32.onnx"
INT8_FILE = "model-int8.onnx"
META_FILE = "meta.json"
TOKENIZER_FILE = "tokenizer.json"


@dataclass(frozen=True)
class ExportMeta:
    """What the run time needs besides the graph: how to tokenise and what comes out."""

    dimensions: int
    max_seq_length: int
    input_names: tuple[str, ...]


class UnsupportedModel(ValueError):
    """The model is not a transformer with mean pooling and L2 normalisation."""


def export_folder(cache_dir: Path, model_folder: Path) -> Path:
    """The cache entry for ``model_folder``: named by a digest of every file in it."""
    digest = hashlib.sha256(_FORMAT.encode())
    for path in sorted(p for p in model_folder.rglob("*") if p.is_file()):
        if path.name.startswith(".") or path.suffix == ".md":
            continue
        digest.update(str(path.relative_to(model_folder)).encode())
        with path.open("rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    return cache_dir / f"{model_folder.name}-{digest.hexdigest()[:16]}"


def read_meta(folder: Path) -> ExportMeta | None:
    """The export's metadata, or None when the export is missing or incomplete."""
    meta_path = folder / META_FILE
    needed = (meta_path, folder / FP32_FILE, folder / TOKENIZER_FILE)
    if not all(path.is_file() for path in needed):
        return None
    data = json.loads(meta_path.read_text(encoding="utf-8"))
    return ExportMeta(
        dimensions=int(data["dimensions"]),
        max_seq_length=int(data["max_seq_length"]),
        input_names=tuple(data["input_names"]),
    )


def ensure_export(
    model_folder: Path, cache_dir: Path, quantised: bool
) -> tuple[Path, Path, ExportMeta]:
    """The export of ``model_folder`` under ``cache_dir``, made now if it is not there yet.

    Returns the export's folder, the graph asked for (float32 or int8) and the metadata.
    """
    folder = export_folder(cache_dir, model_folder)
    meta = read_meta(folder)
    if meta is None:
        folder.mkdir(parents=True, exist_ok=True)
        meta = _export(model_folder, folder)
    graph = folder / (INT8_FILE if quantised else FP32_FILE)
    if not graph.is_file():
        with tempfile.TemporaryDirectory(dir=folder) as work:
            _quantise(folder / FP32_FILE, Path(work) / INT8_FILE)
            os.replace(Path(work) / INT8_FILE, graph)
    return folder, graph, meta


def _export(model_folder: Path, folder: Path) -> ExportMeta:
    """Trace and optimise the model into ``folder``; the metadata, written last, commits it."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # no "Loading weights" bar in the CLI's output
    model = SentenceTransformer(str(model_folder), device="cpu")
    transformer = _check_layout(model)
    tokenizer = transformer.tokenizer
    input_names = tuple(
        name
        for name in ("input_ids", "attention_mask", "token_type_ids")
        if name in tokenizer.model_input_names
    )
    dimensions = int(model.get_embedding_dimension() or 0)
    with tempfile.TemporaryDirectory(dir=folder) as work:
        traced = Path(work) / "traced.onnx"
        _trace(transformer.auto_model, input_names, traced)
        _optimise(traced, Path(work) / FP32_FILE, transformer.auto_model.config)
        tokenizer.backend_tokenizer.save(str(Path(work) / TOKENIZER_FILE))
        os.replace(Path(work) / FP32_FILE, folder / FP32_FILE)
        os.replace(Path(work) / TOKENIZER_FILE, folder / TOKENIZER_FILE)
    meta = ExportMeta(
        dimensions=dimensions,
        max_seq_length=int(model.max_seq_length or tokenizer.model_max_length),
        input_names=input_names,
    )
    _write_atomically(folder / META_FILE, json.dumps(meta.__dict__, indent=2).encode())
    return meta


def _check_layout(model: Any) -> Any:
    """The model's transformer module, if the rest is mean pooling then normalisation."""
    modules = list(model)
    names = [type(module).__name__ for module in modules]
    pooling = modules[1].get_config_dict() if len(modules) > 1 else {}
    mean = pooling.get("pooling_mode") == "mean" or pooling.get("pooling_mode_mean_tokens") is True
    if names != ["Transformer", "Pooling", "Normalize"] or not mean:
        raise UnsupportedModel(
            "the ONNX backends reproduce transformer + mean pooling + normalisation only; "
            f"this model has {names} with pooling {pooling}"
        )
    return modules[0]


def _trace(transformer: Any, input_names: tuple[str, ...], target: Path) -> None:
    """Export the transformer with mean pooling and normalisation inside the graph."""
    import torch

    class _Pooled(torch.nn.Module):
        def __init__(self, inner: Any) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
            named = dict(zip(input_names, inputs, strict=True))
            hidden = self.inner(**named).last_hidden_state
            mask = named["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            mean = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            return torch.nn.functional.normalize(mean, p=2.0, dim=1)

    sample = torch.ones((2, 8), dtype=torch.long)
    inputs = tuple(
        torch.zeros_like(sample) if name == "token_type_ids" else sample for name in input_names
    )
    axes = {name: {0: "batch", 1: "tokens"} for name in input_names}
    # The tracer warns about Python branches on shapes; the graph is checked against the
    # torch model by the tests and the benchmark instead.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _Pooled(transformer.eval()),
            inputs,
            str(target),
            input_names=list(input_names),
            output_names=["embedding"],
            dynamic_axes={**axes, "embedding": {0: "batch"}},
            opset_version=17,
            dynamo=False,
        )


def _optimise(source: Path, target: Path, config: Any) -> None:
    """Fuse attention, layer norm and GELU: the same arithmetic in fewer, faster kernels."""
    from onnxruntime.transformers.optimizer import optimize_model

    optimised = optimize_model(
        str(source),
        model_type="bert",
        num_heads=int(config.num_attention_heads),
        hidden_size=int(config.hidden_size),
    )
    optimised.save_model_to_file(str(target))


def _quantise(source: Path, target: Path) -> None:
    """Int8 weights per output channel (matrix products and fused attention).

    Activations are quantised per call from their own range, so the result depends a
    little on the batch a text is in; :mod:`storyline.stories.embeddings` measures it.
    """
    from onnx import TensorProto
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # The quantiser advises pre-processing on the root logger; its own tests of this model
    # (cosine to the full model, in the embeddings benchmark) are what decides here.
    root = logging.getLogger()
    level = root.level
    root.setLevel(max(level, logging.ERROR))
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            per_channel=True,
            extra_options={"DefaultTensorType": TensorProto.FLOAT},
        )
    finally:
        root.setLevel(level)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write to a temporary file beside ``path``, flush it to disk, then rename it over."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.chmod(temporary, 0o644)
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
