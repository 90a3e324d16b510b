"""Attributions of an article: who (source) said or thought what (content), in which words (cue).

A linear-chain CRF labels every spaCy token of a paragraph with a BIO tag of PolNeAR's three
roles; unbroken runs of one role become spans, and each content is then tied to the cue and the
source nearest to it. The CRF reads, per token:

1. its words and tags: lower case, lemma, part of speech, dependency, shape, entity type, and
   those of its neighbours; its dependents (a reporting verb has a subject and a clause);
2. quote marks: whether it is inside straight or curly double quotes, or single quotes, and
   whether it opens or closes them (an apostrophe, as in "don't" or "soldiers'", is no mark);
3. reporting words: how often its lemma is a cue in the training data (a learned lexicon), and
   the same for the nearest and the farthest such word above it in the parse, with the relation
   by which its branch hangs from that word (``nsubj`` is a source's, ``ccomp`` a content's) and
   whether it is the first or last token of that branch (where spans start and end);
4. clause boundaries: which clauses and phrases of the parse begin or end at it;
5. its place: sentence and paragraph starts and ends, and which side of the sentence's strongest
   cue it stands on;
6. spaCy's own vector of the token in context (``doc.tensor``), projected onto a few directions.

The model and the lexicon are learned from PolNeAR's train split (never its dev split) by
``quality/train_attribution.py``; they are read once per process. Tagging costs about a sixth
of the spaCy parse it reads (``python quality/polnear.py`` measures both on the same articles).
"""

from __future__ import annotations

import json
import threading
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from spacy.attrs import HEAD
from spacy.tokens import Doc

from storyline.understand.types import Attribution

DATA = Path(__file__).resolve().parent / "data"
MODEL_PATH = DATA / "attribution-crf.npz"
LEXICON_PATH = DATA / "attribution-lexicon.json"
ROLES = ("source", "cue", "content")

# A lemma this often a cue (in training) makes the tokens below it in the parse "governed".
_GOVERNING = 0.05
# Cue-rate buckets: the CRF learns one weight per bucket, which carries over to rare lemmas.
_BUCKETS = (0.0, 0.02, 0.05, 0.1, 0.2, 0.4, 0.7, 1.0)
# Dependents that say what a verb is doing: reporting verbs take a subject and a clause.
_ARGUMENT_RELATIONS = {
    "nsubj",
    "nsubjpass",
    "ccomp",
    "xcomp",
    "dobj",
    "dative",
    "mark",
    "advcl",
    "parataxis",
    "prep",
    "agent",
}
# Relations whose subtree is a clause or phrase a content can be.
_CLAUSE_RELATIONS = {
    "ccomp",
    "xcomp",
    "advcl",
    "relcl",
    "conj",
    "pcomp",
    "pobj",
    "dobj",
    "nsubj",
    "acl",
}
_DOUBLE = {'"', "“", "”", "``", "''", "„"}
_SINGLE = {"'", "‘", "’"}
_OPENERS = {"“", "``", "„", "‘"}
_CLOSERS = {"”", "''"}

_lock = threading.Lock()
_loaded: dict[str, Tagger] = {}


@dataclass(frozen=True)
class Tagger:
    """The learned parts: the CRF's weights and the cue rate of each lemma.

    The CRF is trained with CRFsuite and stored as plain arrays: one row of label weights per
    feature string, and the weights of each label following another. Tagging is a sum of rows
    and a Viterbi pass in numpy, with no CRFsuite at run time.
    """

    labels: tuple[str, ...]
    index: dict[str, int]
    weights: npt.NDArray[np.float32]
    transitions: npt.NDArray[np.float32]
    lexicon: dict[str, float]
    projection: Projection

    def tag(self, doc: Doc) -> list[Attribution]:
        """The attributions in ``doc`` (see :func:`tag_attributions`)."""
        tokens = _Tokens.read(doc, self.lexicon)
        ranges = _paragraphs(tokens.text, tokens.is_space)
        sequences = [_paragraph(tokens, start, end) for start, end in ranges]
        dense = self.projection.apply(doc.tensor, len(doc))
        labels = ["O"] * len(doc)
        for (start, end), found in zip(ranges, self.label(sequences, ranges, dense), strict=True):
            labels[start:end] = found
        _source_after_according_to(tokens, labels)
        return link_spans(doc, decode_spans(labels), ranges)

    def label(
        self,
        sequences: Sequence[Sequence[Sequence[str]]],
        ranges: Sequence[tuple[int, int]],
        dense: npt.NDArray[np.float32],
    ) -> list[list[str]]:
        """The most likely labels of each paragraph, from its tokens' features.

        ``dense`` holds every token's projected spaCy vector; its weights are the rows named
        ``v0``, ``v1``, ... Unknown feature strings count 0.
        """
        if not sequences:
            return []
        index = self.index
        zero = repeat(len(self.weights) - 1)  # the zero row: what an unknown feature adds
        rows: list[int] = []
        starts: list[int] = []
        for sequence in sequences:
            for features in sequence:
                starts.append(len(rows))
                rows.extend(map(index.get, features, zero))
        emissions = np.add.reduceat(self.weights[rows], starts, axis=0)
        tokens = np.concatenate([np.arange(start, end) for start, end in ranges])
        emissions += dense[tokens] @ self.weights[[index[name] for name in _dense_names(dense)]]
        paths = _viterbi(emissions, [len(sequence) for sequence in sequences], self.transitions)
        return [[self.labels[i] for i in path] for path in paths]


