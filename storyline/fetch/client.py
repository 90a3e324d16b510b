"""HTTP fetching with httpx, politely and defensively.

One :class:`Fetcher` per process. A fetch follows redirects itself (recording the final URL
and refusing loops), sends conditional headers, bounds the response by size and by total
time (a server that drips one byte a second is cut off), decompresses gzip and deflate
itself so that a decompression bomb stops at the size bound, and retries transient failures
a few times with exponential backoff and jitter. Long waits (``Retry-After``, a failing
feed) are not slept here: the error carries them, and the scheduler sets the next check.
"""

from __future__ import annotations

import random
import time
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin

import httpx

from storyline import __version__
from storyline.fetch.guard import BlockedAddressError, GuardedTransport, check_host
from storyline.settings import Settings

REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class FetchPolicy:
    """How every fetch behaves; built from settings by :meth:`from_settings`."""

    user_agent: str = f"Storyline/{__version__} (+https://storyline.invalid/bot)"
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 60.0
    max_bytes: int = 10_000_000
    max_redirects: int = 5
    attempts: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    allow_private: bool = False

    @classmethod
    def from_settings(cls, settings: Settings) -> FetchPolicy:
        return cls(
            user_agent=settings.user_agent or cls.user_agent,
            connect_timeout=settings.fetch_timeout,
            read_timeout=settings.fetch_timeout,
            total_timeout=settings.fetch_total_timeout,
            max_bytes=settings.max_response_bytes,
            max_redirects=settings.max_redirects,
            attempts=settings.fetch_attempts,
            allow_private=settings.allow_private_urls,
        )


