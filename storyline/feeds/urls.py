"""URL identity: one spelling for every address of the same article.

Feeds and pages link to an article with tracking parameters, default ports, fragments and
parameters in any order; :func:`canonicalize_url` removes what does not change the page, so
that the same article reached through two feeds is stored once.
"""

from __future__ import annotations

import contextlib
import re
from urllib.parse import quote, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

_DEFAULT_PORTS = {"http": 80, "https": 443}
# Parameters that only tell analytics where a click came from; matched case-insensitively.
_TRACKING_PARAMETERS = frozenset(
    {
        "fbclid", "gclid", "gclsrc", "dclid", "gbraid", "wbraid", "msclkid", "yclid",
        "mc_cid", "mc_eid", "igshid", "igsh", "_ga", "_gl", "ref", "ref_src", "ref_url",
        "cmpid", "cmp", "ocid", "smid", "ncid", "icid", "xtor", "s_cid", "sc_cid",
        "mkt_tok", "_hsenc", "_hsmi", "hsctatracking", "mbid", "vero_id", "oly_enc_id",
        "oly_anon_id", "__twitter_impression", "twclid", "ttclid", "soc_src", "soc_trk",
        "ftag", "guccounter", "guce_referrer", "guce_referrer_sig", "_openstat", "spm",
        "ns_mchannel", "ns_source", "ns_campaign", "ns_linkname", "ns_fee", "sr_share",
        "at_medium", "at_campaign", "at_link_id", "at_link_origin", "at_link_type",
        "at_format", "at_ptr_name", "at_bbc_team", "at_custom1", "at_custom2",
        "at_custom3", "at_custom4", "dicbo", "wt_mc", "wt_zmc", "rss_source", "feature",
        "sessionid", "phpsessid", "jsessionid",
    }
)  # fmt: skip
_TRACKING_PREFIXES = ("utm_", "wt.", "pk_", "mtm_", "hmb_")
_PATH_SESSION = re.compile(r";jsessionid=[^/?#]*", re.IGNORECASE)
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters left as they are when non-ASCII text is percent-encoded.
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_QUERY_SAFE = _PATH_SAFE + "?"


def canonicalize_url(url: str, *, base: str | None = None) -> str:
    """The one spelling of ``url`` (resolved against ``base``) that identifies its page.

    Lowercases the scheme and host, drops default ports, fragments, session ids and
    tracking parameters, sorts the remaining parameters and normalises percent-escapes.
    The path keeps its case and meaningful parameters (``id=``, ``p=``, ``story=``) stay.
    Raises ``ValueError`` for a relative URL without a base.
    """
    url = url.strip()
    if base:
        url = urljoin(base.strip(), url)
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if not scheme or (scheme in _DEFAULT_PORTS and not parts.netloc):
        raise ValueError(f"not an absolute URL: {url!r}")
    if scheme not in _DEFAULT_PORTS:
        return urlunsplit((scheme, parts.netloc, parts.path, parts.query, parts.fragment))
    netloc = _netloc(parts.hostname or "", parts.port, scheme)
    path = _normalize_escapes(quote(_PATH_SESSION.sub("", parts.path), safe=_PATH_SAFE))
    path = _remove_dot_segments(path) or "/"
    query = _clean_query(parts.query)
    fragment = parts.fragment if parts.fragment.startswith("!") else ""
    return urlunsplit((scheme, netloc, path, query, fragment))


def is_web_url(url: str | None) -> bool:
    """Whether ``url`` is an absolute http(s) address with a host."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in _DEFAULT_PORTS and bool(parts.netloc)


def find_canonical_link(html: bytes | str, *, url: str) -> str | None:
    """The page's own address for itself: ``<link rel="canonical">``, else ``og:url``.

    A canonical that points at the site's home page from a deeper page is a common
    misconfiguration and is ignored, as is anything that is not an http(s) address.
    """
    try:
        document = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None
    base = _document_base(document, url)
    candidates = [
        link.get("href")
        for link in document.iter("link")
        if "canonical" in (link.get("rel") or "").lower().split()
    ]
    candidates += [
        meta.get("content")
        for meta in document.iter("meta")
        if (meta.get("property") or meta.get("name") or "").strip().lower() == "og:url"
    ]
    page_path = urlsplit(url).path.strip("/")
    for candidate in candidates:
        if not candidate or not candidate.strip():
            continue
        try:
            resolved = canonicalize_url(candidate, base=base)
        except ValueError:
            continue
        if not is_web_url(resolved):
            continue
        if urlsplit(resolved).path.strip("/") == "" and page_path:
            continue
        return resolved
    return None


def _document_base(document: lxml.html.HtmlElement, url: str) -> str:
    """The page's ``<base href>`` resolved against its URL, which relative links use."""
    for element in document.iter("base"):
        href = element.get("href")
        if href and href.strip():
            return urljoin(url, href.strip())
    return url


def _netloc(host: str, port: int | None, scheme: str) -> str:
    host = host.rstrip(".")
    try:
        host.encode("ascii")
    except UnicodeEncodeError:
        with contextlib.suppress(UnicodeError):  # not a valid IDN: kept as written
            host = host.encode("idna").decode("ascii")
    host = host.lower()
    if ":" in host:  # an IPv6 literal
        host = f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    return host


def _clean_query(query: str) -> str:
    """Drop tracking parameters and sort the rest, keeping each one's original spelling."""
    kept: list[tuple[str, str]] = []
    for pair in query.split("&"):
        if not pair:
            continue
        name = pair.split("=", 1)[0]
        decoded = _PERCENT.sub(lambda m: chr(int(m.group(1), 16)), name).lower()
        if decoded in _TRACKING_PARAMETERS or decoded.startswith(_TRACKING_PREFIXES):
            continue
        normalized = _normalize_escapes(quote(pair, safe=_QUERY_SAFE))
        kept.append((normalized.split("=", 1)[0], normalized))
    kept.sort(key=lambda item: item[0])  # stable: repeated names keep their order
    return "&".join(pair for _, pair in kept)


def _normalize_escapes(text: str) -> str:
    """Upper-case percent-escapes and decode the ones that stand for unreserved characters."""

    def replace(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _PERCENT.sub(replace, text)


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4: ``/a/./b/../c`` is ``/a/c``."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if segment == ".":
            if index == len(segments) - 1:
                output.append("")
            continue
        if segment == "..":
            if len(output) > 1:
                output.pop()
            if index == len(segments) - 1:
                output.append("")
            continue
        output.append(segment)
    return "/".join(output)