@dataclass(frozen=True)
class Projection:
    """spaCy's token vectors (``doc.tensor``) centred and projected onto a few directions.

    The directions are the vectors' principal components in the training data, scaled to unit
    variance: the CRF gets the context spaCy's own network read around each token, as a
    handful of numbers instead of 96.
    """

    mean: npt.NDArray[np.float32]
    components: npt.NDArray[np.float32]

    def apply(self, tensor: npt.NDArray[Any], count: int) -> npt.NDArray[np.float32]:
        """The projection of each of ``count`` tokens' vectors: tokens by directions.

        A pipeline whose vectors are not the ones trained on (another spaCy model, or none)
        gets zeros: the tagger then goes by the other features alone.
        """
        if tensor.shape != (count, len(self.mean)):
            return np.zeros((count, self.components.shape[1]), dtype=np.float32)
        return np.asarray((tensor - self.mean) @ self.components, dtype=np.float32)


def dense_features(dense: npt.NDArray[np.float32]) -> list[dict[str, float]]:
    """The projected vectors as CRFsuite features (``v0``, ``v1``, ...) for training."""
    names = _dense_names(dense)
    return [dict(zip(names, row.tolist(), strict=True)) for row in dense]


def _dense_names(dense: npt.NDArray[np.float32]) -> list[str]:
    return [f"v{i}" for i in range(dense.shape[1])]


def _viterbi(
    emissions: npt.NDArray[np.float32], lengths: list[int], transitions: npt.NDArray[np.float32]
) -> list[list[int]]:
    """The best label path of each sequence, all sequences stepped through at once.

    ``emissions`` holds the sequences' tokens one after another (tokens by labels),
    ``transitions`` is from-label by to-label. Shorter sequences are padded; past its end a
    sequence keeps its scores and each label points back to itself.
    """
    count, longest, width = len(lengths), max(lengths), emissions.shape[1]
    padded = np.zeros((count, longest, width), dtype=np.float32)
    ends = np.cumsum(lengths)
    for n, (end, length) in enumerate(zip(ends, lengths, strict=True)):
        padded[n, :length] = emissions[end - length : end]
    alive = np.arange(longest)[None, :] < np.array(lengths)[:, None]
    itself = np.broadcast_to(np.arange(width), (count, width))
    back = np.zeros((count, longest, width), dtype=np.intp)
    score = padded[:, 0]
    for t in range(1, longest):
        candidates = score[:, :, None] + transitions[None]
        stepped = candidates.max(axis=1) + padded[:, t]
        back[:, t] = np.where(alive[:, t, None], candidates.argmax(axis=1), itself)
        score = np.where(alive[:, t, None], stepped, score)
    paths = []
    for n, length in enumerate(lengths):
        path = [int(score[n].argmax())]
        for t in range(longest - 1, 0, -1):
            path.append(int(back[n, t, path[-1]]))
        paths.append(path[::-1][:length])
    return paths


def tag_attributions(doc: Doc) -> list[Attribution]:
    """Every attribution PolNeAR would mark in ``doc``, sorted by where the content starts.

    Offsets are characters of ``doc.text``. A content split around its cue ("'We won,' she
    said, 'and we knew it.'") gives one attribution per part, sharing source and cue.
    """
    return load_tagger().tag(doc)