class FetchError(Exception):
    """A fetch that did not produce a usable response, with the reason in words."""

    def __init__(
        self,
        reason: str,
        *,
        url: str,
        retryable: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.url = url
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after

    @property
    def gone(self) -> bool:
        return self.status == 410


@dataclass(frozen=True)
class Response:
    url: str
    final_url: str
    status: int
    content: bytes
    headers: dict[str, str] = field(default_factory=dict)
    redirects: tuple[str, ...] = ()

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";", 1)[0].strip().lower()

    @property
    def charset(self) -> str | None:
        for part in self.headers.get("content-type", "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset" and value.strip():
                return value.strip().strip("\"'")
        return None


class Fetcher:
    def __init__(self, policy: FetchPolicy | None = None) -> None:
        self.policy = policy or FetchPolicy()
        timeout = httpx.Timeout(
            connect=self.policy.connect_timeout,
            read=self.policy.read_timeout,
            write=self.policy.read_timeout,
            pool=self.policy.connect_timeout,
        )
        self._client = httpx.Client(
            transport=GuardedTransport(allow_private=self.policy.allow_private),
            timeout=timeout,
            follow_redirects=False,
            headers={
                "User-Agent": self.policy.user_agent,
                "Accept-Encoding": "gzip, deflate",
            },
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str | None = None,
    ) -> Response:
        """Fetch ``url``, retrying transient failures; raises :class:`FetchError`."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return self._get_once(url, etag=etag, last_modified=last_modified, accept=accept)
            except FetchError as error:
                if not error.retryable or attempt >= self.policy.attempts:
                    raise
                wait = min(self.policy.backoff_max, self.policy.backoff_base * 2 ** (attempt - 1))
                if error.retry_after is not None:
                    if error.retry_after > self.policy.backoff_max:
                        raise  # the scheduler waits that long, not this worker
                    wait = error.retry_after
                time.sleep(wait * random.uniform(0.5, 1.0))  # full jitter, half-open

    def _get_once(
        self, url: str, *, etag: str | None, last_modified: str | None, accept: str | None
    ) -> Response:
        headers: dict[str, str] = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        if accept:
            headers["Accept"] = accept
        deadline = time.monotonic() + self.policy.total_timeout
        current = url
        hops: list[str] = []
        while True:
            _check_url(current, self.policy.allow_private)
            status, response_headers, body = self._request(current, headers, deadline)
            if status in REDIRECTS and "location" in response_headers:
                target = urljoin(current, response_headers["location"])
                if target in hops or target == url:
                    raise FetchError(f"redirect loop at {target}", url=url, retryable=False)
                hops.append(current)
                if len(hops) > self.policy.max_redirects:
                    raise FetchError(
                        f"more than {self.policy.max_redirects} redirects", url=url, retryable=False
                    )
                current = target
                continue
            _raise_for_status(url, status, response_headers)
            return Response(
                url=url,
                final_url=current,
                status=status,
                content=body,
                headers=response_headers,
                redirects=tuple(hops),
            )

    def _request(
        self, url: str, headers: dict[str, str], deadline: float
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                response_headers = {k.lower(): v for k, v in response.headers.items()}
                if response.status_code in REDIRECTS or response.status_code >= 300:
                    return response.status_code, response_headers, b""
                body = self._read_body(url, response, response_headers, deadline)
                return response.status_code, response_headers, body
        except BlockedAddressError as exc:
            raise FetchError(str(exc), url=url, retryable=False) from exc
        except httpx.TimeoutException as exc:
            raise FetchError(f"timed out ({type(exc).__name__})", url=url, retryable=True) from exc
        except httpx.TransportError as exc:
            reason = str(exc) or type(exc).__name__
            retryable = "refused:" not in reason
            raise FetchError(f"connection failed: {reason}", url=url, retryable=retryable) from exc

    def _read_body(
        self,
        url: str,
        response: httpx.Response,
        headers: dict[str, str],
        deadline: float,
    ) -> bytes:
        limit = self.policy.max_bytes
        declared = headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise FetchError(
                f"response of {int(declared):,} bytes is over the {limit:,}-byte limit",
                url=url,
                retryable=False,
            )
        decoder = _Decoder(headers.get("content-encoding", ""), limit, url)
        for chunk in response.iter_raw():
            decoder.feed(chunk)
            if time.monotonic() > deadline:
                raise FetchError(
                    f"response took longer than {self.policy.total_timeout:g} s in total",
                    url=url,
                    retryable=True,
                )
        return decoder.finish()


class _Decoder:
    """gzip/deflate decoding that stops at ``limit`` decoded bytes."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self._limit = limit
        self._url = url
        self._parts: list[bytes] = []
        self._size = 0
        encoding = encoding.strip().lower()
        if encoding in {"gzip", "x-gzip"}:
            self._inflater: zlib._Decompress | None = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._inflater = zlib.decompressobj()
        elif encoding in {"", "identity"}:
            self._inflater = None
        else:
            raise FetchError(f"unsupported content encoding {encoding!r}", url=url, retryable=False)

    def feed(self, chunk: bytes) -> None:
        if self._inflater is None:
            self._add(chunk)
            return
        try:
            data = self._inflater.decompress(chunk, self._limit - self._size + 1)
            self._add(data)
            while self._inflater.unconsumed_tail:
                data = self._inflater.decompress(
                    self._inflater.unconsumed_tail, self._limit - self._size + 1
                )
                self._add(data)
        except zlib.error as exc:
            raise FetchError(
                f"corrupt compressed body: {exc}", url=self._url, retryable=False
            ) from exc

    def _add(self, data: bytes) -> None:
        self._size += len(data)
        if self._size > self._limit:
            raise FetchError(
                f"response is over the {self._limit:,}-byte limit (after decompression)",
                url=self._url,
                retryable=False,
            )
        self._parts.append(data)

    def finish(self) -> bytes:
        if self._inflater is not None:
            self._add(self._inflater.flush())
        return b"".join(self._parts)


def _check_url(url: str, allow_private: bool) -> None:
    parsed = httpx.URL(url)
    if parsed.scheme not in {"http", "https"}:
        raise FetchError(
            f"only http and https URLs are fetched, not {url!r}", url=url, retryable=False
        )
    if not parsed.host:
        raise FetchError(f"no host in {url!r}", url=url, retryable=False)
    try:
        check_host(
            parsed.host,
            parsed.port or (443 if parsed.scheme == "https" else 80),
            allow_private=allow_private,
        )
    except BlockedAddressError as exc:
        raise FetchError(str(exc), url=url, retryable=False) from exc
    except Exception as exc:  # DNS failure: worth another try later
        raise FetchError(str(exc), url=url, retryable=True) from exc


def _raise_for_status(url: str, status: int, headers: dict[str, str]) -> None:
    if status < 400 or status == 304:
        if 300 <= status < 400 and status != 304:
            raise FetchError(
                f"HTTP {status} without a Location header", url=url, retryable=False, status=status
            )
        return
    if status == 429 or status == 503:
        raise FetchError(
            f"HTTP {status}: the server asks to slow down",
            url=url,
            retryable=True,
            status=status,
            retry_after=parse_retry_after(headers.get("retry-after")),
        )
    if status >= 500:
        raise FetchError(f"HTTP {status}: server error", url=url, retryable=True, status=status)
    if status == 410:
        raise FetchError("HTTP 410: gone for good", url=url, retryable=False, status=status)
    if status == 404:
        raise FetchError("HTTP 404: not found", url=url, retryable=False, status=status)
    raise FetchError(f"HTTP {status}", url=url, retryable=False, status=status)


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())
