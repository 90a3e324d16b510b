"""Learn the attribution tagger from PolNeAR's train split (never from dev).

``python quality/train_attribution.py`` parses the train articles with Storyline's spaCy
pipeline, learns the cue lexicon (how often each lemma is part of a cue) and trains the CRF,
then writes both beside :mod:`storyline.understand.attribution`. Every annotator's file is a
training document of its own, as it is a document when scoring.

The lexicon is a feature of the CRF, so the CRF must see the lexicon as it will be on unseen
text: each fold of articles gets its features from a lexicon learned on the other folds only
(cross-fitting). Otherwise a lemma seen only as a cue in training looks like a certain cue, and
the CRF learns to trust the lexicon more than it deserves. The lexicon shipped is learned from
the whole train split. Parsing takes several minutes; the parses are kept in the user's cache
(``~/.cache/storyline/quality``, or ``--parsed FILE``) for reruns.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

import numpy as np  # noqa: E402 (after the path set-up that lets the script run from anywhere)
import numpy.typing as npt  # noqa: E402
import pycrfsuite  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from quality.polnear import (  # noqa: E402
    DATASET,
    ROLES,
    PolnearDoc,
    load_polnear,
    parse_articles,
)
from storyline.understand.attribution import (  # noqa: E402
    LEXICON_PATH,
    MODEL_PATH,
    Projection,
    dense_features,
    paragraph_features,
    write_model,
)

# Lemmas seen fewer times than this carry no cue rate: too few to say anything.
_MIN_SEEN = 3
# Rates below this are left out of the lexicon (they read as 0 anyway), keeping it small.
_MIN_RATE = 0.005
_FOLDS = 5
# How many principal directions of spaCy's token vectors the CRF reads.
_DIRECTIONS = 16
# CRFsuite's L-BFGS with elastic net: L1 keeps the model small, L2 keeps it smooth. A strong
# L1 weight drops the many rare feature strings that only fit the training articles: on the
# dev split, exact-match F1 rose with c1 from 0.05 (source/cue/content 0.699/0.631/0.504)
# through 0.1, 0.2, 0.4, 0.8 and 1.6 to 3.2 (0.747/0.688/0.611), while the model shrank
# six-fold; 6.4 adds under 0.005 to each but gives fewer direct quotes their speakers.
_CRF_PARAMS = {
    "c1": 3.2,
    "c2": 0.01,
    "max_iterations": 150,
    "feature.possible_transitions": True,
}


def gold_labels(doc: PolnearDoc, parsed: Doc) -> list[str]:
    """BIO labels of ``parsed``'s tokens from one annotator's spans (a partial token counts)."""
    labels = ["O"] * len(parsed)
    for role in ROLES:
        for start, end in sorted(doc.gold_spans(role)):
            span = parsed.char_span(start, end, alignment_mode="expand")
            if span is None or len(span) == 0:
                continue
            labels[span.start] = f"B-{role}"
            for i in range(span.start + 1, span.end):
                labels[i] = f"I-{role}"
    return labels


def learn_lexicon(pairs: Iterable[tuple[PolnearDoc, Doc]]) -> dict[str, float]:
    """How often each lemma (lower case) is inside a cue, smoothed towards 0 for rare lemmas."""
    seen: Counter[str] = Counter()
    cued: Counter[str] = Counter()
    for doc, parsed in pairs:
        labels = gold_labels(doc, parsed)
        for token, label in zip(parsed, labels, strict=True):
            lemma = token.lemma_.lower()
            seen[lemma] += 1
            if label.endswith("-cue"):
                cued[lemma] += 1
    rates = {}
    for lemma, count in seen.items():
        rate = cued[lemma] / (count + 1)
        if count >= _MIN_SEEN and rate >= _MIN_RATE:
            rates[lemma] = round(rate, 3)
    return dict(sorted(rates.items()))


def fold_of(article: str) -> int:
    """A stable fold number for an article (all its annotators share it)."""
    return sum(article.encode("utf-8")) % _FOLDS


def learn_projection(parsed: Iterable[Doc]) -> Projection:
    """The principal directions of spaCy's token vectors, scaled to unit variance."""
    vectors = np.concatenate([doc.tensor for doc in parsed]).astype(np.float64)
    mean = vectors.mean(axis=0)
    variances, directions = np.linalg.eigh(np.cov(vectors - mean, rowvar=False))
    top = np.argsort(variances)[::-1][:_DIRECTIONS]
    components = directions[:, top] / np.sqrt(variances[top])
    return Projection(mean.astype(np.float32), components.astype(np.float32))


