"""Aliyun SMS (阿里云短信服务, Dysmsapi 2017-05-25 `SendSms`), called over HTTPS directly.

The request is the RPC style with its documented signature (HMAC-SHA1 over the sorted,
percent-encoded parameters). Not the SDK `alibabacloud-dysmsapi20170525`: it installs and its
endpoint can be pointed elsewhere, but its runtime (`alibabacloud-tea-openapi`) requires
cryptography < 51, below the version Outpost's encryption at rest runs on, and brings
aiohttp and a second scheduler (APScheduler) with it. See README "Message channels".
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import urllib.parse
import uuid

from django.conf import settings

from outpost.core.ratelimit import RateLimit
from outpost.notify.errors import DeliveryError, RateLimited, RetryableError, Sent
from outpost.notify.providers.http import call_json

# Aliyun's answers that mean "not now": the per-number and per-account flow control, and
# the platform's own trouble. Every other code (a template or signature not approved, a
# number not valid, a wrong key) is final.
RATE_LIMITED = {
    "isv.BUSINESS_LIMIT_CONTROL",
    "Throttling.User",
    "Throttling",
    "isv.DAY_LIMIT_CONTROL",
}
RETRYABLE = {"isp.SYSTEM_ERROR", "ServiceUnavailable", "InternalError"}


def percent_encode(value: str) -> str:
    """RFC 3986 encoding as Aliyun's signature requires (space as %20, ~ kept)."""
    return urllib.parse.quote(str(value), safe="~")


def signature(params: dict[str, str], secret: str, method: str = "POST") -> str:
    """Aliyun's RPC signature (SignatureVersion 1.0, HMAC-SHA1) of the parameters."""
    canonical = "&".join(
        f"{percent_encode(key)}={percent_encode(params[key])}" for key in sorted(params)
    )
    to_sign = f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"
    digest = hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class AliyunSmsBackend:
    name = "aliyun"
    dedupes = False  # SendSms keeps no idempotency key: OutId is only echoed in receipts
    required = {
        "aliyun_access_key_id": "OUTPOST_ALIYUN_ACCESS_KEY_ID",
        "aliyun_access_key_secret": "OUTPOST_ALIYUN_ACCESS_KEY_SECRET",
        "sms_sign_name": "OUTPOST_SMS_SIGN_NAME",
        "sms_template": "OUTPOST_SMS_TEMPLATE",
    }

    @staticmethod
    def rate_limit() -> RateLimit:
        return RateLimit(name="notify.aliyun", hits=settings.NOTIFY["rate_per_second"], seconds=1)

    def send(self, *, channel, address, subject, body, key="") -> Sent:
        conf = settings.NOTIFY
        params = {
            "AccessKeyId": conf["aliyun_access_key_id"],
            "Action": "SendSms",
            "Format": "JSON",
            "OutId": str(key),
            "PhoneNumbers": address,
            "RegionId": "cn-hangzhou",
            "SignName": conf["sms_sign_name"],
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": conf["sms_template"],
            "TemplateParam": json.dumps(
                {conf["sms_template_param"]: body or subject}, ensure_ascii=False
            ),
            "Timestamp": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        params["Signature"] = signature(params, conf["aliyun_access_key_secret"])
        _status, answer = call_json(
            conf["aliyun_endpoint"].rstrip("/") + "/",
            data=urllib.parse.urlencode(params).encode(),
            content_type="application/x-www-form-urlencoded",
        )
        code = str(answer.get("Code", ""))
        message = str(answer.get("Message", "")) or code
        if code == "OK":
            return Sent(provider_id=str(answer.get("BizId", "")))
        if code in RATE_LIMITED:
            raise RateLimited(f"Aliyun: {message} ({code})", code=code)
        if code in RETRYABLE:
            raise RetryableError(f"Aliyun: {message} ({code})", code=code)
        raise DeliveryError(f"Aliyun refused: {message} ({code or 'no code'})", code=code)
