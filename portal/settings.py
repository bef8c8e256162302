"""Settings of the 287(g) Program Portal, driven by the environment.

Every value a deployment changes comes from an environment variable. With none set the
portal runs for development: DEBUG on, SQLite under ``var/``, Celery tasks in-process,
e-mail printed to the console. With ``DEBUG`` off, ``SECRET_KEY`` is required.
"""

import datetime as dt
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set in the environment when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_celery_beat",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "mozilla_django_oidc",
    "portal",
    "agreements",
    "staffing",
    "itdeploy",
    "training",
    "oversight",
    "axes",  # last, as django-axes asks, so its checks see every other app
]

MIDDLEWARE = [
    "portal.logs.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "portal.headers.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "portal.audit.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.accounts.middleware.SessionLimitsMiddleware",
    "portal.accounts.middleware.TwoFactorMiddleware",
    "portal.access.PagePolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
                "portal.context_processors.navigation",
                "portal.context_processors.sweep_banner",
                "oversight.context_processors.inbox",
            ],
        },
    },
]

# Database: DATABASE_URL, or a SQLite file under var/ for development and tests.
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        # Persistent connections (docs/performance.md), checked before reuse so a
        # connection the server dropped is replaced rather than failing a request.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
elif DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    # PostgreSQL's JIT compiles the officers' standing queries for seconds (their many
    # subplans make the estimated cost look large) to run them in tens of milliseconds:
    # off by default, measured by benchmarks/bench_officers.py (docs/training.md).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = f"-c jit={os.environ.get('PG_JIT', 'off')}"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in: django-axes first (it refuses a locked-out user or address before any password
# is checked), then the staff accounts, then federal single sign-on when configured.
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_RP_CLIENT_ID", "")
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    *(["portal.accounts.oidc.StaffOIDCBackend"] if OIDC_ENABLED else []),
]

# django-axes: lock out after AXES_FAILURE_LIMIT failures for a username or for a client
# address (each counted on its own); the lock lifts after AXES_COOLOFF_MINUTES (0: only
# when HQ unlocks it on /accounts/lockouts/ or in the admin).
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_LOCKOUT_PARAMETERS = env_list("AXES_LOCKOUT_PARAMETERS", ["username", "ip_address"])
_AXES_COOLOFF_MINUTES = int(os.environ.get("AXES_COOLOFF_MINUTES", "30"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=_AXES_COOLOFF_MINUTES) if _AXES_COOLOFF_MINUTES else None
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "portal.accounts.views.locked_out"
AXES_IPWARE_META_PRECEDENCE_ORDER = env_list("AXES_IPWARE_META_PRECEDENCE_ORDER", ["REMOTE_ADDR"])
AXES_VERBOSE = False
AXES_ENABLE_ADMIN = False  # portal.admin registers the lockouts with an audited unlock action

# Sessions end after SESSION_IDLE_MINUTES without a request and SESSION_MAX_HOURS after
# sign-in, whatever the activity (portal.accounts.middleware.SessionLimitsMiddleware).
SESSION_IDLE_MINUTES = int(os.environ.get("SESSION_IDLE_MINUTES", "30"))
SESSION_MAX_HOURS = int(os.environ.get("SESSION_MAX_HOURS", "12"))

# Two-factor sign-in (TOTP, django-otp): anyone may enrol; with REQUIRE_2FA_FOR_HQ the Unit
# Chief and National Program Managers must, before they reach any page.
REQUIRE_2FA_FOR_HQ = env_bool("REQUIRE_2FA_FOR_HQ", not DEBUG)
OTP_TOTP_ISSUER = "287(g) Program Portal"

# Federal single sign-on through OpenID Connect (mozilla-django-oidc): off unless
# OIDC_RP_CLIENT_ID is set. A signed-in person is matched to an existing, active staff
# account by e-mail; no account is ever created.
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_RP_CLIENT_SECRET", "")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_RP_SIGN_ALGO", "RS256")
OIDC_RP_SCOPES = os.environ.get("OIDC_RP_SCOPES", "openid email profile")
OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("OIDC_OP_AUTHORIZATION_ENDPOINT", "")
OIDC_OP_TOKEN_ENDPOINT = os.environ.get("OIDC_OP_TOKEN_ENDPOINT", "")
OIDC_OP_USER_ENDPOINT = os.environ.get("OIDC_OP_USER_ENDPOINT", "")
OIDC_OP_JWKS_ENDPOINT = os.environ.get("OIDC_OP_JWKS_ENDPOINT", "")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "federal single sign-on")
OIDC_CREATE_USER = False
OIDC_USE_NONCE = True
OIDC_VERIFY_SSL = env_bool("OIDC_VERIFY_SSL", True)
OIDC_TIMEOUT = 10
OIDC_STORE_ID_TOKEN = False
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
if OIDC_ENABLED:
    _missing = [
        name
        for name in (
            "OIDC_RP_CLIENT_SECRET",
            "OIDC_OP_AUTHORIZATION_ENDPOINT",
            "OIDC_OP_TOKEN_ENDPOINT",
            "OIDC_OP_USER_ENDPOINT",
            "OIDC_OP_JWKS_ENDPOINT",
        )
        if not globals()[name]
    ]
    if _missing:
        raise ImproperlyConfigured("OIDC_RP_CLIENT_ID is set, so these must be too: " + ", ".join(_missing))

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = True
USE_TZ = True
# One date format on every page and one for times (docs/architecture.md, "Dates and
# times"): the USWDS date picker's month/day/year, times on the 12-hour clock with the
# time zone, America/New_York ("ET"). Exports and the API write ISO 8601 instead
# (portal/tables.py, DRF's default). Django 5 always localizes, so portal/formats/en
# hands these to the locale machinery; the settings alone would lose to en's formats.
DATE_FORMAT = SHORT_DATE_FORMAT = "m/d/Y"  # 03/16/2025
TIME_FORMAT = r"g:i a \E\T"  # 3:35 p.m. ET
DATETIME_FORMAT = SHORT_DATETIME_FORMAT = r"m/d/Y g:i a \E\T"  # 03/16/2025 3:35 p.m. ET
FORMAT_MODULE_PATH = ["portal.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "var" / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

# Security: strict in production, relaxed only for local development.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_REDIRECT_EXEMPT = [r"^healthz/$", r"^readyz/$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_AGE = SESSION_MAX_HOURS * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# Content-Security-Policy (django-csp): no inline script or style anywhere; every script
# and style sheet is a file under static/.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'", *([os.environ["OIDC_OP_AUTHORIZATION_ENDPOINT"]] if OIDC_ENABLED else [])],
        "frame-ancestors": ["'none'"],
    }
}

