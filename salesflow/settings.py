"""Django settings for Salesflow.

Everything comes from environment variables; the defaults give a working
development app on SQLite under ``<repo>/var/``. See ``salesflow/config.py``
for the parsing rules. Main variables:

``DEBUG`` (default true), ``SECRET_KEY`` (required when DEBUG is off),
``ALLOWED_HOSTS`` (comma list), ``CSRF_TRUSTED_ORIGINS`` (comma list),
``DATABASE_URL`` (sqlite:/// or postgres://), ``TIME_ZONE``,
``SECURE_COOKIES`` (mark session/CSRF cookies Secure; default false),
``LOG_LEVEL`` (default INFO), ``SALESFLOW_TRUSTED_PROXIES`` and the ``SALESFLOW_SIGNIN_*`` limits
of sign-in throttling (see README, Configuration).
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from salesflow.config import env_bool, env_int, env_list, env_networks, parse_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    SECRET_KEY = "django-insecure-salesflow-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

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
    "salesflow.quality",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "salesflow.web.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "salesflow.web.limits.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
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
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'salesflow.sqlite3'}"
_default_db = parse_database_url(DATABASE_URL, base_dir=BASE_DIR)
if _default_db["ENGINE"].endswith("sqlite3") and _default_db["NAME"] != ":memory:":
    Path(_default_db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": _default_db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Authentication -------------------------------------------------------
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = LOGIN_URL

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
