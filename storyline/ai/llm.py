"""The optional LLM engine: any OpenAI-compatible chat endpoint, checked by grounding.

The model is shown numbered source sentences (:func:`storyline.ai.passages.passages`)
and asked to end every sentence it writes with the numbers it used, ``[3]`` or
``[2][5]``. Its reply is parsed (:func:`parse_reply`), the numbers become citations of
the exact source offsets, and the grounding check (:mod:`storyline.ai.grounding`) drops
every sentence its citations do not support, saying why in ``AiResult.dropped``.

Replies are cached by a digest of the prompt (:mod:`storyline.store.ai_cache`) and the
check runs again on every read; tokens are counted per UTC day against
``llm_daily_tokens``. When the endpoint is not set, down, too slow or over budget, or
(in :meth:`LlmEngine.run`) nothing it wrote survives the check, :class:`LlmUnavailable`
is raised and the caller answers with the offline engine
(:func:`storyline.ai.engine.run_feature`). A question it cannot ground is answered
"does not say" instead.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import httpx
import numpy as np

from storyline.ai.engine import AI_VERSION, EngineUnavailable, check_question
from storyline.ai.grounding import check_sentences, ground
from storyline.ai.passages import Passage, passages
from storyline.ai.types import (
    DOES_NOT_SAY,
    FEATURES,
    AiResult,
    Citation,
    CitedSentence,
    Encoder,
    Section,
)
from storyline.clean.sentences import sentence_spans
from storyline.store.ai_cache import AnswerCache, cache_key
from storyline.store.db import Database

if TYPE_CHECKING:
    from spacy.language import Language

    from storyline.ai.material import EarlierStory, Material
    from storyline.settings import Settings
    from storyline.stories.digest_types import DigestArticle

SYSTEM = (
    "You write about the news using only the numbered source sentences you are given. "
    "End every sentence you write with the numbers of the source sentences it comes from, "
    "in square brackets, like [2] or [1][3]. Never add a fact, number, name or date that "
    "the sources do not state."
)
BACKGROUND = (
    "Write the background of this story: what had happened before it, in time order, "
    "in at most {n} sentences."
)
PERSPECTIVES = (
    "Write how the outlets' reports differ (what each one stresses, whom it quotes), "
    "in at most {n} sentences; name the outlet at the start of each sentence."
)
# Characters of source text a prompt may show (about 1,000 tokens: a 2,048-token
# context still has room for the answer); more for a bigger model via the constructor.
MAX_SOURCE_CHARS = 4_000
MAX_SOURCES = 24
# Sentences of a reply that are checked, and the supporting sentences an answer shows.
MAX_WRITTEN = 12
MAX_SUPPORT = 2
_BACKOFF_SECONDS = 0.5
_NOT_SAID = re.compile(
    r"\b(?:not said|not say|does ?n[o']t say|do ?n[o']t say|cannot (?:tell|say|answer)|"
    r"can't (?:tell|say|answer)|no information|not mentioned|not stated|unknown)\b",
    re.IGNORECASE,
)
_CITE = re.compile(r"\[\s*(?:sources?\s*)?(\d+(?:\s*(?:[,;–-]|and)\s*\d+)*)\s*\]", re.I)
_AFTER_END = re.compile(r"([.!?])((?:\s*\[[^\]\n]*\])+)")
_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_HEADING = re.compile(r"^[#*\s]*(summary|key points?|answer)\s*(?::|$)\s*", re.IGNORECASE)


class LlmUnavailable(EngineUnavailable):
    """The LLM cannot answer now; ``reason`` says why, for the page's notice."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Written:
    """One sentence of a reply: its text without the brackets, and the numbers it cited."""

    text: str
    numbers: tuple[int, ...]
    part: str = "body"  # "body", "points" (after a KEY POINTS line) or "answer"


