"""ipsworks settings: one module, every value from the environment, secure by default.

Environment variables:
  IPSWORKS_ENV            production (default), demo, development or test
  IPSWORKS_SECRET_KEY     required in production; demo/development/test use a fixed local key
  IPSWORKS_DEBUG          "1" turns Django's debug pages on (never on by default)
  IPSWORKS_ALLOWED_HOSTS  comma-separated host names (default: localhost names outside production)
  DATABASE_URL            database URL; default a SQLite file in IPSWORKS_DATA_DIR
  IPSWORKS_DATA_DIR       folder for the SQLite file, uploads and collected static files
                          (default: data/ beside the ipsworks package, i.e. ./data in a
                          checkout; required in production when ipsworks is pip-installed)
  IPSWORKS_STATIC_ROOT    where collectstatic writes (default IPSWORKS_DATA_DIR/static)
  IPSWORKS_DB_CONN_MAX_AGE  seconds a database connection is kept open (default 0)
  IPSWORKS_HSTS_SECONDS   Strict-Transport-Security max-age in production (default 0: off)
  IPSWORKS_SSL_REDIRECT   "0" stops production redirecting HTTP to HTTPS (default on)
  IPSWORKS_EMAIL_URL      "console" (the default; in production `check --deploy` objects) or
                          smtp://host:25, smtp+tls://user:pass@host:587 (STARTTLS; also
                          submission://), smtps://user:pass@host:465 (TLS)
  IPSWORKS_DEFAULT_FROM_EMAIL  sender address (default ipsworks@localhost)
  IPSWORKS_SESSION_AGE_MINUTES, IPSWORKS_LOCKOUT_ATTEMPTS  see the README
  IPSWORKS_LOG_LEVEL      root log level (default WARNING)
"""

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


ENV = os.environ.get("IPSWORKS_ENV", "production").strip().lower()
if ENV not in {"production", "demo", "development", "test"}:
    raise ImproperlyConfigured(
        f"IPSWORKS_ENV={ENV!r} is not one of production, demo, development, test."
    )
PRODUCTION = ENV == "production"

DEBUG = env_flag("IPSWORKS_DEBUG", default=False)

SECRET_KEY = os.environ.get("IPSWORKS_SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured(
            "ipsworks refuses to start in production without a secret key: set "
            "IPSWORKS_SECRET_KEY to a long random value (for example the output of "
            "`python -c 'import secrets; print(secrets.token_urlsafe(50))'`), or set "
            "IPSWORKS_ENV=demo to run the local demo."
        )
    SECRET_KEY = f"ipsworks-{ENV}-only-not-secret-0d5f6c1e9a7b4c3e8f2a"  # noqa: S105

default_hosts = "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("IPSWORKS_ALLOWED_HOSTS", default_hosts).split(",")
    if h.strip()
]

if PRODUCTION and not os.environ.get("IPSWORKS_DATA_DIR") and "site-packages" in PROJECT_DIR.parts:
    # A pip-installed ipsworks would otherwise keep its database, uploads and static files
    # inside the Python environment, where the next upgrade or rebuild loses them.
    raise ImproperlyConfigured(
        "Set IPSWORKS_DATA_DIR to the folder where ipsworks keeps its uploads (and its SQLite "
        "database and collected static files, unless configured elsewhere): an installed "
        "ipsworks will not keep them inside the Python environment."
    )
DATA_DIR = Path(os.environ.get("IPSWORKS_DATA_DIR", PROJECT_DIR / "data")).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "django_htmx",
    "ipsworks.core",
    "ipsworks.organisation",
    "ipsworks.accounts",
    "ipsworks.audit",
    "ipsworks.caseload",
    "ipsworks.returns",
    "ipsworks.outcomes",
    "ipsworks.fidelity",
    "ipsworks.evaluation",
    "ipsworks.funding",
    "ipsworks.api",
    "ipsworks.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ipsworks.core.sessions.SlidingSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "ipsworks.core.busy.BusyDatabaseMiddleware",
]

ROOT_URLCONF = "ipsworks.urls"
WSGI_APPLICATION = "ipsworks.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ipsworks.core.context_processors.shell",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DATA_DIR / 'ipsworks.sqlite3'}",
        conn_max_age=int(os.environ.get("IPSWORKS_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions expire after a period of inactivity and when the browser closes.
SESSION_COOKIE_AGE = int(os.environ.get("IPSWORKS_SESSION_AGE_MINUTES", "30")) * 60
SESSION_SAVE_EVERY_REQUEST = False  # the expiry slides through core.sessions instead
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION and env_flag("IPSWORKS_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_HSTS_SECONDS = int(os.environ.get("IPSWORKS_HSTS_SECONDS", "0")) if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
}

# Lockout after repeated failed sign-ins (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("IPSWORKS_LOCKOUT_ATTEMPTS", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("IPSWORKS_STATIC_ROOT", DATA_DIR / "static"))
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
WHITENOISE_USE_FINDERS = not PRODUCTION
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "uploads"

email_url = os.environ.get("IPSWORKS_EMAIL_URL", "" if PRODUCTION else "console")
if email_url in ("", "console"):
    MAILERS = {
        "default": {
            "BACKEND": (
                "django.core.mail.backends.locmem.EmailBackend"
                if ENV == "test"
                else "django.core.mail.backends.console.EmailBackend"
            )
        }
    }
else:
    parsed = urlparse(email_url)
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": parsed.hostname or "localhost",
                "port": parsed.port or 25,
                "username": unquote(parsed.username or ""),
                "password": unquote(parsed.password or ""),
                "use_tls": parsed.scheme in {"smtp+tls", "submission"},
                "use_ssl": parsed.scheme == "smtps",
            },
        }
    }
DEFAULT_FROM_EMAIL = os.environ.get("IPSWORKS_DEFAULT_FROM_EMAIL", "ipsworks@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("IPSWORKS_LOG_LEVEL", "WARNING")},
}
