"""rlsapp settings: everything comes from the environment, with safe local defaults.

With nothing set, the app runs in DEBUG on an SQLite file under ./data, ready
for a first try. With DEBUG off it refuses to start without a SECRET_KEY.
"""

from pathlib import Path

import environ
from csp import constants as csp_constants
from django.core.exceptions import ImproperlyConfigured

from rlsapp import logredact
from rlsapp.assets import policy_sources
from rlsapp.domain.regions import REGIONS

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(environ.Env().str("RLSAPP_DATA_DIR", default=str(BASE_DIR / "data")))

env = environ.Env()
# Docker secrets: VAR_FILE names a file holding VAR.
env.smart_cast = True


def _from_file(name, default=None):
    path = env.str(f"{name}_FILE", default="")
    if path:
        return Path(path).read_text().strip()
    return env.str(name, default=default)


DEBUG = env.bool("DEBUG", default=False if _from_file("SECRET_KEY") else True)

SECRET_KEY = _from_file("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Asked for here; open only with mail configured (below, with the mail settings).
SIGNUP_OPEN = env.bool("SIGNUP_OPEN", default=True)
# Region (how numbers and dates are written, which unit each test defaults to) of accounts
# that have not chosen one: existing accounts on upgrade, and sign-ups whose browser language
# names none. "intl" is what rlsapp showed before regions (decimal point, yyyy-mm-dd dates,
# the units the lab form offered), so upgrading changes nothing anyone sees.
DEFAULT_REGION = env.str("DEFAULT_REGION", default="intl")
if DEFAULT_REGION not in REGIONS:
    raise ImproperlyConfigured(f"DEFAULT_REGION must be one of {', '.join(REGIONS)}.")
# Largest CSV or FHIR file a person may upload for import (bytes).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
# An upload's preview (its parsed health data) is kept this long for the confirm, then
# refused and deleted by `manage.py purge_import_previews`.
IMPORT_PREVIEW_HOURS = env.float("IMPORT_PREVIEW_HOURS", default=3.0)
if IMPORT_PREVIEW_HOURS <= 0:
    raise ImproperlyConfigured("IMPORT_PREVIEW_HOURS must be above 0 (hours, e.g. 3).")
# A deleted person is hidden at once and can be brought back (the Undo in the message shown
# after the delete) for this long; then `manage.py erase_deleted_people` (run by the
# reminders loop every minute too) erases them with their records and change history.
# The Undo is offered once, on the page after the delete: a mistake is seen there or on
# the next page, within minutes, and "deleted" should soon mean gone.
PERSON_UNDO_MINUTES = env.float("PERSON_UNDO_MINUTES", default=30.0)
if PERSON_UNDO_MINUTES <= 0:
    raise ImproperlyConfigured("PERSON_UNDO_MINUTES must be above 0 (minutes, e.g. 30).")
# Django bounds form fields but not uploaded files: refuse any larger body before it is read.
MAX_REQUEST_BYTES = IMPORT_MAX_BYTES + 256 * 1024
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Bootstrap and Chart.js come from jsDelivr by default; a clinic can serve the
# same files itself (same paths, same versions) and point this at that copy.
ASSET_BASE_URL = env.str("ASSET_BASE_URL", default="https://cdn.jsdelivr.net/npm").rstrip("/")

INSTALLED_APPS = [
    # Django's admin, for staff signed in with two-factor only (rlsapp/accounts/admin_site.py).
    "rlsapp.accounts.admin_site.TwoFactorAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "simple_history",
    "rlsapp.accounts",
    "rlsapp.tracking",
    "rlsapp.interop",
    "rlsapp.reminders",
    "rlsapp.charts",
    "rlsapp.web",
    "rlsapp.sharing",
    "rlsapp.links",
]
# Change history is read per person or per record (by their ids), never across everyone by
# date: no index on history_date, which every saved record would update.
SIMPLE_HISTORY_DATE_INDEX = False

# Called by rlsapp.tracking.services after every change to a person's records, in the
# same transaction: the apps that keep state derived from records. Named here because
# they sit above tracking, which may not import them.
RECORDS_CHANGED_HANDLERS = [
    "rlsapp.reminders.services.records_changed",
    # Marks the request that made the change "changed" in the access log.
    "rlsapp.tracking.access_log.records_changed",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files get its headers too.
    "rlsapp.middleware.BrowserFeaturesMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # One access-log row per request that reached a person (tracking/access_log.py).
    "rlsapp.tracking.middleware.AccessLogMiddleware",
    # Here, so its 413 page shows who is signed in; nothing before it reads the body.
    "rlsapp.middleware.RequestSizeLimitMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "rlsapp.middleware.IdleSessionTimeoutMiddleware",
    "rlsapp.middleware.PrivatePagesMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "rlsapp.reconfirm.ReconfirmLimitMiddleware",
    # Last, so its process_exception sees a database failure first and answers 503.
    "rlsapp.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "rlsapp.urls"
WSGI_APPLICATION = "rlsapp.wsgi.application"

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
                "rlsapp.assets.context_processor",
            ],
        },
    },
]

