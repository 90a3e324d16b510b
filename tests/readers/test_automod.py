"""Pre-moderation: each rule holds what it is for and lets civil disagreement through,
each can be switched off, and the classifier's thresholds hold on invented comments."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from storyline.readers.automod import (
    ABUSE_THRESHOLD,
    RULES,
    Author,
    Automod,
    LlmModeration,
    LlmModerationError,
    Verdict,
    abuse_probability,
    llm_moderation,
    parse_moderation_reply,
    spam_signals,
)
from storyline.readers.markdown import comment_links, comment_text
from storyline.settings import Settings, SettingsError
from storyline.store import Database
from storyline.store.ai_cache import AnswerCache
from tests.conftest import FIXTURES
from tests.support.llm_server import MODEL_ALIAS, ChatStub, served_chat_stub, served_llm

NOW = datetime(2025, 6, 8, 15, tzinfo=UTC)
CIVIL = "This is wrong and the minister's figures are misleading."
LONG = (
    "The harbour board approved the dredging contract on Tuesday without publishing the "
    "environmental survey, and the three councillors who asked for it were told to wait "
    "until after the tender closed."
)
# One comment that fires one rule and nothing else, for each offline rule.
ONLY = {
    "new_account": "Here is the ferry timetable: https://ferries.example/talloway",
    "links": "The detour is explained at https://bit.ly/3kX9talloway if you need it.",
    "repetition": LONG,
    "words": "Kill yourself.",
    "classifier": "You are a complete idiot and should shut up.",
}


def author(
    *,
    age: timedelta = timedelta(days=30),
    links: int = 0,
    last_hour: int = 0,
    recent: tuple[str, ...] = (),
) -> Author:
    return Author(7, NOW - age, links, last_hour, recent)


NEWCOMER = author(age=timedelta(hours=2), links=1)
# The author that, with the ONLY comments, makes each fire: new and with a link already.
POSTER = author(age=timedelta(hours=2), links=1, recent=(LONG.upper(),))


def automod(settings: Settings, rules: str | None = None, **overrides: object) -> Automod:
    return Automod(
        replace(settings, automod=settings.automod if rules is None else rules, **overrides)
    )


def held(verdict: Verdict) -> set[str]:
    assert verdict.hold == bool(verdict.rules) == bool(verdict.reasons)
    return set(verdict.rules)


def test_civil_disagreement_is_not_held(settings: Settings) -> None:
    mod = automod(settings)
    for body in (
        CIVIL,
        "I strongly disagree. This is a bad law, badly written, and it will be struck down.",
        "The minister misled parliament and should resign. Read the audit: "
        "https://audit.example/report-2025",
    ):
        assert mod.check(body, author(), NOW) == Verdict(False, (), ())


# new_account


def test_a_new_account_may_post_one_comment_with_a_link(settings: Settings) -> None:
    mod = automod(settings, "new_account")
    with_link = ONLY["new_account"]
    first = author(age=timedelta(hours=2), links=0)
    assert not mod.check(with_link, first, NOW).hold
    verdict = mod.check(with_link, NEWCOMER, NOW)
    assert held(verdict) == {"new_account"}
    assert verdict.reasons == (
        "New accounts (under 24 hours old) may post one comment with a link; this one has a "
        "link, so it was held for a moderator. A moderator will look at it soon.",
    )
    assert not mod.check(CIVIL, NEWCOMER, NOW).hold  # no link
    assert not mod.check(with_link, author(links=5), NOW).hold  # not new


def test_a_new_account_may_post_three_comments_an_hour(settings: Settings) -> None:
    mod = automod(settings, "new_account")
    newcomer = author(age=timedelta(hours=2), last_hour=2)
    assert not mod.check(CIVIL, newcomer, NOW).hold
    verdict = mod.check(CIVIL, replace(newcomer, comments_last_hour=3), NOW)
    assert held(verdict) == {"new_account"}
    assert "may post 3 comments an hour" in verdict.reasons[0]
    assert not mod.check(CIVIL, author(last_hour=20), NOW).hold


def test_how_long_an_account_is_new_is_a_setting(settings: Settings) -> None:
    mod = automod(settings, "new_account", automod_new_account_hours=1)
    assert not mod.check(ONLY["new_account"], NEWCOMER, NOW).hold
    verdict = mod.check(ONLY["new_account"], replace(NEWCOMER, created_at=NOW), NOW)
    assert verdict.reasons[0].startswith("New accounts (under 1 hour old) may post")


# links


def test_more_than_three_links_are_held(settings: Settings) -> None:
    mod = automod(settings, "links")
    three = "Sources: https://a.example/1 [two](https://b.example/2) <https://c.example/3>"
    assert not mod.check(three, author(), NOW).hold
    verdict = mod.check(three + " and www.d.example/4", author(), NOW)
    assert held(verdict) == {"links"}
    assert "more than 3 links" in verdict.reasons[0] and "this one has 4" in verdict.reasons[0]
    # The same address twice is one link.
    assert not mod.check(three + " https://a.example/1", author(), NOW).hold


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("The detour: https://bit.ly/3kX9talloway", "bit.ly"),
        ("[the detour](https://TinyURL.com/talloway-detour)", "tinyurl.com"),
        ("The detour: www.cutt.ly/talloway", "cutt.ly"),
        ("The detour is at bit.ly/3kX9talloway (no scheme).", "bit.ly"),
    ],
)
def test_a_link_through_a_shortener_is_held(settings: Settings, body: str, named: str) -> None:
    verdict = automod(settings, "links").check(body, author(), NOW)
    assert held(verdict) == {"links"}
    assert f"URL shortener ({named})" in verdict.reasons[0]
    assert verdict.reasons[0].endswith("Next time, link to the page itself.")


def test_links_to_pages_and_lookalike_hosts_are_not_shortened(settings: Settings) -> None:
    mod = automod(settings, "links")
    for body in (
        "https://news.example/harbour",
        "https://rabbit.ly/x and https://bitly.example/y",
        "Write to desk@bit.ly.example about it.",
    ):
        assert not mod.check(body, author(), NOW).hold, body


# repetition


def test_the_same_comment_again_is_held(settings: Settings) -> None:
    mod = automod(settings, "repetition")
    again = "  the HARBOUR board approved the dredging contract on tuesday, without publishing "
    again += "the environmental survey; and the three councillors who asked for it were told "
    again += "to wait until after the tender closed!!"
    verdict = mod.check(again, author(recent=(CIVIL, LONG)), NOW)
    assert held(verdict) == {"repetition"}
    assert verdict.reasons == (
        "This comment repeats one you posted recently, so it was held for a moderator. "
        "A moderator will look at it soon.",
    )
    assert not mod.check(LONG, author(recent=(CIVIL,)), NOW).hold
    assert held(mod.check("Agreed.", author(recent=("agreed",)), NOW)) == {"repetition"}


def test_nearly_the_same_comment_again_is_held(settings: Settings) -> None:
    mod = automod(settings, "repetition")
    nearly = LONG.replace("Tuesday", "Wednesday")
    verdict = mod.check(nearly, author(recent=(LONG,)), NOW)
    assert "nearly the same as one you posted recently" in verdict.reasons[0]
    # Half of it the same is a different comment.
    half = LONG[: len(LONG) // 2] + " The survey is now out and it says the channel is fine."
    assert not mod.check(half, author(recent=(LONG,)), NOW).hold


@pytest.mark.parametrize(
    ("body", "says"),
    [
        ("!!!!!!!!!!!!", "mostly one character over and over"),
        ("?!?!!!!!!!!!!!!!", "mostly one character over and over"),
        ("buy buy buy buy buy buy now", "mostly one word over and over"),
        ("NO. No. no! NO NO", "mostly one word over and over"),
        ("THE HARBOUR BOARD HAS LIED TO US FOR YEARS AND NOBODY CARES", "capital letters"),
    ],
)
def test_noise_and_shouting_are_held(settings: Settings, body: str, says: str) -> None:
    verdict = automod(settings, "repetition").check(body, author(), NOW)
    assert held(verdict) == {"repetition"}
    assert says in verdict.reasons[0]


@pytest.mark.parametrize(
    "body",
    [
        "Wow!!!",
        "No, no, no. The vote was on Tuesday, not Monday.",
        "NATO, the EU and the UN all said so in the OSCE report.",
        "The council said it would NOT raise the levy, and then it raised the levy twice.",
        "Hmmmmm.",
    ],
)
def test_emphasis_and_acronyms_are_not_noise(settings: Settings, body: str) -> None:
    assert not automod(settings, "repetition").check(body, author(), NOW).hold


# words


@pytest.mark.parametrize(
    "body",
    [
        "Kill yourself.",
        "just k1ll y0urself",
        "K I L L yourself, councillor",
        "kill-yourself",
        "Kíll yoursélf",
        "I know where you live.",
        "i.will.find.you",
        "I'll find you.",
        "Ill find you",
    ],
)
def test_the_built_in_list_holds_threats(settings: Settings, body: str) -> None:
    verdict = automod(settings, "words").check(body, author(), NOW)
    assert held(verdict) == {"words"}
    assert "list of threats and slurs" in verdict.reasons[0]


@pytest.mark.parametrize(
    "body",
    [
        CIVIL,
        "Skill yourself up before the exams, the college says.",
        "The candidate said she would find your missing ballots.",
        "They will find you a seat if you ask at the door.",
        "Don't kill yourselves over the deadline, the editor told the night desk.",
    ],
)
def test_the_built_in_list_leaves_ordinary_words_alone(settings: Settings, body: str) -> None:
    assert not automod(settings, "words").check(body, author(), NOW).hold


def test_operators_replace_the_list(settings: Settings, tmp_path: Path) -> None:
    words = tmp_path / "held.txt"
    words.write_text("# our list\n\nidiot\nstraw man argument\n", encoding="utf-8")
    mod = automod(settings, "words", automod_words=words)
    for body in ("What an IDIOT!", "i.d.i.o.t", "1d10t", "a Straw-Man argument"):
        verdict = mod.check(body, author(), NOW)
        assert held(verdict) == {"words"}, body
    assert '"idiot"' in mod.check("1d10t", author(), NOW).reasons[0]
    for body in ("An idiotic plan.", "Kill yourself.", "a straw man"):
        assert not mod.check(body, author(), NOW).hold, body
    with pytest.raises(SettingsError, match="cannot read"):
        automod(settings, "words", automod_words=tmp_path / "missing.txt")


# classifier


def _fixture() -> list[dict[str, str]]:
    path = FIXTURES / "readers" / "automod-comments.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _labelled(label: str) -> list[str]:
    return [row["text"] for row in _fixture() if row["label"] == label]


def test_the_fixture_has_enough_of_each_kind() -> None:
    assert (len(_labelled("civil")), len(_labelled("abusive"))) >= (40, 20)
    assert len(_labelled("spam")) >= 8


def test_the_abuse_threshold_holds_abuse_and_no_civil_comment() -> None:
    civil = [abuse_probability(comment_text(t)) for t in _labelled("civil")]
    abusive = [abuse_probability(comment_text(t)) for t in _labelled("abusive")]
    assert max(civil) < ABUSE_THRESHOLD
    caught = sum(p >= ABUSE_THRESHOLD for p in abusive)
    print(f"abuse model: civil max {max(civil):.3f}, abusive held {caught}/{len(abusive)}")
    assert caught >= 0.9 * len(abusive)


def test_all_rules_hold_abuse_and_spam_and_no_civil_comment(settings: Settings) -> None:
    mod = automod(settings)
    held_civil = [t for t in _labelled("civil") if mod.check(t, author(), NOW).hold]
    assert held_civil == []
    abusive = [mod.check(t, author(), NOW) for t in _labelled("abusive")]
    assert sum(v.hold for v in abusive) >= 0.9 * len(abusive)
    spam = {t: mod.check(t, author(), NOW) for t in _labelled("spam")}
    assert [t for t, v in spam.items() if not v.hold] == []


def test_the_fast_abuse_score_is_the_packages_own() -> None:
    from profanity_check import predict_prob

    texts = [comment_text(row["text"]) for row in _fixture()] + ["", "!!!"]
    expected = predict_prob(texts)
    assert [abuse_probability(t) for t in texts] == pytest.approx(list(expected), abs=1e-9)


def test_an_abusive_comment_is_held_with_its_score(settings: Settings) -> None:
    verdict = automod(settings, "classifier").check(ONLY["classifier"], author(), NOW)
    assert held(verdict) == {"classifier"}
    assert verdict.reasons[0].startswith("An automatic check rated this comment likely to be")
    assert "Criticism is welcome here; insults are not." in verdict.reasons[0]


def test_the_spam_score_says_what_earned_it(settings: Settings) -> None:
    body = (
        "Need a loan? Instant approval, no credit check!!! "
        "Call 0800 555 0199 or mail loans@quick.example"
    )
    signals = spam_signals(comment_text(body), comment_links(body))
    assert signals == {
        "promotional wording": 4,
        "a phone number": 2,
        "an e-mail address": 2,
        "shouting": 1,
    }
    verdict = automod(settings, "classifier").check(body, author(), NOW)
    assert verdict.reasons == (
        "This comment reads like advertising (promotional wording, a phone number, an e-mail "
        "address, shouting), so it was held for a moderator. A moderator will look at it soon.",
    )
    # Contact details and a link are how readers send each other to a council office.
    civil = (
        "Object by 30 June: planning@harrowmere.example or 0300 555 0144, "
        "see https://harrowmere.example/plan"
    )
    assert sum(spam_signals(comment_text(civil), comment_links(civil)).values()) == 5
    mod = automod(settings, "classifier")
    assert not mod.check(civil, author(), NOW).hold
    assert not mod.check("The $4,000 a month rent is the problem, not tenants.", author(), NOW).hold


# switching rules


@pytest.mark.parametrize("rule", list(ONLY))
def test_each_rule_fires_alone_and_can_be_switched_off(settings: Settings, rule: str) -> None:
    alone = automod(settings, rule).check(ONLY[rule], POSTER, NOW)
    assert held(alone) == {rule}
    others = ",".join(r for r in RULES if r not in (rule, "llm"))
    mod = automod(settings, others)
    assert rule not in mod.enabled_rules
    assert rule not in held(mod.check(ONLY[rule], POSTER, NOW))


@pytest.mark.parametrize("value", ["none", "", " NONE ", ","])
def test_none_switches_every_rule_off(settings: Settings, value: str) -> None:
    mod = automod(settings, value, automod_words=Path("/nowhere/at/all.txt"))
    assert mod.enabled_rules == frozenset()
    everything = " ".join(ONLY.values()) + " buy buy buy buy buy buy"
    assert mod.check(everything, POSTER, NOW) == Verdict(False, (), ())


def test_the_default_rules_and_an_unknown_name(settings: Settings) -> None:
    assert automod(settings).enabled_rules == frozenset(RULES) - {"llm"}
    with pytest.raises(SettingsError, match="unknown rules \\(link\\)"):
        automod(settings, "words,link")
    with pytest.raises(SettingsError, match="unknown rules \\(none\\)"):
        automod(settings, "none,words")


def test_every_reason_is_a_sentence_that_says_what_happens_next(settings: Settings) -> None:
    mod = automod(settings)
    bodies = [
        *ONLY.values(),
        "https://a.example https://b.example https://c.example https://d.example",
        "!!!!!!!!!!!!",
        "buy buy buy buy buy buy now",
        "THE HARBOUR BOARD HAS LIED TO US FOR YEARS AND NOBODY CARES",
        LONG.replace("Tuesday", "Wednesday"),
        _labelled("spam")[0],
    ]
    reasons = [r for body in bodies for r in mod.check(body, POSTER, NOW).reasons]
    reasons += mod.check(CIVIL, replace(POSTER, comments_last_hour=3), NOW).reasons
    assert len(set(reasons)) >= 12
    for reason in reasons:
        assert reason[0].isupper() and reason.endswith("."), reason
        assert "A moderator will look at it soon." in reason, reason


# llm


class Judge:
    """A stand-in for the language model, which a reader of the test can follow."""

    def __init__(self, answer: tuple[bool, str] | Exception | object) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, text: str) -> tuple[bool, str]:
        self.asked.append(text)
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer  # type: ignore[return-value]


def test_the_llm_is_asked_only_when_named_and_nothing_else_held(settings: Settings) -> None:
    judge = Judge((True, "it mocks a private person's illness."))
    assert not automod(settings, "words").check(CIVIL, author(), NOW).hold
    mod = Automod(replace(settings, automod="words"), llm=judge)
    assert "llm" not in mod.enabled_rules and not mod.check(CIVIL, author(), NOW).hold
    assert judge.asked == []
    mod = Automod(replace(settings, automod="words,llm"), llm=judge)
    assert "llm" in mod.enabled_rules
    verdict = mod.check("**Get well** soon, *councillor*.", author(), NOW)
    assert judge.asked == ["Get well soon, councillor."]
    assert verdict == Verdict(
        True,
        (
            "The language model that screens comments held this one: it mocks a private "
            "person's illness. A moderator will look at it soon.",
        ),
        ("llm",),
    )
    assert held(mod.check("Kill yourself.", author(), NOW)) == {"words"}
    assert len(judge.asked) == 1
    assert not Automod(replace(settings, automod="llm")).enabled_rules


@pytest.mark.parametrize(
    "answer", [(False, "fine"), RuntimeError("endpoint down"), None, (True,), "HOLD"]
)
def test_an_llm_that_allows_or_fails_holds_nothing(settings: Settings, answer: object) -> None:
    mod = Automod(replace(settings, automod="llm"), llm=Judge(answer))
    assert mod.check(CIVIL, author(), NOW) == Verdict(False, (), ())


@pytest.mark.parametrize(
    ("reply", "parsed"),
    [
        ("ALLOW", (False, "")),
        ("allow.", (False, "")),
        ("HOLD: threatens the councillor", (True, "threatens the councillor")),
        ("**Hold** - advertising a loan\nMore text.", (True, "advertising a loan")),
        ("\n  Hold. It names a private person.", (True, "It names a private person.")),
    ],
)
def test_a_reply_is_read_from_its_first_line(reply: str, parsed: tuple[bool, str]) -> None:
    assert parse_moderation_reply(reply) == parsed


@pytest.mark.parametrize("reply", ["", "I think this comment is fine.", "Holding it."])
def test_a_reply_that_says_neither_is_an_error(reply: str) -> None:
    with pytest.raises(LlmModerationError):
        parse_moderation_reply(reply)


def test_llm_moderation_needs_the_rule_and_an_endpoint(settings: Settings) -> None:
    url = "http://127.0.0.1:9/v1"
    assert llm_moderation(replace(settings, automod="words", llm_url=url)) is None
    assert llm_moderation(replace(settings, automod="words,llm")) is None
    assert isinstance(llm_moderation(replace(settings, automod="llm", llm_url=url)), LlmModeration)


@pytest.fixture
def stub() -> Iterator[ChatStub]:
    with served_chat_stub() as served:
        yield served


def _llm_settings(settings: Settings, url: str) -> Settings:
    return replace(settings, automod="llm", llm_url=url, llm_model="tiny", llm_api_key="k3y")


def test_the_endpoint_is_asked_and_its_tokens_counted(
    settings: Settings, stub: ChatStub, sqlite_database: Database
) -> None:
    stub.content = "HOLD: it threatens a named official"
    stub.tokens = 120
    cache = AnswerCache(sqlite_database)
    configured = _llm_settings(settings, stub.url)
    mod = Automod(configured, llm=llm_moderation(configured, cache))
    verdict = mod.check("You will regret this, *Councillor*.", author(), NOW)
    assert verdict.rules == ("llm",)
    assert "it threatens a named official" in verdict.reasons[0]
    headers, request = stub.requests[0]
    assert headers["Authorization"] == "Bearer k3y"
    assert request["model"] == "tiny" and request["temperature"] == 0
    assert request["messages"][1]["content"] == "Comment:\nYou will regret this, Councillor."
    assert cache.tokens_today() == 120
    stub.content = "ALLOW"
    assert not mod.check(CIVIL, author(), NOW).hold
    assert cache.tokens_today() == 240


def test_over_the_token_budget_the_endpoint_is_not_asked(
    settings: Settings, stub: ChatStub, sqlite_database: Database
) -> None:
    stub.content = "HOLD: anything"
    cache = AnswerCache(sqlite_database)
    cache.add_tokens(500)
    configured = replace(_llm_settings(settings, stub.url), llm_daily_tokens=500)
    mod = Automod(configured, llm=llm_moderation(configured, cache))
    assert not mod.check(CIVIL, author(), NOW).hold
    assert stub.requests == []


@pytest.mark.parametrize(
    ("status", "body"),
    [(500, b"{}"), (429, b"{}"), (200, b"not json"), (200, b'{"choices": []}')],
)
def test_an_endpoint_that_errs_holds_nothing(
    settings: Settings, stub: ChatStub, status: int, body: bytes
) -> None:
    stub.status, stub.body = status, body
    configured = _llm_settings(settings, stub.url)
    mod = Automod(configured, llm=llm_moderation(configured))
    assert not mod.check(CIVIL, author(), NOW).hold
    assert len(stub.requests) == 1  # no retries: a reader is waiting


def test_an_endpoint_that_is_down_holds_nothing(settings: Settings) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    configured = _llm_settings(settings, f"http://127.0.0.1:{port}/v1")
    mod = Automod(configured, llm=llm_moderation(configured))
    assert mod.check(CIVIL, author(), NOW) == Verdict(False, (), ())


@pytest.mark.slow
def test_a_real_small_model_is_asked_and_never_breaks_a_check(settings: Settings) -> None:
    # SmolLM2-135M rarely answers in the ALLOW / HOLD format: what this shows is that the
    # request and the reply make the round trip, and that a reply in no format holds nothing.
    with served_llm() as url:
        configured = replace(settings, automod="llm", llm_url=url, llm_model=MODEL_ALIAS)
        model = LlmModeration(replace(configured, llm_timeout=120.0), max_seconds=120.0)
        for body in (CIVIL, "I know where you live and I will hurt you."):
            try:
                hold: bool | None = model(body)[0]
            except LlmModerationError:
                hold = None  # read, and in no format
            verdict = Automod(configured, llm=model).check(body, author(), NOW)
            assert verdict.rules == (("llm",) if hold else ())


@pytest.mark.parametrize(("rules", "loaded"), [("words,classifier", True), ("links,words", False)])
def test_warming_up_loads_the_abuse_model_only_when_the_classifier_runs(
    rules: str, loaded: bool, tmp_path: Path
) -> None:
    # A process of its own: this one may have loaded the model already.
    script = (
        "import sys\n"
        "from storyline.readers import automod\n"
        "from storyline.settings import load_settings\n"
        f"settings = load_settings(environ={{'STORYLINE_HOME': {str(tmp_path)!r}, "
        f"'STORYLINE_AUTOMOD': {rules!r}}})\n"
        "automod.Automod(settings).warm_up()\n"
        "print(bool(automod._ABUSE), 'sklearn' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == [str(loaded), str(loaded)]


def test_the_spam_signals_take_linear_time_on_a_hostile_comment() -> None:
    # "1-1-1-…": every "1" starts a word, and an unbounded e-mail pattern rescanned the
    # rest of the text from each one: seconds for these 50,000 characters.
    began = time.perf_counter()
    assert "an e-mail address" not in spam_signals("1-" * 25_000, ())
    assert time.perf_counter() - began < 1.0
