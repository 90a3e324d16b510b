"""Rules for named stretches of the calendar: quarters and halves, seasons, decades,
centuries and holidays.

A quarter without a year ("the third quarter") is in the anchor's year, as financial news
means it; a season or a holiday without one is placed like a date without a year.

Earnings reports name a quarter and then speak of "the quarter", "the latest period", "a
year earlier" or "the year-ago quarter": the quarter in question is the last one the text
named that had ended by the publication date (an outlook for the current or a later
quarter does not change the subject), and the comparisons are that quarter a year back.
"""

from __future__ import annotations

from datetime import date

from storyline.understand.timex_calendar import season_value
from storyline.understand.timex_context import FUTURE, PAST, Context
from storyline.understand.timex_dates import SPELLED_YEAR, YEAR, nearest_year, year_of
from storyline.understand.timex_holidays import HOLIDAY_KEYS, HOLIDAY_WORDS, holiday
from storyline.understand.timex_rule import UNKNOWN, YEAR_KEY, Found, Reading, Rule, deictic
from storyline.understand.timex_words import (
    ORDINALS,
    SEASON_WORDS,
    SEASONS,
    alternation,
)

_DECADE_WORDS = {
    "twenties": 2,
    "thirties": 3,
    "forties": 4,
    "fifties": 5,
    "sixties": 6,
    "seventies": 7,
    "eighties": 8,
    "nineties": 9,
}
# The months a season spans; a winter runs into the next year.
_SEASON_SPAN = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 14)}
_SEASON_MOVES = {"last": -1, "next": 1, "this coming": 1}


def quarter_in_question(context: Context, amount: int, from_reference: bool) -> str:
    """The quarter "this quarter" (``amount`` 0) or "that/the previous quarter" names.

    "This quarter" is the anchor's, unless the text reports the one just finished.
    """
    reported = context.references.get("quarter")
    today = context.today
    if from_reference:
        base = reported or today
        return base.at("quarter").shifted("quarter", amount).value if base else UNKNOWN["quarter"]
    if today is None:
        return UNKNOWN["quarter"]
    previous = today.shifted("quarter", -1).at("quarter")
    if reported is not None and reported.value == previous.value:
        return reported.value
    return today.at("quarter").value


def _the_quarter(found: Found, context: Context) -> Reading | None:
    """The quarter the text is about: "the quarter", "the latest period".

    That is the quarter in question; failing one, "the latest quarter" is the last one
    finished and "the quarter" the one the tense points to.
    """
    reported = context.references.get("quarter")
    today = context.today
    if reported is not None:
        return Reading("DATE", reported.value)
    if today is None:
        return Reading("DATE", UNKNOWN["quarter"])
    finished = bool(found["latest"]) or context.tense(found.start, found.end) == PAST
    return Reading("DATE", today.shifted("quarter", -1 if finished else 0).at("quarter").value)


def _year_ago(found: Found, context: Context) -> Reading | None:
    """Comparisons: "the year-earlier quarter", "the 1988 period", "year-ago".

    They name the quarter in question a year back (or in the year given), or, with no
    quarter in question, the year before publication.
    """
    reported = context.references.get("quarter")
    explicit = found["year"]
    if explicit:
        value = f"{explicit}-Q{reported.value[-1]}" if reported is not None else explicit
        return Reading("DATE", value, aside=True)
    if reported is not None:
        return Reading("DATE", reported.shifted("year", -1).value, aside=True)
    return Reading("DATE", deictic(context, "year", -1), aside=True)


def _quarter(found: Found, context: Context) -> Reading | None:
    """A quarter or half by its ordinal: "the third quarter (of 2024)", "last year's first
    half", "the year-ago fourth quarter"."""
    grain = "H" if found.lower("unit") == "half" else "Q"
    ordinal = ORDINALS.get(found.lower("ord")) or int((found["ord"] or "0")[:1])
    number = (4 if grain == "Q" else 2) if ordinal == -1 else ordinal
    if not 0 < number <= (4 if grain == "Q" else 2):
        return None
    year = year_of(found) or (int(found["year2"]) if found["year2"] else None)
    if year is None:
        anchor = context.anchor
        if anchor is None:
            return Reading("DATE", f"XXXX-{grain}{number}")
        year = anchor.year
        if found.lower("rel") == "last" or found["ago"]:
            year -= 1
        elif found.lower("rel") == "next":
            year += 1
    return Reading("DATE", f"{year:04d}-{grain}{number}")