def load_tagger(model: Path = MODEL_PATH, lexicon: Path = LEXICON_PATH) -> Tagger:
    """The process's tagger, read from ``storyline/understand/data`` on first use."""
    key = f"{model}|{lexicon}"
    with _lock:
        tagger = _loaded.get(key)
        if tagger is None:
            tagger = _read_tagger(model, lexicon)
            _loaded[key] = tagger
        return tagger


def _read_tagger(model: Path, lexicon: Path) -> Tagger:
    with np.load(model) as stored:
        labels = tuple(bytes(stored["labels"]).decode("utf-8").split("\n"))
        names = bytes(stored["features"]).decode("utf-8").split("\n")
        # One more row than features: the zero row Tagger.label pads with.
        weights = np.zeros((len(names) + 1, len(labels)), dtype=np.float32)
        weights[stored["rows"], stored["columns"]] = stored["weights"]
        transitions = stored["transitions"].astype(np.float32)
        projection = Projection(
            stored["mean"].astype(np.float32), stored["components"].astype(np.float32)
        )
    rates = json.loads(lexicon.read_text(encoding="utf-8"))
    index = {name: i for i, name in enumerate(names)}
    for name in _dense_names(projection.components):
        index.setdefault(name, len(names))  # a direction the CRF gave no weight: the zero row
    return Tagger(
        labels=labels,
        index=index,
        weights=weights,
        transitions=transitions,
        lexicon={str(lemma): float(rate) for lemma, rate in rates.items()},
        projection=projection,
    )


def write_model(
    path: Path,
    labels: Sequence[str],
    transitions: dict[tuple[str, str], float],
    state_features: dict[tuple[str, str], float],
    projection: Projection,
) -> None:
    """Store a trained CRF as :func:`load_tagger` reads it: compressed arrays, weights float16.

    ``transitions`` map (label, next label) and ``state_features`` (feature, label) to weights,
    as CRFsuite reports them; features whose weights are all 0 are left out.
    """
    column = {label: i for i, label in enumerate(labels)}
    names = sorted({name for name, _ in state_features})
    row = {name: i for i, name in enumerate(names)}
    kept = sorted(state_features.items())
    matrix = np.zeros((len(labels), len(labels)), dtype=np.float32)
    for (before, after), weight in transitions.items():
        matrix[column[before], column[after]] = weight
    np.savez_compressed(
        path,
        labels=np.frombuffer("\n".join(labels).encode("utf-8"), dtype=np.uint8),
        features=np.frombuffer("\n".join(names).encode("utf-8"), dtype=np.uint8),
        rows=np.array([row[name] for (name, _), _ in kept], dtype=np.int32),
        columns=np.array([column[label] for (_, label), _ in kept], dtype=np.int8),
        weights=np.array([weight for _, weight in kept], dtype=np.float16),
        transitions=matrix,
        mean=projection.mean.astype(np.float16),
        components=projection.components.astype(np.float16),
    )


def paragraph_features(
    doc: Doc, lexicon: dict[str, float]
) -> Iterator[tuple[int, int, list[list[str]]]]:
    """Each paragraph's token range and the CRF's features of its tokens.

    PolNeAR's spans never cross a line break, so a paragraph is the CRF's sequence: long enough
    for a quote of several sentences, short enough to tag quickly.
    """
    tokens = _Tokens.read(doc, lexicon)
    for start, end in _paragraphs(tokens.text, tokens.is_space):
        yield start, end, _paragraph(tokens, start, end)


