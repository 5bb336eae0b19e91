"""Settings for `make bench`: production settings, served plainly over loopback.

Everything that shapes a request's cost (middleware, session auth, CSP, axes,
templates, persistent connections) comes unchanged from rlsapp.settings. Only what
needs HTTPS or collected static files is relaxed, and the database is the bench's
own (bench.database), because seeding wipes it.
"""

from rlsapp.settings import *  # noqa: F403

from . import database

DEBUG = False
ROOT_URLCONF = "bench.urls"
# The test client (used to count queries) calls itself "testserver".
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
# Serve static files straight from the source folders: nothing to collect first.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = None
# Reminders are built and "sent" in full; only the SMTP round trip is left out.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

DATABASES = {"default": database.bench_database()}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # As rlsapp.settings does for the app's own database.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