# E-mail: notifications of the compliance sweep.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "287g-portal@ice.dhs.gov")
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://127.0.0.1:8000")

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "portal.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["portal.permissions.PolicyPermission"],
    "DEFAULT_PAGINATION_CLASS": "portal.api.pagination.ResultsPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "portal.api.filters.BoundedFilterBackend",
        "portal.api.filters.PortalSearchFilter",
        "portal.api.filters.StableOrderingFilter",
    ],
    # JSON with a nesting limit (API_JSON_MAX_DEPTH); the operations that take a file
    # name portal.api.parsers.UPLOAD_PARSERS (JSON or multipart).
    "DEFAULT_PARSER_CLASSES": ["portal.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "portal.api.errors.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": os.environ.get("API_THROTTLE_RATE", "20000/hour")},
    "DATE_INPUT_FORMATS": ["iso-8601"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "287(g) Program Portal API",
    "DESCRIPTION": (
        "The field API of ICE's 287(g) Program Portal. Authenticate with "
        "`Authorization: Token <key>`; every list is scoped to the caller's role."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI served from the portal itself, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No deep links: Swagger UI would put a link inside each operation's toggle button
    # (nested interactive controls, an axe violation); no syntax colouring, whose colours
    # fail the contrast check on the dark code blocks.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False, "syntaxHighlight": False},
    # The schema and its documentation are for signed-in staff (session or token) only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Every operation declares the errors it can answer (400, 401, 403, 404, 409, 429).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "portal.api.schema.declare_error_responses",
    ],
}
API_JSON_MAX_DEPTH = int(os.environ.get("API_JSON_MAX_DEPTH", "20"))
API_TOKEN_DEFAULT_DAYS = int(os.environ.get("API_TOKEN_DEFAULT_DAYS", "90"))
API_TOKEN_MAX_DAYS = int(os.environ.get("API_TOKEN_MAX_DAYS", "365"))

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Publishing a task gives up quickly when Redis is down; portal.tasks.enqueue then keeps it
# in the database (PendingTask) until Redis is back.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
CELERY_BROKER_TRANSPORT_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 5}
CELERY_TASK_REJECT_ON_WORKER_LOST = True