@dataclass
class _Tokens:
    """What the features need of a Doc, read once into plain lists (spaCy objects are slow)."""

    text: list[str]
    lower: list[str]
    lemma: list[str]
    pos: list[str]
    tag: list[str]
    dep: list[str]
    shape: list[str]
    entity: list[str]
    spaced: list[bool]
    is_space: list[bool]
    is_punct: list[bool]
    head: list[int]
    sentence: list[int]
    sentence_end: list[int]
    rate: list[float]
    bucket: list[str]
    left_edge: list[int]
    right_edge: list[int]
    arguments: list[list[str]]
    boundaries: list[list[str]]

    @classmethod
    def read(cls, doc: Doc, lexicon: dict[str, float]) -> _Tokens:
        rows = [
            (
                token.text,
                token.lower_,
                token.lemma_.lower(),
                token.pos_,
                token.tag_,
                token.dep_,
                token.shape_[:4],
                token.ent_type_,
                bool(token.whitespace_),
                token.is_space,
                token.is_punct,
            )
            for token in doc
        ]
        columns = list(zip(*rows, strict=True)) or [()] * len(_COLUMNS)
        read = {name: list(column) for name, column in zip(_COLUMNS, columns, strict=True)}
        offsets = doc.to_array([HEAD]).astype("int64").tolist()
        head = [i + offset for i, offset in enumerate(offsets)]
        sentence = [0] * len(doc)
        sentence_end = [0] * len(doc)
        for span in doc.sents:
            sentence[span.start : span.end] = [span.start] * len(span)
            sentence_end[span.start : span.end] = [span.end] * len(span)
        rate = [lexicon.get(lemma, 0.0) for lemma in read["lemma"]]
        bucket = [str(bisect_left(_BUCKETS, value)) for value in rate]
        left_edge, right_edge = _subtree_edges(head)
        arguments = _arguments(head, read["dep"], read["entity"], read["pos"])
        boundaries = _clause_boundaries(head, read["dep"], left_edge, right_edge)
        return cls(
            **read,
            head=head,
            sentence=sentence,
            sentence_end=sentence_end,
            rate=rate,
            bucket=bucket,
            left_edge=left_edge,
            right_edge=right_edge,
            arguments=arguments,
            boundaries=boundaries,
        )


# The fields of _Tokens read straight from each token, in the order _Tokens.read reads them.
_COLUMNS = (
    "text",
    "lower",
    "lemma",
    "pos",
    "tag",
    "dep",
    "shape",
    "entity",
    "spaced",
    "is_space",
    "is_punct",
)


def _arguments(
    head: list[int], dep: list[str], entity: list[str], pos: list[str]
) -> list[list[str]]:
    """Features of each token's dependents: which clause relations it has, and what its
    subject is (a reporting verb with a person as subject and a clause as object is a cue)."""
    arguments: list[list[str]] = [[] for _ in head]
    for i, above in enumerate(head):
        if above != i and dep[i] in _ARGUMENT_RELATIONS:
            arguments[above].append(f"a={dep[i]}")
            if dep[i] in ("nsubj", "nsubjpass"):
                arguments[above].append(f"subj={entity[i] or pos[i]}")
    return arguments


def _clause_boundaries(
    head: list[int], dep: list[str], left_edge: list[int], right_edge: list[int]
) -> list[list[str]]:
    """Where clauses and phrases begin and end: a content is mostly one of them, whole."""
    boundaries: list[list[str]] = [[] for _ in head]
    for i, relation in enumerate(dep):
        if relation in _CLAUSE_RELATIONS and head[i] != i:
            boundaries[left_edge[i]].append(f"begins={relation}")
            boundaries[right_edge[i]].append(f"ends={relation}")
    return boundaries


def _subtree_edges(head: list[int]) -> tuple[list[int], list[int]]:
    """The first and last token of each token's subtree, from the heads alone."""
    left = list(range(len(head)))
    right = list(range(len(head)))
    for i in range(len(head)):
        j = i
        while head[j] != j:
            j = head[j]
            if i < left[j]:
                left[j] = i
            if i > right[j]:
                right[j] = i
    return left, right


def _paragraphs(text: Sequence[str], is_space: Sequence[bool]) -> list[tuple[int, int]]:
    ranges = []
    start = None
    for i, (word, space) in enumerate(zip(text, is_space, strict=True)):
        if space and "\n" in word:
            if start is not None:
                ranges.append((start, i))
            start = None
        elif start is None:
            start = i
    if start is not None:
        ranges.append((start, len(text)))
    return ranges


def _paragraph(tokens: _Tokens, start: int, end: int) -> list[list[str]]:
    quotes = _quote_states(tokens, start, end)
    lower, pos, bucket = tokens.lower, tokens.pos, tokens.bucket
    # The neighbours' features, prefixed by their offset: -1w=..., +2p=...
    window = [
        [f"-1w={lower[i]}", f"-1p={pos[i]}", f"-1q={quotes[i - start]}", f"-1c={bucket[i]}"]
        for i in range(start, end)
    ]
    ahead = [
        [f"+1w={lower[i]}", f"+1p={pos[i]}", f"+1q={quotes[i - start]}", f"+1c={bucket[i]}"]
        for i in range(start, end)
    ]
    far = [f"p={pos[i]}" for i in range(start, end)]
    strongest = _strongest_cues(tokens, start, end)
    governors = _governors(tokens, start, end)
    last = end - start - 1
    sequence = []
    for i in range(start, end):
        k = i - start
        features = _token_features(tokens, i, quotes[k])
        features += window[k - 1] if k > 0 else ["par_start"]
        features += ahead[k + 1] if k < last else ["par_end"]
        if k > 1:
            features.append("-2" + far[k - 2])
        if k < last - 1:
            features.append("+2" + far[k + 2])
        features += _governor_features(tokens, i, governors[k])
        best = strongest[tokens.sentence[i]]
        side = "at" if i == best else ("before" if i < best else "after")
        features.append(f"scue={tokens.lemma[best]}")
        features.append(f"sside={side}")
        sequence.append(features)
    return sequence