if env.str("DATABASE_URL", default=""):
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "rlsapp.sqlite3",
        }
    }
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
# The worklist's statement is prepared once per PostgreSQL connection (tracking/compiled.py);
# off behind a pooler in transaction mode, where a connection is not the session's own.
PREPARED_STATEMENTS = env.bool("PREPARED_STATEMENTS", default=True)
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiler starts on any query its planner thinks costly and can spend
    # longer compiling than such a query then runs (bench/results.md). Off for our
    # connections.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Every transaction takes SQLite's write lock as it begins, waiting up to 20 s for it.
    # A transaction that first read and then wrote could not wait: SQLite refused it at once
    # ("database is locked"), so two overlapping writes, such as the two requests of a
    # double-clicked import confirm, failed instead of taking turns.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("transaction_mode", "IMMEDIATE")
    DATABASES["default"]["OPTIONS"].setdefault("timeout", 20)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Pages cache their rendering under each person's data version (rlsapp/tracking/caching.py),
# so a per-process memory cache is correct; CACHE_URL may name a shared one instead.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out client is refused before its password is even checked.
    "rlsapp.accounts.throttling.LoginThrottleBackend",
    # Django's password check, for accounts with a confirmed email address only.
    "rlsapp.accounts.backends.ConfirmedEmailBackend",
]

# Login throttling (django-axes): 5 failures for one email from one address lock that
# pair out for an hour. Locking by email alone would let anyone lock a user out.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
# Slow spraying (one address trying many emails) is bounded too: an address with this many
# failures within the cool-off time, whatever the emails, waits the cool-off out. The second
# lockout parameter counts them; our handler applies this limit to it (throttling.py).
AXES_ADDRESS_FAILURE_LIMIT = env.int("AXES_ADDRESS_FAILURE_LIMIT", default=20)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "rlsapp.accounts.throttling.SignInAttemptHandler"
# Sign-in logs (email, client address, browser, times) are kept this many days, then
# deleted by `manage.py purge_signin_logs`; deleting an account deletes its logs at once.
AXES_LOG_RETENTION_DAYS = env.int("AXES_LOG_RETENTION_DAYS", default=30)
# Each person's access log (who viewed, changed, exported; tracking/access_log.py) is kept
# this many days, its client addresses this many; `manage.py purge_access_log` (daily).
ACCESS_LOG_RETENTION_DAYS = env.int("ACCESS_LOG_RETENTION_DAYS", default=365)
ACCESS_LOG_ADDRESS_DAYS = env.int("ACCESS_LOG_ADDRESS_DAYS", default=30)
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False
# Axes logs its "client string"; ours leaves the email address out of the logs.
AXES_CLIENT_STR_CALLABLE = "rlsapp.accounts.throttling.client_str"
# Reverse proxies in front of the app, each appending the address it saw to X-Forwarded-For
# (0: clients connect directly). The client's address is the PROXY_COUNT-th from the right;
# anything to its left was sent by the client and is ignored.
PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
# django-ipware (axes' `ipware` extra) counts only the proxies named inside the header, so
# the outermost proxy, which is REMOTE_ADDR, is not one of them. Not strict: a header the
# client started itself is longer than that and must still give the proxy's entry.
AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1 if PROXY_COUNT else None
AXES_IPWARE_META_PRECEDENCE_ORDER = (
    ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if PROXY_COUNT else ["REMOTE_ADDR"]
)
IPWARE_STRICT = False

OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="rlsapp")