# Cache (API throttling counts, sessions stay in the database): Redis when available, so
# every gunicorn worker shares the counts.
# While Redis is unreachable the cache answers from process memory (portal.cache).
CACHES = {
    "default": (
        {
            "BACKEND": "portal.cache.FallbackRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# A list page's export of more rows than this runs as a job (portal.jobs) and is offered
# for download on the job's page; smaller exports answer at once.
EXPORT_JOB_ROWS = int(os.environ.get("EXPORT_JOB_ROWS", "5000"))

# The compliance sweep: a run still marked running after this long is taken as abandoned.
SWEEP_STALE_AFTER_MINUTES = int(os.environ.get("SWEEP_STALE_AFTER_MINUTES", "180"))
# Run the sweep's rules as a Celery group over the workers (docs/performance.md).
SWEEP_PARALLEL = env_bool("SWEEP_PARALLEL", False)

# The last successful sweep must be this recent for /readyz/ and the HQ banner.
SWEEP_FRESH_HOURS = int(os.environ.get("SWEEP_FRESH_HOURS", "26"))
# Sweep e-mails: each message is tried this many times, waiting NOTIFY_BACKOFF_SECONDS,
# then twice that, ..., between tries.
NOTIFY_ATTEMPTS = int(os.environ.get("NOTIFY_ATTEMPTS", "4"))
NOTIFY_BACKOFF_SECONDS = float(os.environ.get("NOTIFY_BACKOFF_SECONDS", "2"))

# Logs: one JSON object a line (LOG_FORMAT=json, the default with DEBUG off) carrying the
# request id, or plain text for development.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain" if DEBUG else "json")

# Oversight (docs/oversight.md): days after which an unacknowledged open high finding
# escalates to the responsible person's supervisor; officers able to act a site needs
# to count as ready; the cost of a program manager position in the impact check
# (empty: the staffing model's); the weekday (0 Monday) weekly digests go out.
OVERSIGHT_ESCALATION_DAYS = int(os.environ.get("OVERSIGHT_ESCALATION_DAYS", "3"))
OVERSIGHT_READY_MIN_OFFICERS = int(os.environ.get("OVERSIGHT_READY_MIN_OFFICERS", "2"))
OVERSIGHT_COST_PER_POSITION = os.environ.get("OVERSIGHT_COST_PER_POSITION", "")
OVERSIGHT_WEEKLY_DIGEST_WEEKDAY = int(os.environ.get("OVERSIGHT_WEEKLY_DIGEST_WEEKDAY", "0"))
# The daily fetch of ICE's published 287(g) lists (agreements/feed.py): the addresses to
# read (ICE's 287(g) page, whose .xlsx links are followed, or workbook addresses; none
# by default), the time limit of one request, the attempts and the backoff between them,
# the largest body accepted and the most workbook links followed on one page.
ICE_LIST_URLS = env_list("ICE_LIST_URLS", [])
ICE_FETCH_TIMEOUT = float(os.environ.get("ICE_FETCH_TIMEOUT", "30"))
ICE_FETCH_RETRIES = int(os.environ.get("ICE_FETCH_RETRIES", "3"))
ICE_FETCH_BACKOFF_SECONDS = float(os.environ.get("ICE_FETCH_BACKOFF_SECONDS", "5"))
ICE_FETCH_MAX_BYTES = int(os.environ.get("ICE_FETCH_MAX_BYTES", str(20 * 1024 * 1024)))
ICE_FETCH_MAX_LINKS = int(os.environ.get("ICE_FETCH_MAX_LINKS", "10"))
ICE_FETCH_USER_AGENT = os.environ.get("ICE_FETCH_USER_AGENT", "287g-program-portal (ICE list fetch)")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.logs.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {"()": "portal.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint (the report's PDF) and fontTools log every layout step at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

# The audit journal takes the client address from X-Forwarded-For only when a proxy in
# front of the portal sets it (otherwise anyone could name any address).
AUDIT_TRUST_X_FORWARDED_FOR = env_bool("AUDIT_TRUST_X_FORWARDED_FOR", False)