# One training sequence, a paragraph: each token's feature names, the tokens' projected
# vectors (tokens by directions) and each token's gold label.
Example = tuple[list[list[str]], npt.NDArray[np.float32], list[str]]


def training_data(
    docs: Sequence[PolnearDoc], parsed: dict[str, Doc]
) -> tuple[list[Example], Projection]:
    """The CRF's training sequences, with cross-fitted lexicon features, and the projection."""
    projection = learn_projection(parsed.values())
    sequences: list[Example] = []
    for fold in range(_FOLDS):
        others = [(doc, parsed[doc.article]) for doc in docs if fold_of(doc.article) != fold]
        lexicon = learn_lexicon(others)
        for doc in docs:
            if fold_of(doc.article) == fold:
                sequences.extend(_sequences(doc, parsed[doc.article], lexicon, projection))
    return sequences, projection


def train(
    docs: Sequence[PolnearDoc],
    parsed: dict[str, Doc],
    model: Path,
    params: dict[str, object] | None = None,
    data: tuple[list[Example], Projection] | None = None,
) -> dict[str, float]:
    """Train the CRF on ``docs`` into ``model``; the lexicon over all of ``docs`` is returned.

    ``data`` is what :func:`training_data` returns for ``docs``, when the caller has it already.
    """
    trainer = pycrfsuite.Trainer(verbose=False)
    trainer.set_params({**_CRF_PARAMS, **(params or {})})
    sequences, projection = data or training_data(docs, parsed)
    for names, dense, labels in sequences:
        items = [
            {**dict.fromkeys(features, 1.0), **vector}
            for features, vector in zip(names, dense_features(dense), strict=True)
        ]
        trainer.append(items, labels)
    with tempfile.TemporaryDirectory() as folder:
        trained = Path(folder) / "attribution.crfsuite"
        trainer.train(str(trained))
        crf = pycrfsuite.Tagger()
        crf.open(str(trained))
        dump = crf.info()
        write_model(model, crf.labels(), dump.transitions, dump.state_features, projection)
        crf.close()
    return learn_lexicon((doc, parsed[doc.article]) for doc in docs)


def _sequences(
    doc: PolnearDoc, parsed: Doc, lexicon: dict[str, float], projection: Projection
) -> Iterable[Example]:
    """One annotator file's paragraphs as training sequences."""
    labels = gold_labels(doc, parsed)
    dense = projection.apply(parsed.tensor, len(parsed))
    for start, end, features in paragraph_features(parsed, lexicon):
        yield features, dense[start:end], labels[start:end]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", type=Path, default=DATASET)
    parser.add_argument(
        "--parsed", type=Path, help="keep the spaCy parses here (default: the user's cache)"
    )
    parser.add_argument("--model", type=Path, default=MODEL_PATH)
    parser.add_argument("--lexicon", type=Path, default=LEXICON_PATH)
    parser.add_argument("--c1", type=float, default=_CRF_PARAMS["c1"], help="L1 weight")
    parser.add_argument("--c2", type=float, default=_CRF_PARAMS["c2"], help="L2 weight")
    parser.add_argument(
        "--iterations", type=int, default=_CRF_PARAMS["max_iterations"], help="L-BFGS steps"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    docs = load_polnear("train", args.dataset)
    parsed = parse_articles(docs, args.parsed)
    print(f"parsed {len(parsed)} articles in {time.perf_counter() - started:.0f} s")
    params = {"c1": args.c1, "c2": args.c2, "max_iterations": args.iterations}
    lexicon = train(docs, parsed, args.model, params)
    args.lexicon.write_text(json.dumps(lexicon, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    size = args.model.stat().st_size / 1e6
    print(f"trained on {len(docs)} annotator files: {args.model} ({size:.1f} MB), ")
    print(f"lexicon of {len(lexicon)} lemmas: {args.lexicon}")
    print(f"done in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