# Wrong passwords re-entered while signed in (rlsapp/reconfirm.py) before the session ends,
# counted per user over this window.
PASSWORD_RECONFIRM_LIMIT = env.int("PASSWORD_RECONFIRM_LIMIT", default=5)
PASSWORD_RECONFIRM_WINDOW_SECONDS = 3600

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Mail: EMAIL_URL names the backend. Unset (or empty), DEBUG prints mail to the console
# for a first try; with DEBUG off nothing is sent, and nothing printed: emails hold reset
# links and health values, so they reach the log only if the operator names
# consolemail:// explicitly. MAIL_CONFIGURED says whether mail can reach anyone; without
# it open sign-up is off and links that would be mailed are shown instead.
NO_MAIL_BACKEND = "rlsapp.nomail.EmailBackend"
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = NO_MAIL_BACKEND
MAIL_CONFIGURED = EMAIL_BACKEND not in (
    NO_MAIL_BACKEND,
    "django.core.mail.backends.dummy.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="rlsapp <rlsapp@localhost>")
# Seconds a mail server may take to answer. Django's default waits for ever: a server that
# accepts the connection and never answers held the reminder sender (and a web worker after
# a password reset) for good.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT_SECONDS", default=30)

# Open sign-up needs mail to confirm addresses: without it, it stays closed whatever
# SIGNUP_OPEN says, and accounts are made by the operator (add_user, the admin).
SIGNUP_OPEN = SIGNUP_OPEN and MAIL_CONFIGURED
# A sign-up's confirmation link works this long; each address gets at most one sign-up
# email per SIGNUP_MAIL_INTERVAL (both in seconds).
EMAIL_CONFIRM_TIMEOUT = env.int("EMAIL_CONFIRM_HOURS", default=48) * 3600
SIGNUP_MAIL_INTERVAL = env.int("SIGNUP_MAIL_INTERVAL_MINUTES", default=15) * 60
# An invitation to share a person's records works this many days, once (rlsapp/sharing).
SHARING_INVITATION_DAYS = env.int("SHARING_INVITATION_DAYS", default=7)
# At most one password-reset email per address this often (seconds).
PASSWORD_RESET_MAIL_INTERVAL = env.int("PASSWORD_RESET_MAIL_INTERVAL_MINUTES", default=15) * 60
# Sign-ups and password resets, together, one client address may ask for in an hour
# (rlsapp.accounts.throttling.client_may_ask_for_mail): each mails whatever address it names.
MAIL_FORMS_PER_CLIENT_HOUR = env.int("MAIL_FORMS_PER_CLIENT_HOUR", default=20)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Production hardening; `manage.py check --deploy` is clean with DEBUG off.
# X-Forwarded-Proto says whether the client used HTTPS only if a proxy (AXES_PROXY_COUNT)
# sets it; without one, any client could send it.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PROXY_COUNT else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SESSION_COOKIE_HTTPONLY = True
# A session unused this long ends (rlsapp.middleware.IdleSessionTimeoutMiddleware), and
# every session this long after it signed in, however active (0 turns either off).
SESSION_IDLE_TIMEOUT_HOURS = env.float("SESSION_IDLE_TIMEOUT_HOURS", default=12)
SESSION_LIFETIME_HOURS = env.float("SESSION_LIFETIME_HOURS", default=14 * 24)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "rlsapp.middleware.csrf_failure"
# Browser features no page uses, turned off for every page (rlsapp.middleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"

# Content-Security-Policy (django-csp 4): scripts only from us and the pinned CDN, and inline
# scripts only with the per-request nonce (`<script nonce="{{ request.csp_nonce }}">`).
# The CDN is allowed file by file, each pinned file's whole address (rlsapp.assets): jsDelivr's
# /npm/ serves every package anyone publishes (and /gh/ any GitHub repository).
# Bootstrap's CSS draws its icons from data: URIs, hence img-src data:.
_CDN = ASSET_BASE_URL if ASSET_BASE_URL.startswith("https://") else None
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", *policy_sources(_CDN, ".js"), csp_constants.NONCE],
        "style-src": ["'self'", *policy_sources(_CDN, ".css")],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SILENCED_SYSTEM_CHECKS = [] if env.bool("SECURE_HSTS_PRELOAD", default=False) else ["security.W021"]

# Secrets in URLs (calendar feed, reset and confirmation links, import previews) are
# redacted from every log record this process makes (rlsapp/logredact.py).
logredact.install()
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # One line per request naming a host not in ALLOWED_HOSTS, and per refused request
    # (403, 404, ...), not a traceback each; a server error keeps its traceback.
    "filters": {
        "without_traceback": {"()": "rlsapp.logredact.WithoutTraceback"},
        "client_errors_without_traceback": {"()": "rlsapp.logredact.ClientErrorsWithoutTraceback"},
    },
    "loggers": {
        "django.security.DisallowedHost": {"filters": ["without_traceback"]},
        "django.request": {"filters": ["client_errors_without_traceback"]},
    },
}