def _short_quarter(found: Found, context: Context) -> Reading | None:
    """Q3, 3Q and Q3 2024 as analysts write them."""
    if "Q" not in (found["q"] or found["q2"] or ""):
        return None  # a lowercase q is seldom a quarter
    number = int((found["q"] or found["q2"] or "0").upper().strip("Q"))
    year = found["year"] or found["year2"]
    if year is None:
        anchor = context.anchor
        return Reading("DATE", f"{anchor.year:04d}-Q{number}" if anchor else f"XXXX-Q{number}")
    return Reading("DATE", f"{year}-Q{number}")


def _season(found: Found, context: Context) -> Reading | None:
    """A season: of the year given, of the year its modifier says, or placed by the tense."""
    word, move = found.lower("season"), found.lower("rel")
    year = year_of(found)
    if word in ("fall", "spring") and year is None and move in ("", "the"):
        return None  # "the fall of the city", "a spring in the hills"
    code = SEASONS[word]
    if year is not None:
        return Reading("DATE", f"{year:04d}-{code}")
    anchor = context.anchor
    if anchor is None:
        return Reading("DATE", f"XXXX-{code}")
    current = int(season_value(anchor)[:4]) if code == "WI" else anchor.year
    if move == "this past":  # the latest one to have begun
        year = current if _started(anchor, code, current) else current - 1
        return Reading("DATE", f"{year:04d}-{code}")
    if move in _SEASON_MOVES:
        return Reading("DATE", f"{current + _SEASON_MOVES[move]:04d}-{code}")
    if move != "this":
        leaning = context.leaning(found.start, found.end)
        if leaning == PAST and not _started(anchor, code, current):
            current -= 1
        elif leaning == FUTURE and _ended(anchor, code, current):
            current += 1
    return Reading("DATE", f"{current:04d}-{code}")


