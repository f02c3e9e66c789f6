"""Forwarding an agency's inbox to its own system over HTTP, with retry and backoff.

Each entry is POSTed once it is in the inbox, oldest first, as the same id-only JSON that came
over Kafka, with ``Idempotency-Key: <event id>`` (a retried POST may arrive twice) and, when a
secret is configured, ``X-Tsunagu-Signature: sha256=<HMAC of the body>``. A failure pauses the
forwarder and the entry for an exponentially growing delay; a 4xx other than 408/429 will not
get better by retrying, so the entry is given up and its error stays listed in the inbox.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from consumers.inbox import Inbox, InboxEntry

log = logging.getLogger("tsunagu.webhook")

RETRIABLE_CLIENT_ERRORS = (408, 429)


@dataclass
class WebhookForwarder:
    inbox: Inbox
    agency_id: str
    url: str
    clock: Callable[[], datetime]
    secret: str | None = None
    timeout_s: float = 5.0
    backoff_initial_s: float = 1.0
    backoff_max_s: float = 300.0
    _paused_until: datetime | None = field(default=None, init=False)

    def forward_due(self, *, limit: int = 50) -> int:
        """POST the entries that are due, in order, stopping at the first retriable failure."""
        now = self.clock()
        if self._paused_until is not None and now < self._paused_until:
            return 0
        forwarded = 0
        for entry in self.inbox.due_for_forwarding(self.agency_id, now=now, limit=limit):
            error, retriable = self._post(entry)
            if error is None:
                self.inbox.record_forwarded(entry, at=self.clock())
                forwarded += 1
                continue
            if not retriable:
                log.error("webhook refused event %s (%s); not retried", entry.event.event_id, error)
                self.inbox.record_forward_failure(entry, error=f"{error} (not retried)", retry_at=None)
                continue
            delay = min(self.backoff_initial_s * 2 ** entry.forward_failures, self.backoff_max_s)
            self._paused_until = self.clock() + timedelta(seconds=delay)
            self.inbox.record_forward_failure(entry, error=error, retry_at=self._paused_until)
            log.warning("webhook failed for event %s (%s); retrying in %.1fs", entry.event.event_id, error, delay)
            break
        return forwarded

    def _post(self, entry: InboxEntry) -> tuple[str | None, bool]:
        """POST one entry; answer (None, _) on success, else (the error, whether to retry)."""
        body = entry.event.model_dump_json().encode()
        headers = {"Content-Type": "application/json", "Idempotency-Key": str(entry.event.event_id),
                   "User-Agent": "tsunagu-referral-consumer"}
        if self.secret:
            digest = hmac.new(self.secret.encode(), body, hashlib.sha256).hexdigest()
            headers["X-Tsunagu-Signature"] = f"sha256={digest}"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_s) as response:
                response.read()
        except urllib.error.HTTPError as error:
            return f"HTTP {error.code}", error.code >= 500 or error.code in RETRIABLE_CLIENT_ERRORS
        except (urllib.error.URLError, OSError) as error:
            return f"{type(error).__name__}: {error}", True
        return None, True
