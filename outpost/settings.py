"""Outpost settings. This is the one module that reads the environment.

Environment variables:
    OUTPOST_MODE     "embedded" (default: one machine, SQLite) or "production"
    DATABASE_URL     default: sqlite:///var/outpost.sqlite3 (WAL mode, busy timeout)
    SECRET_KEY       required in production; embedded mode generates one under var/
    ALLOWED_HOSTS    comma-separated; default 127.0.0.1,localhost
    DEBUG            "1" to turn debugging on (never in production)
    OUTPOST_VAR_DIR  where the SQLite file, secret key and uploads live (default ./var)
    OUTPOST_MEDIA_DIR  uploaded import files and exports (default <var dir>/media); one
                       directory shared by every app server and worker machine
    OUTPOST_BASE_URL the address people open Outpost at, for links sent by SMS
                     (default http://127.0.0.1:8000)
    SECURE_SSL_REDIRECT  production only, default "1"; set "0" when TLS ends at a proxy
                         that does not set X-Forwarded-Proto
    OUTPOST_TRUSTED_PROXIES  comma-separated addresses or networks (10.0.0.5, 10.0.0.0/24) of
                         the reverse proxies in front of Outpost: requests from them take
                         their scheme and client address from X-Forwarded-Proto and
                         X-Forwarded-For; these headers from anyone else are dropped
    OUTPOST_SMS_BACKEND    where SMS go: "file" (default, var/outbox/sms.jsonl), "console",
                           or "http" (POST {"to", "text"} as JSON to OUTPOST_SMS_GATEWAY_URL)
    OUTPOST_SMS_GATEWAY_URL  the SMS gateway's URL for the "http" backend
    OUTPOST_EMAIL_BACKEND  where email goes: "file" (default, var/outbox/email.jsonl),
                           "console", or "django" (Django's EMAIL_* settings: EMAIL_HOST…)
    EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, DEFAULT_FROM_EMAIL
                           the SMTP server for the "django" email backend
    OUTPOST_CLASSIFICATION  the marking printed at the head and foot of every page of a
                           printed report (default "内部资料 注意保存"; empty: none)
    OUTPOST_RETENTION_MINIMUM_DAYS  legal minimum retention periods per kind of record,
                           "kind=days,kind=days" (default "core.accesslog=1095"); a policy
                           shorter than its minimum is refused, and the purge never goes below it
    OUTPOST_PHOTO_KEEP_LOCATION  "1" keeps the GPS position in inspection photos' EXIF
                           (default: removed on upload)
    OUTPOST_PHOTO_MAX_MB   the largest photo accepted (inspections, seized items), in MB (default 10)
"""

import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def _flag(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


MODE = os.environ.get("OUTPOST_MODE", "embedded").strip().lower()
PRODUCTION = MODE == "production"
VAR_DIR = Path(os.environ.get("OUTPOST_VAR_DIR", PROJECT_DIR / "var")).resolve()
# var/ holds the database, the secret key, uploads, exports and outgoing messages: personal
# data. Whatever this process creates (there, and reports written elsewhere) is for its own
# user only: files 0600, directories 0700. `check --deploy` reports anything looser.
os.umask(0o077)
VAR_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
if VAR_DIR.stat().st_uid == os.geteuid():
    VAR_DIR.chmod(0o700)  # a var/ made by an older version, or by hand, closes too

DEBUG = _flag("DEBUG") and not PRODUCTION


def _secret_key() -> str:
    key = os.environ.get("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise RuntimeError("SECRET_KEY must be set when OUTPOST_MODE=production")
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(50))
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")
    if h.strip()
]
# Links that leave Outpost (a resident's self-report link by SMS) must be absolute.
OUTPOST_BASE_URL = os.environ.get("OUTPOST_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# The marking of printed reports (密级/内部资料), on every page of every PDF.
OUTPOST_CLASSIFICATION = os.environ.get("OUTPOST_CLASSIFICATION", "内部资料 注意保存").strip()
# Behind a reverse proxy every request comes from the proxy's address; only the proxies
# named here are believed about the client's address and scheme (core.middleware).
OUTPOST_TRUSTED_PROXIES = [
    p.strip() for p in os.environ.get("OUTPOST_TRUSTED_PROXIES", "").split(",") if p.strip()
]
# Encryption at rest (core.crypto.keys): the data and blind-index keys, as the JSON of a key
# file given inline (a secret manager), or the path of a key file. Neither: outside
# production a key file var/keys.json is made on first use; production refuses to start.
OUTPOST_DATA_KEYS = os.environ.get("OUTPOST_DATA_KEYS", "").strip()
OUTPOST_KEY_FILE = os.environ.get("OUTPOST_KEY_FILE", "").strip()
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # The API docs page then serves Swagger UI from our own static files, not a CDN with
    # inline script (the Content-Security-Policy allows neither).
    "ninja",
    "simple_history",
    "axes",
    "django_tasks",
    # Before django_tasks_db: its `db_worker` command is replaced by core's (heartbeats).
    "outpost.core",
    "django_tasks_db",
    "outpost.registry",
    "outpost.screening",
    "outpost.keypersons",
    "outpost.notify",
    "outpost.dispatch",
    "outpost.observation",
    "outpost.enterprises",
    "outpost.inquiries",
    "outpost.cases",
    "outpost.publicorder",
    "outpost.duty",
    "outpost.briefing",
    "outpost.fieldwork",
    "outpost.demo",
]

