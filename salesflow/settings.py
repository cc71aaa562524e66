"""Django settings for Salesflow.

Everything comes from environment variables; the defaults give a working
development app on SQLite under ``<repo>/var/``. See ``salesflow/config.py``
for the parsing rules. Main variables:

``DEBUG`` (default off; ``make run`` turns it on), ``SECRET_KEY`` (generated into
``var/secret_key`` on first start when unset), ``SALESFLOW_VAR_DIR`` (where ``var/`` is),
``ALLOWED_HOSTS`` (comma list), ``CSRF_TRUSTED_ORIGINS`` (comma list of origins),
``TRUST_PROXY_HEADERS`` (behind a reverse proxy: trust X-Forwarded-Proto/Host),
``DATABASE_URL`` (sqlite:/// or postgres://), ``DATABASE_CONN_MAX_AGE`` (persistent connections, s),
``SALESFLOW_REPORT_CACHE_SECONDS`` (report cache slot), ``SALESFLOW_CACHE_DIR`` (shared cache files), ``SALESFLOW_PDF_WORKERS`` and
``SALESFLOW_PRERENDER_GUIDELINES`` (guideline PDFs), ``TIME_ZONE``,
``SECURE_COOKIES`` (mark session/CSRF cookies Secure; default false),
``LOG_LEVEL`` (default INFO), ``SALESFLOW_TRUSTED_PROXIES`` and the ``SALESFLOW_SIGNIN_*`` limits
of sign-in throttling (see README, Configuration),
``EMAIL_URL`` (smtp://, smtps://, console:), ``EMAIL_FROM``, ``SALESFLOW_BASE_URL``,
``METRICS_TOKEN`` / ``METRICS_ALLOWED_IPS`` (who may read /metrics), ``LOG_LEVEL`` (default INFO).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from salesflow.config import (
    allowed_hosts,
    env_bool,
    env_int,
    env_list,
    env_networks,
    parse_database_url,
    parse_email_url,
    secret_key,
    trusted_origins,
    var_dir,
)
from salesflow.sso.config import BACKEND as SSO_BACKEND
from salesflow.sso.config import MODEL_BACKEND, sso_settings

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = var_dir(BASE_DIR)

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key(VAR_DIR, DEBUG)
ALLOWED_HOSTS = allowed_hosts(DEBUG)
CSRF_TRUSTED_ORIGINS = trusted_origins()

# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto / X-Forwarded-Host.
TRUST_PROXY_HEADERS = env_bool("TRUST_PROXY_HEADERS", False)
if TRUST_PROXY_HEADERS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    USE_X_FORWARDED_HOST = True

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "salesflow.people",
    "salesflow.records",
    "salesflow.web",
    "salesflow.guidelines",
    "ninja",  # the API docs page from local static files (no CDN)
    "salesflow.api",
    "salesflow.analytics",
    "salesflow.accounts",
    "salesflow.interop",
    "salesflow.currency",
    "salesflow.ops",
    "salesflow.mail",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "salesflow.sso",
    "salesflow.quality",
    "salesflow.risks",
    "salesflow.material",
    "salesflow.products",
    "salesflow.quotes",
    "salesflow.coaching",
    "salesflow.forecasting",
    "salesflow.activities",
    "salesflow.lists",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "salesflow.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "salesflow.web.limits.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "salesflow.sso.twofactor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "salesflow.web.password_duty.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

#: A form or JSON body larger than this answers 413 (uploads: see salesflow/web/limits.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

ROOT_URLCONF = "salesflow.urls"
WSGI_APPLICATION = "salesflow.wsgi.application"
ASGI_APPLICATION = "salesflow.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "salesflow.web.context.navigation",
                "salesflow.sso.context.sign_in_options",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'salesflow.sqlite3'}"
_default_db = parse_database_url(DATABASE_URL, base_dir=BASE_DIR)
if _default_db["ENGINE"].endswith("sqlite3") and _default_db["NAME"] != ":memory:":
    Path(_default_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
#: Persistent database connections (seconds; 0 = a new connection per request). Reusing the connection saves
#: the connect and session set-up of every request (issue 18: API over HTTP); health-checked before reuse.
_default_db["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 300, minimum=0)
_default_db["CONN_HEALTH_CHECKS"] = True
DATABASES = {"default": _default_db}
#: Django's cache: files under ``var/cache/django`` (``SALESFLOW_CACHE_DIR``), shared by the server's worker processes —
#: a report one of them computed is served by all (no extra service); the dashboard's reports and panels are
#: cached in it per event-log head (`salesflow.analytics.cache`). Its files hold report figures: the same
#: protection as ``var/`` (the SQLite database) applies.
CACHE_DIR = Path(os.environ.get("SALESFLOW_CACHE_DIR") or VAR_DIR / "cache" / "django")
CACHES = {"default": {"BACKEND": "salesflow.web.filecache.SharedFileCache", "LOCATION": str(CACHE_DIR),
                      "OPTIONS": {"MAX_ENTRIES": 2000}}}
#: How long a cached report may speak of "now" (seconds); 0 switches the report cache off.
SALESFLOW_REPORT_CACHE_SECONDS = env_int("SALESFLOW_REPORT_CACHE_SECONDS", 600, minimum=0)
#: Worker processes rendering an audit pack's missing guideline PDFs (`salesflow.guidelines.pdf_workers`);
#: unset: the CPU count, at most 4; 1: in the calling process.
SALESFLOW_PDF_WORKERS = env_int("SALESFLOW_PDF_WORKERS", 0, minimum=1, maximum=64) or None
#: Render an approved version's guideline PDFs in the background right after the approval
#: (`salesflow.guidelines.prerender`).
SALESFLOW_PRERENDER_GUIDELINES = env_bool("SALESFLOW_PRERENDER_GUIDELINES", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = LOGIN_URL

# Single sign-on (OpenID Connect) when OIDC_RP_CLIENT_ID is set; see salesflow/sso/config.py.
_sso = sso_settings(os.environ)
SSO_ENABLED: bool = _sso.pop("SSO_ENABLED")
globals().update(_sso)
#: Local passwords for the web app (off: single sign-on is the only way in; API tokens keep working).
LOCAL_LOGIN = env_bool("LOCAL_LOGIN", True)
if not LOCAL_LOGIN and not SSO_ENABLED:
    raise ImproperlyConfigured("LOCAL_LOGIN is off but single sign-on is not configured (OIDC_RP_CLIENT_ID): "
                               "nobody could sign in")
AUTHENTICATION_BACKENDS = ([SSO_BACKEND] if SSO_ENABLED else []) + ([MODEL_BACKEND] if LOCAL_LOGIN else [])
LOGIN_REDIRECT_URL_FAILURE = "/account/sso/failed/"
OIDC_STORE_ID_TOKEN = False
#: Roles whose holders must use a second factor (TOTP) with a local password, e.g. "admin,head_of_sales".
REQUIRE_2FA_ROLES = env_list("SALESFLOW_REQUIRE_2FA_ROLES", "")
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "Salesflow")

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Sign-in throttling (see salesflow/people/throttle.py) ---------------------
#: Proxies (addresses or CIDR networks) whose X-Forwarded-For header is believed; empty: none.
SALESFLOW_TRUSTED_PROXIES = env_networks("SALESFLOW_TRUSTED_PROXIES")
#: Failed sign-ins for one account within the window that lock the account.
SALESFLOW_SIGNIN_ACCOUNT_LIMIT = env_int("SALESFLOW_SIGNIN_ACCOUNT_LIMIT", 5, maximum=1000)
#: Failed sign-ins from one client address within the window that lock the address (well above the account's).
SALESFLOW_SIGNIN_ADDRESS_LIMIT = env_int("SALESFLOW_SIGNIN_ADDRESS_LIMIT", 100, maximum=100000)
SALESFLOW_SIGNIN_WINDOW_SECONDS = env_int("SALESFLOW_SIGNIN_WINDOW_SECONDS", 15 * 60, maximum=7 * 24 * 3600)
SALESFLOW_SIGNIN_LOCK_SECONDS = env_int("SALESFLOW_SIGNIN_LOCK_SECONDS", 15 * 60, maximum=7 * 24 * 3600)
if SALESFLOW_SIGNIN_ADDRESS_LIMIT < 2 * SALESFLOW_SIGNIN_ACCOUNT_LIMIT:
    raise ImproperlyConfigured("SALESFLOW_SIGNIN_ADDRESS_LIMIT must be at least twice SALESFLOW_SIGNIN_ACCOUNT_LIMIT "
                               "(one person's typos must not lock out everyone behind the same address)")

# --- Sessions and security headers ----------------------------------------
SESSION_COOKIE_AGE = 8 * 60 * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Internationalisation -------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "salesflow" / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# WhiteNoise serves the collected files (``salesflow serve`` collects them on start; the reverse proxy
# compresses); in development (and tests) it also finds them in the apps directly.
WHITENOISE_USE_FINDERS = True
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:  # a read-only install: `salesflow serve` reports it when it collects the files
    pass
WHITENOISE_AUTOREFRESH = DEBUG

# --- Operations: health, metrics, worker ----------------------------------
#: Who may read /metrics: a bearer token, or client addresses / networks (comma list).
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", "127.0.0.1,::1")
#: A worker whose heartbeat is older than this many seconds is reported dead by /healthz.
WORKER_HEARTBEAT_TIMEOUT = env_int("WORKER_HEARTBEAT_TIMEOUT", 300, minimum=30)
#: /healthz fails while no worker has ever run (set once the worker is deployed).
HEALTHZ_REQUIRE_WORKER = env_bool("HEALTHZ_REQUIRE_WORKER", False)

# --- E-mail ---------------------------------------------------------------
_email = parse_email_url(os.environ.get("EMAIL_URL", ""))
EMAIL_ENABLED = _email.pop("EMAIL_ENABLED")
globals().update(_email)
DEFAULT_FROM_EMAIL = os.environ.get("EMAIL_FROM", "Salesflow <salesflow@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
#: Send a notification's e-mail right after its transaction commits, in a background thread (the worker
#: retries whatever could not be sent); off: send in the request itself (tests).
MAIL_SEND_IN_BACKGROUND = env_bool("MAIL_SEND_IN_BACKGROUND", True)
#: The address users reach Salesflow at (links in e-mails), e.g. https://sales.example.com
SALESFLOW_BASE_URL = os.environ.get("SALESFLOW_BASE_URL", "").rstrip("/")
if EMAIL_ENABLED and not SALESFLOW_BASE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SALESFLOW_BASE_URL must be set (e.g. https://sales.example.com) when EMAIL_URL is "
                               f"set: e-mails link to records; got {SALESFLOW_BASE_URL!r}")

# --- Logging --------------------------------------------------------------
LOG_LEVEL = os.environ.get("LOG_LEVEL", "INFO").upper()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}