def _started(anchor: date, code: str, year: int) -> bool:
    first, _ = _SEASON_SPAN[code]
    return (anchor.year, anchor.month) >= (year + (first - 1) // 12, (first - 1) % 12 + 1)


def _ended(anchor: date, code: str, year: int) -> bool:
    _, last = _SEASON_SPAN[code]
    return (anchor.year, anchor.month) > (year + (last - 1) // 12, (last - 1) % 12 + 1)


def _decade(found: Found, context: Context) -> Reading | None:
    """The 1990s are "199"; "the nineties" are the latest nineties not after the anchor."""
    if found["decade"]:
        return Reading("DATE", found["decade"][:3])
    tens = _DECADE_WORDS[found.lower("word")]
    current = context.anchor.year if context.anchor else 1999
    year = (current // 100) * 100 + tens * 10
    if year > current:
        year -= 100
    return Reading("DATE", f"{year // 10:03d}")


def _century(found: Found, context: Context) -> Reading | None:
    """The 20th century is "19", the years 1900 to 1999."""
    number = found["number"]
    ordinal = int(number) if number else ORDINALS.get(found.lower("ordinal"), 0)
    if not 0 < ordinal <= 30:
        return None
    return Reading("DATE", f"{ordinal - 1:02d}")


def _holiday(found: Found, context: Context) -> Reading | None:
    """A holiday's day in the year given, or the year its modifier or the sentence says."""
    name, move = found.lower("holiday"), found.lower("rel")
    year = year_of(found)
    anchor = context.anchor
    if year is None and anchor is not None:
        this_year = holiday(name, anchor.year)
        if this_year is None:
            return None
        if move == "last":
            year = anchor.year - (this_year >= anchor)
        elif move == "next":
            year = anchor.year + (this_year <= anchor)
        else:
            year = nearest_year(context, found, (this_year - anchor).days / 30.44)
    if year is None:
        return None
    day = holiday(name, year)
    return Reading("DATE", day.isoformat()) if day else None


PERIOD_RULES = (
    Rule(
        r"(?:the\s+)?(?:comparable\s+|same\s+|corresponding\s+)?(?:year[\s-]+(?:ago|earlier)"
        r"|prior[\s-]+year|(?P<year>1[89]\d\d|20\d\d))\s+(?:fiscal\s+)?(?:quarter|period"
        r"|three\s+months)"
        r"|(?:the\s+)?(?:same|comparable|corresponding)\s+(?:quarter|period)\s+(?:(?:of\s+)?last"
        r"\s+year|a\s+year\s+(?:ago|earlier)|(?:in|of)\s+the\s+prior\s+year)"
        r"|last\s+year['’]s\s+(?:fiscal\s+)?(?:quarter|period)"
        r"|the\s+quarter\s+a\s+year\s+(?:ago|earlier)"
        r"|year[\s-](?:ago|earlier)",
        _year_ago,
        frozenset({"ago", "earlier", "prior", "period", "quarter"}),
    ),
    Rule(
        r"(?:the|its)\s+(?P<latest>latest\s+|most\s+recent\s+|recent\s+|just[\s-]ended\s+)?"
        r"(?:fiscal\s+)?(?:quarter|period)(?!-|\s+of\b)",
        _the_quarter,
        frozenset({"quarter", "period"}),
    ),
    Rule(
        r"(?:(?:the|its|a|an)\s+)?(?:(?P<year>1[89]\d\d|20\d\d)\s+"
        r"|(?P<rel>this|last|next)\s+year['’]s\s+|(?P<ago>year[\s-](?:ago|earlier))\s+)?"
        r"(?:fiscal[\s-]+)?(?P<ord>first|second|third|fourth|final|last|1st|2nd|3rd|4th)"
        r"[\s-]+(?:fiscal[\s-]+)?(?P<unit>quarter|half)"
        r"(?:\s+of\s+(?:fiscal\s+)?(?P<year2>1[89]\d\d|20\d\d))?",
        _quarter,
        frozenset({"quarter", "half"}),
    ),
    Rule(
        r"(?P<q>q[1-4]|[1-4]q)(?:\s+|-|/)?(?P<year>(?:19|20)\d\d)?"
        r"|(?P<year2>(?:19|20)\d\d)[\s-]?(?P<q2>q[1-4])",
        _short_quarter,
        frozenset(f"{a}{b}" for n in "1234" for a, b in (("q", n), (n, "q"))),
    ),
    Rule(
        r"(?:(?P<rel>this\s+past|this\s+coming|this|last|next|the)\s+)"
        rf"?(?P<season>{SEASON_WORDS})(?:\s+(?:of\s+)?(?:{YEAR}|(?P<spelled>{SPELLED_YEAR})))?",
        _season,
        frozenset(SEASONS),
    ),
    Rule(r"(?:the\s+)?(?P<decade>1[0-9]\d0|20\d0)['’]?s", _decade, frozenset({YEAR_KEY})),
    Rule(rf"(?:the\s+)?(?P<word>{alternation(_DECADE_WORDS)})", _decade, frozenset(_DECADE_WORDS)),
    Rule(
        r"(?:the\s+)?(?:(?P<number>\d{1,2})(?:st|nd|rd|th)"
        rf"|(?P<ordinal>{alternation(ORDINALS)}))[\s-]+century",
        _century,
        frozenset({"century"}),
    ),
    Rule(
        r"(?:(?P<rel>last|next|this\s+past|this\s+coming|this|the)\s+)?"
        rf"(?P<holiday>{HOLIDAY_WORDS})(?:,?\s+{YEAR})?",
        _holiday,
        HOLIDAY_KEYS,
    ),
)
