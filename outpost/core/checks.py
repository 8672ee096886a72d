"""Outpost's own deployment checks (`outpost check --deploy`), beside Django's.

- behind a TLS proxy without OUTPOST_TRUSTED_PROXIES, every page redirects to itself
  (production) and every client has the proxy's address (lockouts, access log);
- a login still has the demo district's shared password;
- var/ (database, secret key, uploads, exports) is open to other users of the machine.
"""

from __future__ import annotations

import stat
from pathlib import Path

from django.conf import settings
from django.core.checks import Error, Info, Tags, register
from django.db import DatabaseError

from outpost.core.proxies import invalid_proxy_entries


def behind_tls_proxy() -> bool:
    """Whether the settings say TLS ends at a proxy in front of Outpost.

    `outpost serve` speaks plain HTTP, so a public address starting with https://
    (OUTPOST_BASE_URL, CSRF_TRUSTED_ORIGINS) is served through a proxy; so is production
    with SECURE_SSL_REDIRECT=0, the switch documented for "TLS ends at a proxy".
    """
    public = [settings.OUTPOST_BASE_URL, *settings.CSRF_TRUSTED_ORIGINS]
    if any(url.lower().startswith("https://") for url in public):
        return True
    return bool(getattr(settings, "PRODUCTION", False) and not settings.SECURE_SSL_REDIRECT)


@register(Tags.security, deploy=True)
def check_trusted_proxies(app_configs, **kwargs):
    errors = []
    invalid = invalid_proxy_entries(settings.OUTPOST_TRUSTED_PROXIES)
    if invalid:
        errors.append(
            Error(
                f"OUTPOST_TRUSTED_PROXIES has entries that are not addresses or networks: "
                f"{', '.join(invalid)}.",
                hint="Use addresses or networks such as 10.0.0.5, 10.0.0.0/24, ::1.",
                id="outpost.E001",
            )
        )
    if behind_tls_proxy() and not settings.OUTPOST_TRUSTED_PROXIES:
        errors.append(
            Error(
                "Outpost is served through a TLS proxy (its public address is https://) "
                "but OUTPOST_TRUSTED_PROXIES is empty: production redirects every page to "
                "itself, no HSTS is sent, and every client has the proxy's address.",
                hint="Set OUTPOST_TRUSTED_PROXIES to the proxy's address as Outpost sees it "
                "(e.g. 127.0.0.1); see the README's nginx example.",
                id="outpost.E002",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_demo_password(app_configs, **kwargs):
    from outpost.core.selectors import demo_password_usernames

    try:
        usernames = demo_password_usernames()
    except DatabaseError as exc:  # not migrated, or not reachable: nothing to look at
        return [
            Info(
                f"The demo password check was skipped: the database cannot be read ({exc}).",
                id="outpost.I003",
            )
        ]
    if not usernames:
        return []
    shown = ", ".join(usernames[:5]) + (" …" if len(usernames) > 5 else "")
    return [
        Error(
            f"{len(usernames)} login(s) still have the demo district's shared password, "
            f"which was printed at every start: {shown}.",
            hint="The demo is not for production data: give each login its own password "
            "(`outpost user reset-password NAME`) or deactivate it, or deploy a database "
            "built without `outpost demo`.",
            id="outpost.E003",
        )
    ]


def _open_to_others(path: Path) -> bool:
    try:
        return bool(stat.S_IMODE(path.stat().st_mode) & 0o077)
    except FileNotFoundError:
        return False


@register(Tags.security, deploy=True)
def check_var_permissions(app_configs, **kwargs):
    var_dir = Path(settings.VAR_DIR)
    paths = [var_dir]
    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3"):
        paths.append(Path(str(database["NAME"])))
    paths.append(var_dir / "secret_key")
    open_paths = [str(p) for p in paths if _open_to_others(p)]
    if not open_paths:
        return []
    return [
        Error(
            f"Open to other users of this machine: {', '.join(open_paths)}. var/ holds the "
            "database, the secret key, uploads and exports: personal data.",
            hint=f"chmod -R go-rwx {var_dir}",
            id="outpost.E004",
        )
    ]


@register()
def check_encryption_keys(app_configs, **kwargs):
    """Every command refuses to start without the right keys: missing, malformed, kept in
    the var directory in production, or not the keys the database was written with."""
    from outpost.core.crypto.keys import KeyConfigurationError
    from outpost.core.crypto.verify import verify_keys

    try:
        verify_keys(write=False)
    except KeyConfigurationError as exc:
        return [
            Error(
                f"Encryption at rest: {exc}",
                hint="See the README's 'Encryption at rest' for where the key file goes.",
                id="outpost.E005",
            )
        ]
    return []