def _token_features(tokens: _Tokens, i: int, quote: str) -> list[str]:
    head = tokens.head[i]
    features = [
        "bias",
        f"w={tokens.lower[i]}",
        f"l={tokens.lemma[i]}",
        f"p={tokens.pos[i]}",
        f"t={tokens.tag[i]}",
        f"d={tokens.dep[i]}",
        f"s={tokens.shape[i]}",
        f"e={tokens.entity[i]}",
        f"hl={tokens.lemma[head]}",
        f"hd={tokens.dep[head]}",
        f"dhc={tokens.dep[i]}:{tokens.bucket[head]}",
        f"c={tokens.bucket[i]}",
        f"q={quote}",
    ]
    features += tokens.arguments[i]
    features += tokens.boundaries[i]
    if tokens.sentence[i] == i:
        features.append("sent_start")
    if tokens.sentence_end[i] == i + 1:
        features.append("sent_end")
    return features


# A token's governors: (cue, branch) of the nearest and the farthest reporting word above it.
_Governors = tuple[tuple[int, int] | None, tuple[int, int] | None]


def _governors(tokens: _Tokens, start: int, end: int) -> list[_Governors]:
    """For each token of the paragraph, the nearest and farthest ancestor often a cue.

    The branch is the cue's child the token descends from: its relation says what the token is
    to the cue (``nsubj``: the speaker, ``ccomp``: what was said).
    """
    found: dict[int, _Governors] = {}
    head, rate = tokens.head, tokens.rate

    def resolve(i: int) -> _Governors:
        known = found.get(i)
        if known is not None:
            return known
        above = head[i]
        result: _Governors = (None, None)
        if above != i and rate[above] >= _GOVERNING:
            here = (above, i)
            result = (here, resolve(above)[1] or here)
        elif above != i:
            result = resolve(above)
        found[i] = result
        return result

    return [resolve(i) for i in range(start, end)]


def _governor_features(tokens: _Tokens, i: int, governors: _Governors) -> list[str]:
    features = []
    for name, governor in zip(("g", "G"), governors, strict=True):
        if governor is None:
            features.append(f"{name}=none")
            continue
        cue, branch = governor
        relation = tokens.dep[branch]
        side = "L" if i < cue else "R"
        features.append(f"{name}rel={relation}:{side}")
        features.append(f"{name}rel={relation}:{tokens.bucket[cue]}")
        features.append(f"{name}lem={tokens.lemma[cue]}:{relation}")
        if i == tokens.left_edge[branch]:
            features.append(f"{name}first={relation}")
        if i == tokens.right_edge[branch]:
            features.append(f"{name}last={relation}")
    return features


def _strongest_cues(tokens: _Tokens, start: int, end: int) -> dict[int, int]:
    """Each sentence start (within the paragraph) to its token most often a cue."""
    strongest: dict[int, int] = {}
    rate = tokens.rate
    for i in range(start, end):
        sentence = tokens.sentence[i]
        best = strongest.get(sentence)
        if best is None or rate[i] > rate[best]:
            strongest[sentence] = i
    return strongest


def quote_states(doc: Doc, start: int, end: int) -> list[str]:
    """Each token's place in quotes: ``in``, ``open``, ``close`` or ``out`` of double quotes,
    ``in1``, ``open1``, ``close1`` of single ones (an apostrophe is no mark)."""
    return _quote_states(_Tokens.read(doc, {}), start, end)


def _quote_states(tokens: _Tokens, start: int, end: int) -> list[str]:
    states = []
    double = single = False
    for i in range(start, end):
        text = tokens.text[i]
        if text in _DOUBLE:
            double = _opens(tokens, i, double)
            states.append("open" if double else "close")
        elif text in _SINGLE and _is_single_mark(tokens, i, single):
            single = _opens(tokens, i, single)
            states.append("open1" if single else "close1")
        elif single:
            states.append("in1")
        else:
            states.append("in" if double else "out")
    return states


