"""One small HTTP client for the providers called directly (Aliyun SMS, WeCom): a POST or
GET with a timeout, the answer read as JSON; a timeout, a refused connection and a 5xx
answer are retryable, anything else is the caller's to classify."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.conf import settings

from outpost.notify.errors import RetryableError


def timeout() -> float:
    return float(settings.NOTIFY.get("timeout", 10))


def call_json(url: str, *, data: bytes | None = None, content_type: str = "") -> tuple[int, dict]:
    """(HTTP status, the JSON answer). Raises RetryableError when the provider answered
    nothing in time, could not be reached, or answered with a server error."""
    headers = {"Content-Type": content_type} if content_type else {}
    request = urllib.request.Request(url, data=data, headers=headers)
    # Never through a proxy from the environment: the provider's address is what is set.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=timeout()) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    except TimeoutError:
        raise RetryableError("the provider did not answer in time", code="timeout") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError):
            raise RetryableError("the provider did not answer in time", code="timeout") from None
        raise RetryableError(f"the provider cannot be reached: {reason}", code="network") from None
    if status >= 500:
        raise RetryableError(f"the provider answered HTTP {status}", code=f"http_{status}")
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        raise RetryableError(
            f"the provider answered HTTP {status} with no JSON", code="bad_answer"
        ) from None
    return status, answer if isinstance(answer, dict) else {}