MIDDLEWARE = [
    # First: everything below (SSL redirect, HSTS, axes, the access log) must see the
    # client's real scheme and address, not the proxy's.
    "outpost.core.middleware.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "outpost.core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "outpost.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "outpost.urls"
FORM_RENDERER = "outpost.core.renderers.FormRenderer"
WSGI_APPLICATION = "outpost.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "outpost.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'outpost.sqlite3'}"),
        # A connection per server thread, kept for a minute: a new one per request costs
        # more than a self-report does (SQLite reads the schema again, PostgreSQL starts a
        # process). Not under the debug server, which starts a thread per request.
        conn_max_age=0 if DEBUG else 60,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the task worker read while the other writes;
    # IMMEDIATE transactions and a busy timeout make concurrent writers wait, not fail.
    # Django's backend, with the writers of one process queued in line for the write
    # lock instead of retrying in SQLite's busy handler (see the module).
    DATABASES["default"]["ENGINE"] = "outpost.core.backends.sqlite3"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # Tests on SQLite run in memory, as with Django's own backend: named explicitly, since
    # pytest-django only knows Django's engine name and would otherwise derive a file name
    # from the path of the demo database (and fail to open it).
    DATABASES["default"]["TEST"] = {"NAME": ":memory:"}
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A station's tables (a few hundred MB) stay in memory, where reading a row through an
    # index costs about what reading it in sequence does. PostgreSQL's default (4.0) prices
    # the index read for a spinning disk, so the planner read all 116,782 residents to find
    # one office's 14,000: the likely-duplicates page took 157 ms instead of 42. A
    # DATABASE_URL with its own `?options=` replaces this.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c random_page_cost=1.1")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lock a username from an address after 5 failures within an hour; staff behind one
# shared address (a station NAT) are not locked out by a colleague's typos.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# A working day, and no longer: a shared phone must not stay logged in overnight.
SESSION_COOKIE_AGE = 10 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", "1")
    # No SECURE_PROXY_SSL_HEADER: it would believe X-Forwarded-Proto from anyone.
    # TrustedProxyMiddleware sets the scheme from the trusted proxies' header only.
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LANGUAGE_CODE = "zh-hans"
FORMAT_MODULE_PATH = ["outpost.formats"]
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Embedded mode serves static files straight from the apps, with no collectstatic step.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
# Uploaded import files and export files, through Django's storage API only: with app
# servers and workers on several machines, point this at one shared directory (NFS…).
MEDIA_ROOT = Path(os.environ.get("OUTPOST_MEDIA_DIR", VAR_DIR / "media")).resolve()
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_DIRECTORY_PERMISSIONS = 0o700