def _opens(tokens: _Tokens, i: int, is_open: bool) -> bool:
    """Whether the quote mark at ``i`` opens a quote: by its shape, its spacing, or by turn."""
    text = tokens.text[i]
    if text in _OPENERS:
        return True
    if text in _CLOSERS or text == "’":
        return False
    before, after = _spacing(tokens, i)
    if before != after:
        return before
    return not is_open


def _is_single_mark(tokens: _Tokens, i: int, is_open: bool) -> bool:
    """A single quote mark, not an apostrophe: one opens before a word, one closes an open one."""
    before, after = _spacing(tokens, i)
    if is_open:
        return after
    return before and not after and tokens.text[i] != "’"


def _spacing(tokens: _Tokens, i: int) -> tuple[bool, bool]:
    """Whether a space (or the paragraph's edge) stands before and after token ``i``."""
    before = i == 0 or tokens.spaced[i - 1] or tokens.is_space[i - 1]
    last = i + 1 == len(tokens.text)
    after = last or tokens.spaced[i] or tokens.is_punct[i + 1] or tokens.is_space[i + 1]
    return before, after


def _source_after_according_to(tokens: _Tokens, labels: list[str]) -> None:
    """Make the object of a cue "according to" its source, as PolNeAR always does.

    The CRF finds the cue well but sometimes takes its object for part of the content; the
    parse says exactly where the object ends, and the comma after it belongs to neither.
    """
    lower, head, dep = tokens.lower, tokens.head, tokens.dep
    for i in range(len(labels) - 2):
        if lower[i] != "according" or lower[i + 1] != "to" or labels[i] != "B-cue":
            continue
        objects = [j for j in range(i + 2, len(labels)) if head[j] == i + 1 and dep[j] == "pobj"]
        if not objects or tokens.left_edge[objects[0]] != i + 2:
            continue
        end = tokens.right_edge[objects[0]] + 1
        labels[i + 1] = "I-cue"
        labels[i + 2 : end] = ["B-source"] + ["I-source"] * (end - i - 3)
        if end < len(labels) and lower[end] == ",":
            labels[end] = "O"
            end += 1
        if end < len(labels) and labels[end] == "I-content":
            labels[end] = "B-content"


def decode_spans(labels: Sequence[str]) -> dict[str, list[tuple[int, int]]]:
    """Token ranges ``[start, end)`` of each role's unbroken runs in BIO ``labels``."""
    spans: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
    role, start = "", 0
    for i, label in enumerate([*labels, "O"]):
        kind, _, name = label.partition("-")
        if role and (kind != "I" or name != role):
            spans[role].append((start, i))
            role = ""
        if kind == "B" or (kind == "I" and not role):
            role, start = name, i
    return spans


def link_spans(
    doc: Doc, spans: dict[str, list[tuple[int, int]]], ranges: Sequence[tuple[int, int]]
) -> list[Attribution]:
    """Tie each content to the nearest cue in its paragraph, and that cue to its nearest source.

    ``ranges`` are the paragraphs' token ranges; "nearest" counts the tokens between two spans.
    A content without a cue takes the source nearest to itself.
    """
    paragraph_of = [-1] * len(doc)
    for number, (start, end) in enumerate(ranges):
        paragraph_of[start:end] = [number] * (end - start)
    cues = spans["cue"]
    sources = spans["source"]
    attributions = []
    for start, end in spans["content"]:
        cue = _nearest(paragraph_of, cues, start, end)
        source = _nearest(paragraph_of, sources, *(cue or (start, end)))
        attributions.append(
            Attribution(
                content=_characters(doc, start, end),
                source=_characters(doc, *source) if source else None,
                cue=_characters(doc, *cue) if cue else None,
            )
        )
    return sorted(attributions, key=lambda item: item.content)


def _nearest(
    paragraph_of: list[int], candidates: list[tuple[int, int]], start: int, end: int
) -> tuple[int, int] | None:
    same = [span for span in candidates if paragraph_of[span[0]] == paragraph_of[start]]
    if not same:
        return None
    return min(same, key=lambda span: max(span[0] - end, start - span[1], 0))


def _characters(doc: Doc, start: int, end: int) -> tuple[int, int]:
    return doc[start].idx, doc[end - 1].idx + len(doc[end - 1])