def parse_reply(reply: str) -> list[Written]:
    """The sentences of a model's reply with the source numbers each one cites.

    Citations may follow or precede the full stop, or open the line; a line of citations
    alone belongs to the sentence before it. Bullets and headings are stripped; a
    ``KEY POINTS`` heading starts the points and ``ANSWER:`` marks the answer line.
    """
    out: list[Written] = []
    part = "body"
    for raw in reply.splitlines():
        line = _BULLET.sub("", raw.replace("**", "")).strip()
        heading = _HEADING.match(line)
        if heading:
            name = heading.group(1).lower()
            part = "points" if name.startswith("key") else "answer" if name == "answer" else part
            line = line[heading.end() :]
        if not line:
            continue  # a heading alone: what follows is its part
        line_part = part
        if part == "answer":
            part = "body"  # the answer is one line
        line = _AFTER_END.sub(r"\2\1", line)
        for start, end in sentence_spans(line):
            piece = line[start:end]
            numbers = tuple(_numbers(piece))
            text = _CITE.sub("", piece)
            text = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text.split())).strip(" \"'")
            words = len(_words(text))
            if words == 0 and numbers and out:  # citations alone: the sentence before's
                last = out[-1]
                out[-1] = Written(last.text, last.numbers + numbers, last.part)
            if words < (1 if line_part == "answer" else 2):
                continue
            if text.endswith(":"):
                continue
            out.append(Written(text, numbers, line_part))
    return list({(w.text, w.part): w for w in out}.values())


def _numbers(text: str) -> list[int]:
    found: list[int] = []
    for group in _CITE.findall(text):
        for low, high in re.findall(r"(\d+)(?:\s*[–-]\s*(\d+))?", group):
            first, last = int(low), int(high or low)
            found.extend(range(first, min(last, first + 10) + 1) if last >= first else [first])
    return list(dict.fromkeys(found))


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


