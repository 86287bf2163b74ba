"""`syndicate ping`: tell each WebSub hub which feeds the last build changed.

A publish notification (W3C WebSub; the form PubSubHubbub 0.4 defined and hubs accept) is a
form-encoded POST of `hub.mode=publish` and `hub.url=<topic>` to the hub; a 2xx answer means
the hub accepted it and will fetch the topic itself. One request per hub and topic (not every
hub accepts several `hub.url` in one request). The topics are the self URLs of the feed files
`syndicate build` recorded as changed (output.CHANGES).

Network errors, timeouts, 408, 429 and 5xx are retried with exponential backoff (a hub's
Retry-After is honoured, up to MAX_DELAY); other answers are final. A hub that never answered
one notification (no connection, timeouts) is not sent the others: the run stays short when a
hub is down. Redirects are not followed: a POST redirected becomes a GET in urllib, which
would notify nothing.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email.message import Message
from pathlib import Path
from urllib.parse import urlencode

from syndicate import __version__
from syndicate.config import Config
from syndicate.errors import SyndicateError
from syndicate.publish import output
from syndicate.render.writers import WRITERS

log = logging.getLogger(__name__)

BACKOFF = 1.0  # seconds before the first retry; doubled for each next one
MAX_DELAY = 30.0  # seconds: the longest wait between two attempts
MAX_BODY = 64 * 1024  # bytes of an answer read (and the first line quoted in a failure)
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
USER_AGENT = f"syndicate/{__version__} (WebSub publisher)"

Sleep = Callable[[float], None]


@dataclass(frozen=True, slots=True)
class Delivery:
    """What became of one notification: a topic told to a hub."""

    topic: str
    accepted: bool
    attempts: int  # 0: not sent (the hub was unreachable for an earlier topic)
    detail: str  # "204 No Content", "HTTP 500 Internal Server Error: ...", "timed out"
    answered: bool = True  # the hub answered over HTTP (False: no connection, timeouts)


@dataclass(frozen=True, slots=True)
class HubResult:
    hub: str
    deliveries: tuple[Delivery, ...]

    @property
    def accepted(self) -> int:
        return sum(d.accepted for d in self.deliveries)


@dataclass(frozen=True, slots=True)
class _Answer:
    accepted: bool
    retry: bool
    detail: str
    retry_after: float | None = None
    answered: bool = True


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is reported, not followed (urllib would turn the POST into a GET)."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def changed_topics(config: Config, out: Path) -> list[str]:
    """The self URLs of the feed files the last build changed, in the record's order.

    SyndicateError (exit 2) when no hub is configured or the build left no record.
    """
    if not config.site.websub_hubs:
        raise SyndicateError("no WebSub hub configured: set site.websub_hubs in the config")
    changed = output.read_changes(out)
    if changed is None:
        record = (out / output.CHANGES).as_posix()
        raise SyndicateError(f"{record}: no record of the last build; run `syndicate build`")
    feeds = {
        f"{feed.id}/{WRITERS[name].filename}" for feed in config.feeds for name in feed.formats
    }
    for name in changed:
        if name not in feeds:
            log.warning("%s: not a feed of the config (built with another config?)", name)
    return [config.site.base_url + name for name in changed if name in feeds]


def ping(
    hubs: Sequence[str],
    topics: Sequence[str],
    timeout: float,
    retries: int,
    sleep: Sleep | None = None,
) -> list[HubResult]:
    """Notify every hub of every topic; never raises for what a hub or the network does.

    Proxies come from the environment (`https_proxy`, `no_proxy`...), as urllib reads them.
    """
    opener = urllib.request.build_opener(_NoRedirect())
    results = []
    for hub in hubs:
        deliveries: list[Delivery] = []
        for topic in topics:
            if deliveries and not deliveries[-1].answered:
                skipped = Delivery(topic, False, 0, "not sent: the hub is unreachable", False)
                deliveries.append(skipped)
            else:
                deliveries.append(notify(opener, hub, topic, timeout, retries, sleep))
        results.append(HubResult(hub, tuple(deliveries)))
    return results


def notify(
    opener: urllib.request.OpenerDirector,
    hub: str,
    topic: str,
    timeout: float,
    retries: int,
    sleep: Sleep | None = None,
) -> Delivery:
    """One publish notification, tried at most `retries` + 1 times."""
    attempt = 0
    while True:
        attempt += 1
        answer = _post(opener, hub, topic, timeout)
        log.debug("%s %s attempt %d: %s", hub, topic, attempt, answer.detail)
        if answer.accepted or not answer.retry or attempt > retries:
            return Delivery(topic, answer.accepted, attempt, answer.detail, answer.answered)
        (sleep or time.sleep)(delay(attempt, answer.retry_after))


def delay(attempt: int, retry_after: float | None = None) -> float:
    """The wait after failed attempt 1, 2, 3...: BACKOFF, doubled each time; at least the
    hub's Retry-After; at most MAX_DELAY."""
    wanted: float = BACKOFF * 2.0 ** (attempt - 1)
    if retry_after is not None:
        wanted = max(wanted, retry_after)
    return min(wanted, MAX_DELAY)


def _post(opener: urllib.request.OpenerDirector, hub: str, topic: str, timeout: float) -> _Answer:
    body = urlencode({"hub.mode": "publish", "hub.url": topic}).encode("ascii")
    request = urllib.request.Request(
        hub,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": USER_AGENT,
        },
    )
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(MAX_BODY)
            return _Answer(True, False, f"{response.status} {response.reason}")
    except urllib.error.HTTPError as exc:
        return _http_error(exc)
    except TimeoutError:
        return _Answer(False, True, f"timed out after {timeout:g} s", answered=False)
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError):
            return _Answer(False, True, f"timed out after {timeout:g} s", answered=False)
        return _Answer(False, True, f"cannot connect: {_reason(reason)}", answered=False)
    except OSError as exc:  # a connection reset mid-answer, a bad status line...
        return _Answer(False, True, f"connection failed: {_reason(exc)}", answered=False)


def _http_error(exc: urllib.error.HTTPError) -> _Answer:
    status = f"HTTP {exc.code} {exc.reason}"
    if 300 <= exc.code < 400:
        location = exc.headers.get("Location", "?")
        return _Answer(False, False, f"{status}: redirected to {location} (not followed)")
    try:
        text = exc.read(MAX_BODY).decode("utf-8", "replace")
    except OSError:
        text = ""
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    detail = f"{status}: {first[:200]}" if first else status
    retry = exc.code in RETRY_STATUSES
    return _Answer(False, retry, detail, _retry_after(exc.headers) if retry else None)


def _retry_after(headers: Message) -> float | None:
    """Retry-After in seconds (the HTTP-date form is ignored: no clock here)."""
    value = headers.get("Retry-After", "").strip()
    return float(value) if value.isdigit() else None


def _reason(reason: object) -> str:
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    return str(reason) or type(reason).__name__
