"""Tencent Cloud SMS (腾讯云短信, API 2021-01-11 `SendSms`), through the official SDK
`tencentcloud-sdk-python-sms`: it signs with TC3-HMAC-SHA256 and its endpoint and scheme
are set from OUTPOST_TENCENT_SMS_ENDPOINT (the tests point it at a fake on loopback)."""

from __future__ import annotations

import urllib.parse

from django.conf import settings

from outpost.core.ratelimit import RateLimit
from outpost.notify.errors import DeliveryError, RateLimited, RetryableError, Sent

# The SDK's own codes for "nothing came back": no connection, a timeout, a non-200 answer.
NETWORK_CODES = {"ClientNetworkError", "ServerNetworkError"}


def _classify(code: str, message: str) -> DeliveryError:
    text = f"Tencent Cloud: {message} ({code})"
    if code.startswith(("LimitExceeded", "RequestLimitExceeded")):
        return RateLimited(text, code=code)
    if code in NETWORK_CODES or code.startswith("InternalError"):
        return RetryableError(text, code=code)
    return DeliveryError(f"Tencent Cloud refused: {message} ({code})", code=code)


class TencentSmsBackend:
    name = "tencent"
    dedupes = False  # SendSms keeps no idempotency key: SessionContext is only echoed back
    required = {
        "tencent_secret_id": "OUTPOST_TENCENT_SECRET_ID",
        "tencent_secret_key": "OUTPOST_TENCENT_SECRET_KEY",
        "tencent_sms_app_id": "OUTPOST_TENCENT_SMS_APP_ID",
        "sms_sign_name": "OUTPOST_SMS_SIGN_NAME",
        "sms_template": "OUTPOST_SMS_TEMPLATE",
    }

    @staticmethod
    def rate_limit() -> RateLimit:
        return RateLimit(name="notify.tencent", hits=settings.NOTIFY["rate_per_second"], seconds=1)

    @staticmethod
    def _client():
        from tencentcloud.common import credential
        from tencentcloud.common.profile.client_profile import ClientProfile
        from tencentcloud.common.profile.http_profile import HttpProfile
        from tencentcloud.sms.v20210111 import sms_client

        conf = settings.NOTIFY
        endpoint = urllib.parse.urlsplit(conf["tencent_endpoint"])
        http = HttpProfile(
            protocol=endpoint.scheme or "https",
            endpoint=endpoint.netloc,
            reqTimeout=float(conf.get("timeout", 10)),
        )
        return sms_client.SmsClient(
            credential.Credential(conf["tencent_secret_id"], conf["tencent_secret_key"]),
            conf["tencent_region"],
            ClientProfile(httpProfile=http),
        )

    def send(self, *, channel, address, subject, body, key="") -> Sent:
        from tencentcloud.common.exception.tencent_cloud_sdk_exception import (
            TencentCloudSDKException,
        )
        from tencentcloud.sms.v20210111 import models

        conf = settings.NOTIFY
        request = models.SendSmsRequest()
        request.SmsSdkAppId = conf["tencent_sms_app_id"]
        request.SignName = conf["sms_sign_name"]
        request.TemplateId = conf["sms_template"]
        request.TemplateParamSet = [body or subject]
        request.PhoneNumberSet = [f"+86{address}"]
        request.SessionContext = str(key)
        try:
            response = self._client().SendSms(request)
        except TencentCloudSDKException as exc:
            raise _classify(exc.get_code() or "", exc.get_message() or "") from None
        statuses = response.SendStatusSet or []
        if not statuses:
            raise RetryableError("Tencent Cloud answered without a status", code="no_status")
        status = statuses[0]
        if status.Code == "Ok":
            return Sent(provider_id=status.SerialNo or "")
        raise _classify(status.Code or "", status.Message or "")