class LlmEngine:
    """The AI features through an OpenAI-compatible endpoint, grounded.

    ``nlp`` is the spaCy pipeline or a loader of it; ``cache`` (or the database it is
    made from) keeps replies and the daily token count. ``requests`` counts the HTTP
    requests this engine has sent.
    """

    name = "llm"

    def __init__(
        self,
        settings: Settings,
        cache: AnswerCache | Database,
        encoder: Encoder,
        nlp: Language | Callable[[], Language],
        *,
        max_source_chars: int = MAX_SOURCE_CHARS,
        backoff: float = _BACKOFF_SECONDS,
    ) -> None:
        self.settings = settings
        self.cache = cache if isinstance(cache, AnswerCache) else AnswerCache(cache)
        self.encoder = encoder
        self._nlp = nlp
        self.max_source_chars = max_source_chars
        self.backoff = backoff
        self.requests = 0

    @property
    def nlp(self) -> Language:
        from spacy.language import Language

        loaded = self._nlp
        if not isinstance(loaded, Language):
            loaded = self._nlp = loaded()
        return loaded

    def run(self, feature: str, material: Material, question: str | None = None) -> AiResult:
        """1. summary; 2. ask; 3. background (the storyline's earlier stories and the
        coverage); 4. perspectives (the coverage, outlet by outlet). A summary, background
        or perspectives of which no sentence passed the grounding check is unavailable."""
        if feature == "ask":
            return self.ask(check_question(question), material.articles)
        if feature == "summary":
            result = self.summary(material.articles, story=material.kind == "story")
        elif feature == "background":
            earlier = [_earlier_passage(e, i) for i, e in enumerate(material.earlier)]
            shown = [p for p in earlier if p is not None]
            shown += passages(material.story or material.articles)[: MAX_SOURCES - len(shown)]
            result = self.generate("background", BACKGROUND.format(n=3), _renumber(shown))
        elif feature == "perspectives":
            coverage = [a for a in material.story if int(a.article_id) not in material.carried]
            leads = _leads(coverage, self.max_source_chars)
            instruction = PERSPECTIVES.format(n=4)
            result = self.generate("perspectives", instruction, leads, by_outlet=True)
        else:
            raise ValueError(f"unknown AI feature {feature!r}; one of {', '.join(FEATURES)}")
        if not result.sentences:
            raise LlmUnavailable(
                f"none of the {len(result.dropped)} sentences it wrote passed the grounding check"
            )
        return result

    def summary(self, articles: Sequence[DigestArticle], story: bool) -> AiResult:
        """The summary and key points of an article, or of a story's articles: the first
        sentences the model wrote that pass the grounding check (perhaps none)."""
        shown = _leads(articles, self.max_source_chars) if story else self._fit(passages(articles))
        n, k = (4, 4) if story else (3, 3)
        task = (
            f"Summarise the {'story' if story else 'article'} in at most {n} sentences. Then "
            f"write the line KEY POINTS: and at most {k} key points, one per line."
        )
        written = self._written("summary", task, shown, max_tokens=360)
        body = [w for w in written if w.part != "points"][:MAX_WRITTEN]
        points = [w for w in written if w.part == "points"][:MAX_WRITTEN]
        kept, dropped = self._ground([*body, *points], shown)
        sentences = tuple(s for s, w in kept if w.part != "points")[:n]
        key_points = tuple(s for s, w in kept if w.part == "points")[:k]
        return AiResult("summary", sentences, "llm", key_points=key_points, dropped=tuple(dropped))

    def ask(self, question: str, articles: Sequence[DigestArticle]) -> AiResult:
        """A short answer and the sentences nearest the question that support it.

        The coverage "does not say" (``answer`` is ``None``) when the model says so, when
        no sentence it wrote passes the grounding check, or when its short answer names a
        number, date or name that the supporting sentences' sources do not.
        """
        shown = self._relevant(question, passages(articles))
        task = (
            f"Question: {question}\nWrite the line ANSWER: and a short answer, or ANSWER: "
            "NOT SAID when the sources do not say. Then write at most 2 sentences that "
            "support the answer."
        )
        written = self._written("ask", task, shown, max_tokens=220)
        line = next((w for w in written if w.part == "answer"), None)
        first = line or (written[0] if written else None)
        if first is None or _NOT_SAID.search(first.text):
            return _does_not_say(question)
        support = [w for w in written if w.part != "answer"][:MAX_WRITTEN]
        kept, dropped = self._ground(support, shown)
        if not kept:
            return _does_not_say(question, dropped)
        vectors = self.encoder.encode([question, *(s.text for s, _ in kept)])
        nearest = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")[:MAX_SUPPORT]
        sentences = tuple(kept[int(i)][0] for i in nearest)
        if line is None:
            answer = sentences[0].text
        else:
            cited = [c for s in sentences for c in s.citations]
            cited += [shown[n - 1].citation() for n in line.numbers if 0 < n <= len(shown)]
            texts = [_text_of(c, shown) for c in dict.fromkeys(cited)]
            facts = check_sentences([(line.text, texts)], self.encoder, self.nlp, min_similarity=-1)
            if not facts[0].supported:
                dropped.append(f"{line.text!r}: {'; '.join(facts[0].reasons)}")
                return _does_not_say(question, dropped)
            answer = line.text
        return AiResult(
            "ask", sentences, "llm", answer=answer, question=question, dropped=tuple(dropped)
        )

    def generate(
        self, feature: str, instruction: str, shown: Sequence[Passage], *, by_outlet: bool = False
    ) -> AiResult:
        """Any feature from an instruction and the passages it may cite, grounded (perhaps
        to nothing); with ``by_outlet`` the prompt shows each source's outlet and the
        sentences are grouped into one section per outlet they cite first."""
        shown = self._fit(shown)
        task = instruction
        written = self._written(feature, task, shown, max_tokens=300, outlets=by_outlet)
        kept, dropped = self._ground(written[:MAX_WRITTEN], shown, outlets=by_outlet)
        sentences = tuple(s for s, _ in kept)
        sections: tuple[Section, ...] = ()
        if by_outlet:
            outlet = {p.citation(): p.outlet for p in shown}
            titles = list(dict.fromkeys(outlet[s.citations[0]] for s in sentences))
            sections = tuple(
                Section(t, tuple(s for s in sentences if outlet[s.citations[0]] == t))
                for t in titles
            )
        return AiResult(feature, sentences, "llm", sections=sections, dropped=tuple(dropped))

    def _written(
        self,
        feature: str,
        task: str,
        shown: Sequence[Passage],
        *,
        max_tokens: int,
        outlets: bool = False,
    ) -> list[Written]:
        """1. The prompt; 2. the cached reply, or the endpoint's (budget permitting);
        3. its sentences, parsed."""
        if not shown:
            raise LlmUnavailable("there is no source text to show the model")
        # The number after each source: a model that copies a source copies its number.
        sources = "\n".join(
            (f"({p.outlet}) " if outlets else "") + f"{p.text} [{n}]"
            for n, p in enumerate(shown, 1)
        )
        user = f"Sources:\n{sources}\n\n{task}"
        messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": user}]
        key = cache_key(
            feature, "llm", self.settings.llm_model, str(AI_VERSION), str(max_tokens), SYSTEM, user
        )
        cached = self.cache.get(key)
        if cached is None:
            cached = {"text": self._complete(messages, max_tokens)}
            self.cache.put(key, cached)
        return parse_reply(str(cached["text"]))

    def _complete(self, messages: list[dict[str, str]], max_tokens: int) -> str:
        """The endpoint's reply, with retries and backoff; its tokens are counted."""
        settings = self.settings
        if not settings.llm_url:
            raise LlmUnavailable("no LLM endpoint is set (STORYLINE_LLM_URL)")
        budget = settings.llm_daily_tokens
        if budget > 0 and self.cache.tokens_today() >= budget:
            raise LlmUnavailable("over the daily token budget")
        headers = (
            {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
        )
        body = {
            "model": settings.llm_model,
            "messages": messages,
            "temperature": 0,
            "max_tokens": max_tokens,
        }
        url = settings.llm_url.rstrip("/") + "/chat/completions"
        reason = ""
        with httpx.Client(timeout=settings.llm_timeout, headers=headers) as client:
            for attempt in range(max(0, settings.llm_retries) + 1):
                if attempt:
                    time.sleep(min(self.backoff * 2 ** (attempt - 1), 8.0))
                self.requests += 1
                try:
                    response = client.post(url, json=body)
                except httpx.TimeoutException:
                    reason = f"no answer within {settings.llm_timeout:g} s"
                    continue
                except httpx.HTTPError as exc:
                    reason = f"the endpoint is unreachable ({type(exc).__name__})"
                    continue
                if response.status_code == 429 or response.status_code >= 500:
                    reason = f"the endpoint answered HTTP {response.status_code}"
                    continue
                if response.status_code >= 400:
                    raise LlmUnavailable(f"the endpoint answered HTTP {response.status_code}")
                text, tokens = _completion(response, messages)
                self.cache.add_tokens(tokens)
                return text
        raise LlmUnavailable(reason)

    def _ground(
        self, written: Sequence[Written], shown: Sequence[Passage], *, outlets: bool = False
    ) -> tuple[list[tuple[CitedSentence, Written]], list[str]]:
        """The sentences that pass the grounding check, each with what was parsed."""
        generated = [
            (w.text, tuple(shown[n - 1].citation() for n in w.numbers if 0 < n <= len(shown)))
            for w in written
        ]
        sources: Sequence[Passage] = shown
        if outlets:  # an outlet's name is in the prompt beside its sentences
            sources = [_with_outlet(p) for p in shown]
        kept, dropped = ground(generated, sources, self.encoder, self.nlp)
        pairs: list[tuple[CitedSentence, Written]] = []
        for w in written:  # the kept sentences are in the order they were written
            if len(pairs) < len(kept) and kept[len(pairs)].text == w.text:
                pairs.append((kept[len(pairs)], w))
        return pairs, dropped

    def _fit(self, shown: Sequence[Passage]) -> list[Passage]:
        """The passages in order, up to :data:`MAX_SOURCES` and the character budget."""
        out: list[Passage] = []
        used = 0
        for passage in shown:
            if len(out) == MAX_SOURCES or used + len(passage.text) > self.max_source_chars:
                break
            out.append(passage)
            used += len(passage.text)
        return _renumber(out)

    def _relevant(self, question: str, candidates: Sequence[Passage]) -> list[Passage]:
        """The passages closest to the question that fit, in their own order."""
        if not candidates:
            return []
        vectors = self.encoder.encode([question, *(p.text for p in candidates)])
        order = np.argsort(-(vectors[1:] @ vectors[0]), kind="stable")
        chosen = self._fit([candidates[int(i)] for i in order][: MAX_SOURCES // 2])
        keep = {(p.article_id, p.start) for p in chosen}
        return _renumber([p for p in candidates if (p.article_id, p.start) in keep])


def _does_not_say(question: str, dropped: Sequence[str] = ()) -> AiResult:
    """The answer when the coverage, as far as the model's grounded sentences go, does not
    say: the same shape as the offline engine's."""
    return AiResult(
        "ask",
        (CitedSentence(DOES_NOT_SAY, ()),),
        "llm",
        question=question,
        dropped=tuple(dropped),
    )


def _completion(response: httpx.Response, messages: list[dict[str, str]]) -> tuple[str, int]:
    """The reply's text and its tokens (its ``usage``, else about four characters each)."""
    try:
        data: Any = response.json()
        text = data["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise LlmUnavailable("the endpoint's reply was not a chat completion") from exc
    if not isinstance(text, str):
        raise LlmUnavailable("the endpoint's reply was not a chat completion")
    usage = data.get("usage") if isinstance(data, dict) else None
    tokens = usage.get("total_tokens") if isinstance(usage, dict) else None
    if not isinstance(tokens, int):
        tokens = (sum(len(m["content"]) for m in messages) + len(text)) // 4 + 1
    return text, tokens


def _renumber(shown: Sequence[Passage]) -> list[Passage]:
    return [_replace_index(p, i) for i, p in enumerate(shown)]


def _replace_index(passage: Passage, index: int) -> Passage:
    return passage if passage.index == index else replace(passage, index=index)


def _leads(articles: Sequence[DigestArticle], budget: int) -> list[Passage]:
    """The articles' sentences, leads first (every first sentence, then every second...),
    up to ``budget`` characters, shown article by article."""
    each = [passages([a]) for a in articles]
    order = sorted(
        ((p.position, n, p) for n, ps in enumerate(each) for p in ps), key=lambda t: t[:2]
    )
    out: list[Passage] = []
    for _, _, passage in order[:MAX_SOURCES]:
        if len(passage.text) > budget:
            break
        out.append(passage)
        budget -= len(passage.text)
    out.sort(key=lambda p: ([int(a.article_id) for a in articles].index(p.article_id), p.start))
    return _renumber(out)


def _earlier_passage(earlier: EarlierStory, index: int) -> Passage | None:
    """An earlier story's gist sentence, as a passage the model may cite."""
    if earlier.gist is None or earlier.article_id is None:
        return None
    if earlier.start is None or earlier.end is None:
        return None
    return Passage(
        earlier.article_id,
        earlier.start,
        earlier.end,
        earlier.gist,
        "",
        earlier.first_at,
        0,
        0,
        index,
    )


def _with_outlet(passage: Passage) -> Passage:
    return replace(passage, text=f"{passage.outlet}: {passage.text}")


def _text_of(citation: Citation, shown: Sequence[Passage]) -> str:
    return next(p.text for p in shown if p.citation() == citation)
