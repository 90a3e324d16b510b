"""Automatic pre-moderation: which comments wait for a moderator, and why, in plain words.

A held comment is not refused: it waits until a moderator shows or hides it, and its
author sees the same sentences the moderator does. :meth:`Automod.check` runs the rules
in force (``STORYLINE_AUTOMOD``, comma-separated; ``none`` switches them all off):

1. ``new_account``: an account younger than ``STORYLINE_AUTOMOD_NEW_ACCOUNT_HOURS`` may
   post one comment with a link, and 3 comments an hour.
2. ``links``: more than 3 links, or a link through a URL shortener, which hides where it
   leads.
3. ``repetition``: the same or nearly the same comment as one of the author's recent
   ones (word 3-shingles, Jaccard >= 0.8), one character or word over and over, or
   mostly capital letters.
4. ``words``: a phrase from a word list (whole words; case, accents, punctuation inside
   a word and letter-for-digit swaps ignored). The built-in list,
   ``data/held-words.txt``, is short on purpose: threats and slurs with no innocent use.
5. ``classifier``: offline scores. Abuse is alt-profanity-check's linear SVM, trained on
   human-labelled offensive text; spam is a transparent points score
   (:func:`spam_signals`). Thresholds were chosen on invented comments in
   ``tests/fixtures/readers/automod-comments.jsonl``: no civil-but-critical comment there
   is held.
6. ``llm``: the LLM endpoint asked too (:func:`llm_moderation`), only when the offline
   rules held nothing; an endpoint that fails never holds a comment.

Honest disagreement, however blunt, is not what these rules are for; each reason says
so when it could be misread.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import httpx
import numpy as np

from storyline.readers.markdown import comment_links, comment_text
from storyline.settings import SettingsError

if TYPE_CHECKING:
    from storyline.settings import Settings
    from storyline.store.ai_cache import AnswerCache

log = logging.getLogger(__name__)

RULES = ("new_account", "links", "repetition", "words", "classifier", "llm")
BUILT_IN_WORDS = Path(__file__).resolve().parent / "data" / "held-words.txt"
SHORTENERS = frozenset(
    {"bit.ly", "tinyurl.com", "t.co", "goo.gl", "ow.ly", "is.gd", "buff.ly", "cutt.ly"}
    | {"rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "bl.ink", "s.id", "v.gd"}
    | {"qr.ae", "lnkd.in", "shorte.st", "adf.ly"}
)
NEW_ACCOUNT_LINKS = 1
NEW_ACCOUNT_HOURLY = 3
MAX_LINKS = 3
NEAR_DUPLICATE = 0.8  # Jaccard similarity of word 3-shingles
ABUSE_THRESHOLD = 0.92
SPAM_THRESHOLD = 5
_LATER = "A moderator will look at it soon."
_HELD = "so it was held for a moderator"

# What one character or word over and over, and shouting, look like.
_MIN_CHARACTERS = 8
_ONE_CHARACTER_SHARE = 0.8
_MIN_WORDS = 5
_ONE_WORD_SHARE = 0.6
_MIN_CAPITALS = 30
_CAPITALS_SHARE = 0.7

# A shortened address written without its scheme: "bit.ly/3kX9".
_SHORTENED = re.compile(
    rf"(?<![\w.@])({'|'.join(re.escape(host) for host in sorted(SHORTENERS))})/\w", re.IGNORECASE
)
_PUNCTUATION = re.compile(r"[^\w\s]+")
# Digits and signs written for letters; "1" is read both as "i" and as "l".
_LEET = (str.maketrans("013457@$", "oieastas"), str.maketrans("013457@$", "oleastas"))
_JOINED_IN_WORDS = re.compile(r"['’`]")
_SPLITS_WORDS = re.compile(r"[^\w]+|_")


@dataclass(frozen=True)
class Author:
    """What the rules need to know about who posts a comment, counted before it.

    ``links_posted_recently`` is how many of their comments with a link were posted in
    the last ``automod_new_account_hours``; ``comments_last_hour`` how many comments
    they posted in the last hour; ``recent_bodies`` their last ~20 bodies, newest first.
    ``created_at`` and the ``now`` given to :meth:`Automod.check` are timezone-aware.
    """

    user_id: int
    created_at: datetime
    links_posted_recently: int
    comments_last_hour: int
    recent_bodies: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    """Whether to hold a comment, the sentences that say why and the rules that fired."""

    hold: bool
    reasons: tuple[str, ...]
    rules: tuple[str, ...]


class ModerationLlm(Protocol):
    """Asked about a comment's plain text: ``(hold, reason)``; any exception means it
    could not say, and the comment is judged without it."""

    def __call__(self, text: str) -> tuple[bool, str]: ...


@dataclass(frozen=True)
class _Comment:
    """A comment as the rules read it, worked out once."""

    body: str
    text: str
    links: tuple[str, ...]


class Automod:
    """The rules in force for one process; :meth:`check` judges one comment.

    ``llm`` is used only when ``STORYLINE_AUTOMOD`` names ``llm``. The word list is read
    when the object is made; the abuse model is loaded on the first check that needs it
    (or by :meth:`warm_up`).
    """

    def __init__(self, settings: Settings, *, llm: ModerationLlm | None = None) -> None:
        named = _named_rules(settings.automod)
        self._llm = llm if "llm" in named else None
        self._rules = named - ({"llm"} if self._llm is None else set())
        self._window = timedelta(hours=settings.automod_new_account_hours)
        words = settings.automod_words or BUILT_IN_WORDS
        self._words = _word_matcher(_read_words(words)) if "words" in self._rules else None

    def warm_up(self) -> None:
        """Load the abuse model now, if the classifier runs: a server calls this before it
        takes requests, since the first load holds the interpreter for a second or two."""
        if "classifier" in self._rules:
            abuse_probability("")

    @property
    def enabled_rules(self) -> frozenset[str]:
        """The rules that run (``llm`` only when a model was given)."""
        return self._rules

    def check(self, body: str, author: Author, now: datetime) -> Verdict:
        """1. The offline rules in :data:`RULES` order, each adding its reasons; 2. the
        LLM, only if none of them held the comment."""
        comment = _Comment(body, comment_text(body), comment_links(body))
        checks: dict[str, Callable[[], list[str]]] = {
            "new_account": lambda: self._new_account(comment, author, now),
            "links": lambda: _link_reasons(comment),
            "repetition": lambda: _repetition_reasons(comment, author.recent_bodies),
            "words": lambda: self._word_reasons(comment.text),
            "classifier": lambda: _classifier_reasons(comment),
        }
        held = [
            (rule, found)
            for rule, run in checks.items()
            if rule in self._rules and (found := run())
        ]
        if not held and self._llm is not None:
            said = _llm_reasons(self._llm, comment.text)
            held += [("llm", said)] if said else []
        reasons = tuple(reason for _, said in held for reason in said)
        return Verdict(bool(reasons), reasons, tuple(rule for rule, _ in held))

    def _new_account(self, comment: _Comment, author: Author, now: datetime) -> list[str]:
        if now - author.created_at >= self._window:
            return []
        hours = round(self._window.total_seconds() / 3600)
        new = f"New accounts (under {hours} hour{'s' if hours != 1 else ''} old)"
        reasons = []
        if comment.links and author.links_posted_recently >= NEW_ACCOUNT_LINKS:
            reasons.append(
                f"{new} may post one comment with a link; this one has a link, {_HELD}. {_LATER}"
            )
        if author.comments_last_hour >= NEW_ACCOUNT_HOURLY:
            reasons.append(
                f"{new} may post {NEW_ACCOUNT_HOURLY} "
                f"comments an hour; this is one more, {_HELD}. {_LATER}"
            )
        return reasons

    def _word_reasons(self, text: str) -> list[str]:
        phrase = self._words(text) if self._words is not None else None
        if phrase is None:
            return []
        return [
            f'This comment contains "{phrase}", which is on this site\'s list of threats '
            f"and slurs, {_HELD}. {_LATER}"
        ]


def _named_rules(value: str) -> frozenset[str]:
    """The rules ``STORYLINE_AUTOMOD`` names; an unknown name is an error, not ignored."""
    names = {name.strip().lower() for name in value.split(",") if name.strip()}
    if names <= {"none"}:
        return frozenset()
    unknown = names - set(RULES)
    if unknown:
        raise SettingsError(
            f"STORYLINE_AUTOMOD names unknown rules ({', '.join(sorted(unknown))}); "
            f"known: {', '.join(RULES)}, or none"
        )
    return frozenset(names)


# Rule 2: links


def _link_reasons(comment: _Comment) -> list[str]:
    links = comment.links
    reasons = []
    if len(links) > MAX_LINKS:
        reasons.append(
            f"Comments with more than {MAX_LINKS} links are held for a moderator, as most are "
            f"advertising; this one has {len(links)}. {_LATER}"
        )
    written = {m.group(1).casefold() for m in _SHORTENED.finditer(comment.text)}
    shortened = sorted({h for h in map(_host, links) if _is_shortener(h)} | written)
    if shortened:
        reasons.append(
            f"This comment links through a URL shortener ({', '.join(shortened)}), which "
            f"hides where the link leads, {_HELD}. {_LATER} Next time, link to the page itself."
        )
    return reasons


def _host(url: str) -> str:
    candidate = url if "://" in url or url.startswith("mailto:") else f"http://{url}"
    try:
        return (urlsplit(candidate).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def _is_shortener(host: str) -> bool:
    return any(host == s or host.endswith(f".{s}") for s in SHORTENERS)


# Rule 3: repetition


def _repetition_reasons(comment: _Comment, recent: Iterable[str]) -> list[str]:
    words = _plain_words(comment.body)
    reasons = []
    if words:
        shingles = _shingles(words)
        for earlier in recent:
            other = _plain_words(earlier)
            if other == words:
                reasons.append(f"This comment repeats one you posted recently, {_HELD}. {_LATER}")
                break
            if shingles and _jaccard(shingles, _shingles(other)) >= NEAR_DUPLICATE:
                reasons.append(
                    f"This comment is nearly the same as one you posted recently, {_HELD}. {_LATER}"
                )
                break
    characters = [c for c in comment.text if not c.isspace()]
    if len(characters) >= _MIN_CHARACTERS and _top_share(characters) >= _ONE_CHARACTER_SHARE:
        reasons.append(f"This comment is mostly one character over and over, {_HELD}. {_LATER}")
    elif len(words) >= _MIN_WORDS and _top_share(words) >= _ONE_WORD_SHARE:
        reasons.append(f"This comment is mostly one word over and over, {_HELD}. {_LATER}")
    if _shouts(comment.text, _MIN_CAPITALS, _CAPITALS_SHARE):
        reasons.append(
            f"This comment is written mostly in capital letters, which reads as shouting, "
            f"{_HELD}. {_LATER}"
        )
    return reasons


def _plain_words(text: str) -> list[str]:
    """Case folded, punctuation removed, split on blanks."""
    return _PUNCTUATION.sub("", text.casefold()).split()


def _shingles(words: list[str]) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def _jaccard(a: set[tuple[str, ...]], b: set[tuple[str, ...]]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def _top_share(items: list[str]) -> float:
    return Counter(items).most_common(1)[0][1] / len(items)


def _shouts(text: str, minimum: int, share: float) -> bool:
    """At least ``minimum`` cased letters, at least ``share`` of them capitals."""
    upper = sum(c.isupper() for c in text)
    cased = upper + sum(c.islower() for c in text)
    return cased >= minimum and upper >= share * cased


# Rule 4: words


def _read_words(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise SettingsError(f"STORYLINE_AUTOMOD_WORDS: cannot read {path} ({exc})") from exc
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def _word_matcher(phrases: list[str]) -> Callable[[str], str | None]:
    """A function giving the first listed phrase a text contains (as the list writes it)."""
    keys: dict[str, str] = {}
    for phrase in phrases:
        for key in _word_forms(phrase):
            keys.setdefault(key, phrase)
    if not keys:
        return lambda text: None
    alternatives = "|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True))
    pattern = re.compile(rf"(?<!\S)(?:{alternatives})(?!\S)")

    def first_phrase(text: str) -> str | None:
        for form in _word_forms(text):
            found = pattern.search(form)
            if found:
                return keys[found.group()]
        return None

    return first_phrase


def _word_forms(text: str) -> list[str]:
    """The text's words, normalised, once for each reading of "1" ("i" and "l").

    Accents and case go; a word with a letter has its digits and signs read as letters
    ("1d10t"), apostrophes dropped ("i'll" -> "ill") and its other punctuation read as a
    word break ("i.will.find.you"), unless it only separates single letters ("i.d.i.o.t");
    three or more single letters in a row are one word ("k i l l").
    """
    folded = unicodedata.normalize("NFKD", text.casefold())
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    forms = []
    for leet in _LEET:
        words: list[str] = []
        for chunk in folded.split():
            if any(c.isalpha() for c in chunk):
                chunk = chunk.translate(leet)
            pieces = [p for p in _SPLITS_WORDS.split(_JOINED_IN_WORDS.sub("", chunk)) if p]
            if len(pieces) > 1 and all(len(p) == 1 for p in pieces):
                pieces = ["".join(pieces)]
            words += pieces
        forms.append(" ".join(_join_spelled(words)))
    return list(dict.fromkeys(forms))


def _join_spelled(words: list[str]) -> list[str]:
    """Runs of three or more one-letter words joined: "k i l l you" -> "kill you"."""
    out: list[str] = []
    run: list[str] = []
    for word in [*words, ""]:
        if len(word) == 1:
            run.append(word)
            continue
        out += ["".join(run)] if len(run) >= 3 else run
        run = []
        if word:
            out.append(word)
    return out


# Rule 5: classifier


def _classifier_reasons(comment: _Comment) -> list[str]:
    reasons = []
    probability = abuse_probability(comment.text)
    if probability >= ABUSE_THRESHOLD:
        reasons.append(
            f"An automatic check rated this comment likely to be abusive ({probability:.0%}), "
            f"{_HELD}. Criticism is welcome here; insults are not. {_LATER}"
        )
    signals = spam_signals(comment.text, comment.links)
    if "promotional wording" in signals and sum(signals.values()) >= SPAM_THRESHOLD:
        reasons.append(
            f"This comment reads like advertising ({', '.join(signals)}), {_HELD}. {_LATER}"
        )
    return reasons


_PROMOTION = re.compile(
    r"(?<!\w)(?:"
    + "|".join(
        [
            r"earn \$?\d",
            r"make money",
            r"work(?:ing)? from home",
            r"click (?:here|the link)",
            r"sign up (?:now|today|here)",
            r"limited(?:[- ]time)? offer",
            r"(?:promo|discount|coupon) code",
            r"free shipping",
            r"100 ?% (?:free|guaranteed|profit)",
            r"guaranteed (?:profit|returns?|income)",
            r"crypto (?:signals?|trading tips)",
            r"(?:online )?casino bonus",
            r"first deposit",
            r"no credit check",
            r"instant approval",
            r"buy (?:cheap |real )?(?:followers|likes|views)",
            r"dm me",
            r"(?:whats ?app|telegram) (?:me|us|\+?\d)",
            r"(?:call|order|buy) now",
            r"(?:this|one) simple trick",
            r"\$ ?\d[\d,.]* (?:a|per|last|this|every) (?:day|week|month)",
            r"visit my (?:site|website|profile|page)",
            r"cheap (?:watches|bags|pills|meds|loans?)",
            r"viagra|cialis",
            r"seo services",
        ]
    )
    + r")",
    re.IGNORECASE,
)
_PHONE = re.compile(r"(?<![\w+])\+?\d(?:[ .-]?\d){8,13}(?!\w)")
# The local part is bounded (RFC 5321 allows 64): unbounded, a long run of "1-" is
# rescanned from every word boundary, quadratic in the comment's length.
_EMAIL = re.compile(r"\b[\w.+-]{1,64}@[\w-]+(?:\.[\w-]+)+\b")


def spam_signals(text: str, links: tuple[str, ...]) -> dict[str, int]:
    """The spam score's points, by what earned them: 2 for each different promotional
    phrase, 1 for each link up to 3, 2 for a phone number, 2 for an e-mail address, 1 for
    shouting (mostly capitals over 15 letters, or "!!!").

    A comment with promotional wording is held at :data:`SPAM_THRESHOLD` points; contact
    details and links alone are how readers point each other to a council office.
    """
    points: dict[str, int] = {}
    phrases = {m.group().casefold() for m in _PROMOTION.finditer(text)}
    if phrases:
        points["promotional wording"] = 2 * len(phrases)
    web = [link for link in links if not link.startswith("mailto:")]
    if web:
        points[f"{len(web)} link{'s' if len(web) > 1 else ''}"] = min(len(web), 3)
    if _PHONE.search(text):
        points["a phone number"] = 2
    if _EMAIL.search(text) or len(web) < len(links):
        points["an e-mail address"] = 2
    if "!!!" in text or _shouts(text, 15, 0.5):
        points["shouting"] = 1
    return points


@dataclass(frozen=True)
class _AbuseModel:
    """alt-profanity-check's model, scored without scikit-learn's per-call checks.

    The package's ``predict_prob`` averages five calibrated copies of a linear SVM over
    TF-IDF features; each is a sigmoid of a dot product, so the same sum in numpy gives
    the same probability in a tenth of the time (a test pins the two together).
    """

    vectorizer: Any
    weights: Any  # features x copies
    intercepts: Any
    slopes: Any
    offsets: Any

    def probability(self, text: str) -> float:
        decision = self.vectorizer.transform([text]) @ self.weights + self.intercepts
        return float((1.0 / (1.0 + np.exp(self.slopes * decision + self.offsets))).mean())


_ABUSE: list[_AbuseModel] = []
_LOADING = threading.Lock()


def abuse_probability(text: str) -> float:
    """How likely ``text`` is offensive (0 to 1), by alt-profanity-check's model.

    The model is loaded on the first call in a process (about a second: it imports
    scikit-learn) and kept.
    """
    with _LOADING:
        if not _ABUSE:
            _ABUSE.append(_load_abuse_model())
    return _ABUSE[0].probability(text)


def _load_abuse_model() -> _AbuseModel:
    from profanity_check import profanity_check

    copies = profanity_check.model.calibrated_classifiers_
    return _AbuseModel(
        vectorizer=profanity_check.vectorizer,
        weights=np.column_stack([c.estimator.coef_.ravel() for c in copies]),
        intercepts=np.array([c.estimator.intercept_[0] for c in copies]),
        slopes=np.array([c.calibrators[0].a_ for c in copies]),
        offsets=np.array([c.calibrators[0].b_ for c in copies]),
    )


# Rule 6: llm


def _llm_reasons(llm: ModerationLlm, text: str) -> list[str]:
    try:
        hold, reason = llm(text)
    except Exception as exc:  # an endpoint that is down must not hold comments
        log.warning("the llm pre-moderation rule was skipped: %s", exc)
        return []
    if not hold:
        return []
    said = " ".join(str(reason).split())[:200].rstrip(".") or "it gave no reason"
    return [f"The language model that screens comments held this one: {said}. {_LATER}"]


MODERATION_PROMPT = (
    "You moderate reader comments on a news site. Hold a comment if it threatens or "
    "harasses a person, attacks a group for who they are, or is advertising. Allow "
    "everything else, including blunt criticism of people in public life, institutions, "
    "articles and ideas. Reply with one line: ALLOW, or HOLD: and a short reason."
)
_LLM_MAX_SECONDS = 10.0  # a reader is waiting for their comment to be posted
_LLM_MAX_TOKENS = 40  # "HOLD: " and a short reason
_REPLY = re.compile(r"^\W*(allow|hold)\b\W*(.*)$", re.IGNORECASE)


class LlmModerationError(RuntimeError):
    """The LLM could not judge a comment; the rule is skipped."""


class LlmModeration:
    """A :class:`ModerationLlm` through the OpenAI-compatible endpoint ``STORYLINE_LLM_URL``.

    One request, no retries, waiting ``STORYLINE_LLM_TIMEOUT`` but at most ``max_seconds``;
    with a ``cache`` its tokens count against ``STORYLINE_LLM_DAILY_TOKENS``, the AI
    features' budget.
    """

    def __init__(
        self,
        settings: Settings,
        cache: AnswerCache | None = None,
        *,
        max_seconds: float = _LLM_MAX_SECONDS,
    ) -> None:
        self.settings = settings
        self.cache = cache
        self.max_seconds = max_seconds

    def __call__(self, text: str) -> tuple[bool, str]:
        settings = self.settings
        budget = settings.llm_daily_tokens
        if self.cache is not None and budget > 0 and self.cache.tokens_today() >= budget:
            raise LlmModerationError("over the daily token budget")
        messages = [
            {"role": "system", "content": MODERATION_PROMPT},
            {"role": "user", "content": f"Comment:\n{text}"},
        ]
        key = settings.llm_api_key
        response = httpx.post(
            settings.llm_url.rstrip("/") + "/chat/completions",
            json={
                "model": settings.llm_model,
                "messages": messages,
                "temperature": 0,
                "max_tokens": _LLM_MAX_TOKENS,
            },
            headers={"Authorization": f"Bearer {key}"} if key else {},
            timeout=min(settings.llm_timeout, self.max_seconds),
        )
        response.raise_for_status()
        data = response.json()
        reply = str(data["choices"][0]["message"]["content"])
        if self.cache is not None:
            tokens = (data.get("usage") or {}).get("total_tokens")
            if not isinstance(tokens, int):  # about four characters a token
                tokens = (sum(len(m["content"]) for m in messages) + len(reply)) // 4 + 1
            self.cache.add_tokens(tokens)
        return parse_moderation_reply(reply)


def parse_moderation_reply(reply: str) -> tuple[bool, str]:
    """``(hold, reason)`` from a reply's first line, ``ALLOW`` or ``HOLD: reason``."""
    first = next((line for line in reply.replace("*", "").splitlines() if line.strip()), "")
    found = _REPLY.match(first.strip())
    if found is None:
        raise LlmModerationError(f"the reply was neither ALLOW nor HOLD: {first[:80]!r}")
    return found.group(1).lower() == "hold", found.group(2).strip()


def llm_moderation(settings: Settings, cache: AnswerCache | None = None) -> LlmModeration | None:
    """The LLM rule's model when ``STORYLINE_AUTOMOD`` names ``llm`` and an endpoint is
    set (``STORYLINE_LLM_URL``); else None."""
    if "llm" not in _named_rules(settings.automod) or not settings.llm_url:
        return None
    return LlmModeration(settings, cache)