# Outbound messages (notify): nothing leaves the machine unless a backend is configured.
NOTIFY = {
    "sms": os.environ.get("OUTPOST_SMS_BACKEND", "file"),
    "sms_gateway_url": os.environ.get("OUTPOST_SMS_GATEWAY_URL", ""),
    "email": os.environ.get("OUTPOST_EMAIL_BACKEND", "file"),
    "wecom": os.environ.get("OUTPOST_WECOM_BACKEND", "file"),
    "outbox_dir": VAR_DIR / "outbox",
    # Real channels (README "Message channels"): the providers' pre-approved signature and
    # template, their keys, their endpoints (overridable: the tests' fakes listen on
    # loopback), the receipts' secret path token and each provider's rate limit.
    "sms_sign_name": os.environ.get("OUTPOST_SMS_SIGN_NAME", ""),
    "sms_template": os.environ.get("OUTPOST_SMS_TEMPLATE", ""),
    "sms_template_param": os.environ.get("OUTPOST_SMS_TEMPLATE_PARAM", "content"),
    "aliyun_access_key_id": os.environ.get("OUTPOST_ALIYUN_ACCESS_KEY_ID", ""),
    "aliyun_access_key_secret": os.environ.get("OUTPOST_ALIYUN_ACCESS_KEY_SECRET", ""),
    "aliyun_endpoint": os.environ.get(
        "OUTPOST_ALIYUN_SMS_ENDPOINT", "https://dysmsapi.aliyuncs.com"
    ),
    "tencent_secret_id": os.environ.get("OUTPOST_TENCENT_SECRET_ID", ""),
    "tencent_secret_key": os.environ.get("OUTPOST_TENCENT_SECRET_KEY", ""),
    "tencent_sms_app_id": os.environ.get("OUTPOST_TENCENT_SMS_APP_ID", ""),
    "tencent_region": os.environ.get("OUTPOST_TENCENT_REGION", "ap-guangzhou"),
    "tencent_endpoint": os.environ.get(
        "OUTPOST_TENCENT_SMS_ENDPOINT", "https://sms.tencentcloudapi.com"
    ),
    "wecom_corp_id": os.environ.get("OUTPOST_WECOM_CORP_ID", ""),
    "wecom_secret": os.environ.get("OUTPOST_WECOM_SECRET", ""),
    "wecom_agent_id": os.environ.get("OUTPOST_WECOM_AGENT_ID", ""),
    "wecom_robot_key": os.environ.get("OUTPOST_WECOM_ROBOT_KEY", ""),
    "wecom_endpoint": os.environ.get("OUTPOST_WECOM_ENDPOINT", "https://qyapi.weixin.qq.com"),
    "receipt_token": os.environ.get("OUTPOST_NOTIFY_RECEIPT_TOKEN", ""),
    "rate_per_second": int(os.environ.get("OUTPOST_NOTIFY_RATE_PER_SECOND", "10")),
    "timeout": float(os.environ.get("OUTPOST_NOTIFY_TIMEOUT", "10")),
    "max_attempts": int(os.environ.get("OUTPOST_NOTIFY_MAX_ATTEMPTS", "6")),
}


def _minimum_days(text: str) -> dict[str, int]:
    """ "core.accesslog=1095,observation.episode=30" -> {kind: days}."""
    minimums = {}
    for item in text.split(","):
        kind, _sep, days = item.partition("=")
        if kind.strip():
            minimums[kind.strip()] = int(days.strip())
    return minimums


# Retention (保存期限): legal minimum periods per kind of record (the access log: 3 years).
OUTPOST_RETENTION_MINIMUM_DAYS = _minimum_days(
    os.environ.get("OUTPOST_RETENTION_MINIMUM_DAYS", "core.accesslog=1095")
)
# Inspection photos (社会面管控): their EXIF location is removed on upload unless kept here;
# a photo larger than OUTPOST_PHOTO_MAX_MB is refused.
OUTPOST_PHOTO_KEEP_LOCATION = _flag("OUTPOST_PHOTO_KEEP_LOCATION")
OUTPOST_PHOTO_MAX_MB = int(os.environ.get("OUTPOST_PHOTO_MAX_MB", "10"))
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "outpost@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"outpost": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
