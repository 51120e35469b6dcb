"""Maillage settings: one module, everything from the environment.

With no environment at all the embedded default applies: SQLite, in-memory channel layer, eager Celery
tasks and the `database` search backend. `DATABASE_URL` / `REDIS_URL` / `ELASTICSEARCH_URL` switch to the
production components.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


# --- typed environment helpers --------------------------------------------------------------------
def env_str(name: str, default: str = "") -> str:
    """Value of NAME, or the content of the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env_str(name, "")
    if value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env_str(name, "")
    return int(value) if value.strip() else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = env_str(name, "")
    return [item.strip() for item in value.split(",") if item.strip()] if value else default


# --- core -----------------------------------------------------------------------------------------
DEBUG = env_bool("DEBUG", default=not env_str("DATABASE_URL"))
PRODUCTION = env_bool("PRODUCTION", default=False)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production.")
    SECRET_KEY = "insecure-embedded-default-key-change-me-" + "x" * 20
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
# The address the site is served on: links in e-mails, calendar feeds, FHIR (`make run PORT=…` sets it).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Reverse proxies whose X-Forwarded-For is believed (CIDR list, e.g. "10.0.0.0/8,172.16.0.0/12"); from
# anyone else the header is ignored. One client address for DRF throttles, django-axes, allauth and the
# audit (federation.security.client_ip; deploy/README.md, SECURITY.md).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "axes",
    "csp",
    # Project apps, in layer order (seed_demo runs their demo.py in this order).
    "federation",
    "federation.governance",
    "search",
    "directory",
    "shared_actions",
    "messaging",
    "missions",
    "missions.projet",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "federation.middleware.FrenchFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    "federation.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "federation.middleware.MfaEnforcementMiddleware",
    # In the DEBUG demo, a 404 shows the French page rather than Django's technical one.
    "federation.demo_pages.DemoNotFoundMiddleware",
    # Last, as django-axes requires: locks out repeated failed sign-ins.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "config.asgi.application"

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
                "federation.context_processors.spaces",
                "messaging.context_processors.unread",  # header badge of unread messages
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"))
}
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
if IS_POSTGRES:
    # Under ASGI every request may run in another thread, so per-thread persistent connections pile
    # up; a psycopg pool per process bounds them and checks each connection before lending it.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # Django's backend, whose pool checks a loan without a round trip (config/postgresql/base.py): a
    # connection the server ended while it sat in the pool is still replaced. Django's own check
    # (CONN_HEALTH_CHECKS with a pool) would send an empty statement on every loan.
    DATABASES["default"]["ENGINE"] = "config.postgresql"
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = False
    # Memory per sort/bitmap: search bitmaps of a few hundred thousand entries stay exact (PostgreSQL's
    # 4MB default turns them lossy, and every row of a lossy page is rechecked).
    # No JIT compilation: it pays only for queries running seconds, and PostgreSQL decides it on the
    # planner's cost, not the time: a reconnect storm's batched connect state (1 ms to run, its cost
    # overestimated from `user_id = ANY(array)`) spent 290 ms compiling (tests/perf/chat.py --storm).
    DATABASES["default"]["OPTIONS"] = {
        "options": f"-c work_mem={env_str('DB_WORK_MEM', '32MB')} -c jit={env_str('DB_JIT', 'off')}"
    }
    # Statements run through config.postgresql's binding_cursor (the API token's, on every request) are
    # prepared on a connection at their 5th run, then no longer planned each time. Off
    # (DB_PREPARED_STATEMENTS=0) behind a PgBouncer in transaction mode before 1.21, which loses them.
    # Django's own cursors are never prepared.
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = (
        5 if env_bool("DB_PREPARED_STATEMENTS", True) else None
    )
    if env_bool("DB_POOL", True):  # the test process turns it off (Makefile); servers keep it
        DATABASES["default"]["OPTIONS"] |= {
            "pool": {
                "min_size": env_int("DB_POOL_MIN", 1),
                "max_size": env_int("DB_POOL_MAX", 20),
                "timeout": env_int("DB_POOL_TIMEOUT", 10),
            }
        }
else:
    # IMMEDIATE transactions take the write lock up front, so concurrent requests under daphne wait
    # for it (up to the timeout) instead of failing with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and Celery --------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    # The pub-sub layer never dropped a message in our measurements (PERF-NOTES.md); ours subscribes
    # once per process for every socket's specific channel and user group (config/channel_layer.py).
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "config.channel_layer.SharedSubscriptionChannelLayer",
            "CONFIG": {
                "hosts": [REDIS_URL],
                # Test workers running side by side (pytest-xdist) share one Redis: keep them apart.
                "prefix": env_str("CHANNEL_LAYER_PREFIX", "asgi") + os.environ.get("PYTEST_XDIST_WORKER", ""),
                "pattern_groups": ["user."],  # federation.events.user_group: one per user
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Rate limits (API throttles, allauth's sign-in limits) live in the cache: with several web processes they
# hold only if the cache is shared. Unset: each process has its own memory cache (demo, tests).
CACHE_URL = env_str("CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            # Django's, with one Redis client per connection pool rather than one per operation.
            "BACKEND": "config.cache.RedisCache",
            "LOCATION": CACHE_URL,
            # The deployment's name, as for the channel layer: deployments sharing a Redis stay apart.
            "KEY_PREFIX": env_str("CHANNEL_LAYER_PREFIX", "maillage"),
        }
    }

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Paris"
CELERY_BEAT_SCHEDULE: dict = {}  # filled by the apps' tasks modules (see config/celery.py)
# Defaults unchanged (Celery's "celery" queue, Kombu's one-hour redelivery of unacknowledged tasks);
# system tests give their processes their own queue and a short visibility timeout.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # Abandoned tasks are looked for every interval x throttle seconds (Kombu's defaults: 10 x 10).
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_INTERVAL", 10),
    "unacked_restore_throttle": env_int("CELERY_UNACKED_RESTORE_THROTTLE", 10),
}

# --- search ---------------------------------------------------------------------------------------
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL", "")
SEARCH_BACKEND = env_str("SEARCH_BACKEND", "elasticsearch" if ELASTICSEARCH_URL else "database")
SEARCH_INDEX_PREFIX = env_str("SEARCH_INDEX_PREFIX", "maillage")

# --- auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "federation.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_ALLOW_REGISTRATION = env_bool("ACCOUNT_ALLOW_REGISTRATION", False)
ACCOUNT_ADAPTER = "federation.adapters.AccountAdapter"
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Roles that must use a second factor: any of staff, admin, coordinator, bureau,
# federation_admin, federation_coordinator (comma-separated), e.g. "staff,coordinator,bureau".
MFA_REQUIRED_ROLES = env_list("MFA_REQUIRED_ROLES", [])
USERSESSIONS_TRACK_ACTIVITY = True
# django-axes: lock an (account, address) pair after repeated failures; allauth rate limits add to it.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "federation.security.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "federation.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "federation.security.client_ip"  # TRUSTED_PROXIES, as DRF's throttles
# API tokens expire this many days after issuance (0: never); expired ones are deleted every hour.
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
# Invitations to a CPTS wait this many days for the invited person's consent.
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
MFA_TOTP_ISSUER = "Maillage"
SOCIALACCOUNT_ADAPTER = "federation.adapters.SocialAccountAdapter"
SOCIALACCOUNT_ONLY = False

# Pro Santé Connect: the national OpenID Connect provider of health professionals (DOMAIN.md).
# Enabled only when a client id is configured; every endpoint comes from the discovery document.
PSC_CLIENT_ID = env_str("PSC_CLIENT_ID", "")
PSC_CLIENT_SECRET = env_str("PSC_CLIENT_SECRET", "")
PSC_SERVER_URL = env_str("PSC_SERVER_URL", "https://auth.esw.esante.gouv.fr/auth/realms/esante-wallet")
PSC_ENABLED = bool(PSC_CLIENT_ID)


def pro_sante_connect_apps(client_id: str, secret: str, server_url: str) -> list[dict]:
    """allauth openid_connect app entries for Pro Santé Connect (none when no client id is set)."""
    if not client_id:
        return []
    return [
        {
            "provider_id": "pro-sante-connect",
            "name": "Pro Santé Connect",
            "client_id": client_id,
            "secret": secret,
            "settings": {
                # PSC publishes its discovery document at a non-standard path.
                "server_url": server_url.rstrip("/") + "/.well-known/wallet-openid-configuration",
                "scope": ["openid", "scope_all"],
                "auth_params": {"acr_values": "eidas1"},
                "token_auth_method": "client_secret_post",
            },
        }
    ]


SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "OAUTH_PKCE_ENABLED": True,
        "APPS": pro_sante_connect_apps(PSC_CLIENT_ID, PSC_CLIENT_SECRET, PSC_SERVER_URL),
    }
}

# --- REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "federation.authentication.MfaAwareTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "federation.api_base.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    # DRF's own get_ident (any throttle not ours) ignores X-Forwarded-For: federation.throttling reads it
    # from TRUSTED_PROXIES only.
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_CLASSES": [
        # Per client address, X-Forwarded-For believed only from TRUSTED_PROXIES.
        "federation.throttling.AnonRateThrottle",
        # DRF's user rate, with a history that does not grow with the rate.
        "federation.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_THROTTLE_ANON", "60/minute"),
        "user": env_str("API_THROTTLE_USER", "100000/hour"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Maillage API",
    "DESCRIPTION": "API de la plateforme inter-CPTS Maillage.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "ENUM_NAME_OVERRIDES": {
        "MaturityStageEnum": "federation.models.MaturityStage",
        "InvitationStatusEnum": "federation.models.Invitation.Status",
    },
    # Every operation documents the API's one error shape (federation/errors.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "federation.api_base.add_error_responses",
    ],
    # In production the schema and its docs are for signed-in users only.
    "SERVE_PERMISSIONS": (
        ["rest_framework.permissions.IsAuthenticated"]
        if PRODUCTION
        else ["rest_framework.permissions.AllowAny"]
    ),
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI assets served by the project itself (no CDN).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / env_str("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024)
AWS_STORAGE_BUCKET_NAME = env_str("S3_BUCKET", "")
STORAGES = {
    "default": (
        {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": AWS_STORAGE_BUCKET_NAME,
                "endpoint_url": env_str("S3_ENDPOINT_URL", "") or None,
                "access_key": env_str("S3_ACCESS_KEY", ""),
                "secret_key": env_str("S3_SECRET_KEY", ""),
                "default_acl": None,
                "querystring_auth": True,
            },
        }
        if AWS_STORAGE_BUCKET_NAME
        else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
    ),
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- e-mail ---------------------------------------------------------------------------------------
EMAIL_URL = env_str("EMAIL_HOST", "")
if EMAIL_URL:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = EMAIL_URL
    EMAIL_PORT = env_int("EMAIL_PORT", 587)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
elif env_str("EMAIL_FILE_PATH", ""):
    # One file per sent batch in that folder (system tests read what was sent; no SMTP server needed).
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", "")
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Maillage <noreply@maillage.localhost>")

# --- deployment declarations ----------------------------------------------------------------------
# Declares that the deployment is hosted by a certified health-data host (HDS); removes the
# "no identifiable patient data" notice (DOMAIN.md, patient data).
HDS_HOSTING = env_bool("HDS_HOSTING", False)
MAP_TILE_URL = env_str("MAP_TILE_URL", "")
DEMO_DEPARTMENT = env_str("DEMO_DEPARTMENT", "34")
# Demo mode: the welcome page lists the demo accounts (federation/demo.py). On by default only where
# DEBUG is (the embedded `make run` demo); never set it on a real deployment.
DEMO_MODE = env_bool("DEMO_MODE", DEBUG)

# --- security -------------------------------------------------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", PRODUCTION)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", PRODUCTION)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", PRODUCTION)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
SECURE_HSTS_PRELOAD = PRODUCTION
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PRODUCTION else None
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]  # probes speak plain HTTP inside the cluster
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
PERMISSIONS_POLICY = "camera=(), microphone=(), payment=(), usb=(), geolocation=(self)"
SESSION_COOKIE_HTTPONLY = True


def _origin_pattern(url_template: str) -> str | None:
    """CSP source for a URL template such as https://{s}.tile.example.org/{z}/{x}/{y}.png."""
    from urllib.parse import urlsplit

    parts = urlsplit(url_template.replace("{s}", "x"))
    if not parts.scheme or not parts.netloc:
        return None
    host = parts.netloc.replace("x.", "*.", 1) if "{s}" in url_template else parts.netloc
    return f"{parts.scheme}://{host}"


# Content Security Policy (django-csp): no inline scripts anywhere; the only other origins are the
# map tile server and, when enabled, Pro Santé Connect (sign-in form posts redirect there).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", *filter(None, [_origin_pattern(MAP_TILE_URL)])],
        "connect-src": ["'self'", "ws:", "wss:"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'", *filter(None, [_origin_pattern(PSC_SERVER_URL) if PSC_ENABLED else None])],
    }
}
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 14 * 24 * 3600)
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- governance ---
# Written consultations past their deadline are closed every few minutes (results are then published
# by the bureau). Seconds between runs:
GOVERNANCE_CLOSE_CONSULTATIONS_EVERY = env_int("GOVERNANCE_CLOSE_CONSULTATIONS_EVERY", 300)
# Pause between two convocation e-mails, in milliseconds (SMTP relays limit the rate; 0: none).
GOVERNANCE_CONVOCATION_INTERVAL_MS = env_int("GOVERNANCE_CONVOCATION_INTERVAL_MS", 0)
# Secret ballots are sealed with a per-poll key derived from this secret, which never enters the
# database (federation/governance/polls/sealing.py); SECRET_KEY when unset. Also from
# BALLOT_SECRET_KEY_FILE. Never change it while a secret vote is open: its ballots could not be opened.
BALLOT_SECRET_KEY = env_str("BALLOT_SECRET_KEY", "") or SECRET_KEY
CELERY_BEAT_SCHEDULE["federation-delete-expired-tokens"] = {
    "task": "federation.tasks.delete_expired_tokens",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["governance-close-due-consultations"] = {
    "task": "federation.governance.tasks.close_due_consultations",
    "schedule": float(GOVERNANCE_CLOSE_CONSULTATIONS_EVERY),
}
# Distinct OpenAPI enum names for governance's choice sets (kind / role / status are common names).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "GovernanceMajorityRuleEnum": "federation.governance.models.MajorityRule",
        "GovernanceQuorumEnum": "federation.governance.models.QUORUM_CHOICES",
        "GovernanceDelegateKindEnum": "federation.governance.models.Delegate.Kind",
        "GovernancePollKindEnum": "federation.governance.models.Poll.Kind",
        "GovernanceMeetingStatusEnum": "federation.governance.models.Meeting.Status",
        "GovernancePollStatusEnum": "federation.governance.models.Poll.Status",
        "GovernanceFeeStatusEnum": "federation.governance.models.Fee.Status",
        "GovernanceAttendanceStatusEnum": "federation.governance.models.AttendanceStatus",
        "GovernanceBodyEnum": "federation.governance.models.Body",
        "GovernanceDecisionKindEnum": "federation.governance.models.DecisionKind",
        "GovernanceTieRuleEnum": "federation.governance.models.TieRule",
        "GovernanceMeetingDocumentKindEnum": "federation.governance.models.MeetingDocument.Kind",
        "GovernancePartnerAdmissionStatusEnum": "federation.governance.models.PartnerAdmission.Status",
    }
)

# --- shared_actions ---
# SNP shift reminders: every day at SHIFT_REMINDER_HOUR (Europe/Paris) for the shifts of the next day.
SHIFT_REMINDER_HOUR = env_int("SHIFT_REMINDER_HOUR", 18)
CELERY_BEAT_SCHEDULE["shared_actions-shift-reminders"] = {
    "task": "shared_actions.tasks.send_shift_reminders",
    "schedule": crontab(hour=SHIFT_REMINDER_HOUR, minute=0),
}
# Stored files left by a rolled-back upload (no document version refers to them).
CELERY_BEAT_SCHEDULE["shared_actions-orphan-files"] = {
    "task": "shared_actions.tasks.sweep_orphan_files",
    "schedule": crontab(hour=3, minute=30),
}
# Distinct OpenAPI enum names for the choice sets named "kind" (swap requests, meetings).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "SwapRequestKindEnum": "shared_actions.models.SwapRequest.Kind",
        "SharedMeetingKindEnum": "shared_actions.models.Meeting.Kind",
        "ConversationKindEnum": "messaging.models.Conversation.Kind",
    }
)

# --- messaging ------------------------------------------------------------------------------------
MESSAGING_MAX_BODY = env_int("MESSAGING_MAX_BODY", 4000)  # characters of a message
MESSAGING_MAX_FRAME_BYTES = env_int("MESSAGING_MAX_FRAME_BYTES", 16384)  # one websocket frame
MESSAGING_WS_RATE = env_int("MESSAGING_WS_RATE", 10)  # frames per second per connection (sustained)
MESSAGING_WS_BURST = env_int("MESSAGING_WS_BURST", 30)  # frames allowed in a burst
MESSAGING_SYNC_LIMIT = env_int("MESSAGING_SYNC_LIMIT", 500)  # messages replayed per conversation per sync
MESSAGING_PAGE_MAX = env_int("MESSAGING_PAGE_MAX", 200)
MESSAGING_DIRECT_MAX_MEMBERS = env_int("MESSAGING_DIRECT_MAX_MEMBERS", 8)
MESSAGING_AUTH_RECHECK_SECONDS = env_int("MESSAGING_AUTH_RECHECK_SECONDS", 60)
MESSAGING_NOTIFY_DELAY_MINUTES = env_int("MESSAGING_NOTIFY_DELAY_MINUTES", 10)
# Freeze the objects loaded at start-up out of the garbage collector in daphne (PERF-NOTES.md, point 4).
MESSAGING_GC_FREEZE = env_bool("MESSAGING_GC_FREEZE", True)
CELERY_BEAT_SCHEDULE["messaging-notify-due"] = {
    "task": "messaging.notify_due",
    "schedule": float(env_int("MESSAGING_NOTIFY_INTERVAL_SECONDS", 60)),
}
CELERY_BEAT_SCHEDULE["messaging-daily-digest"] = {
    "task": "messaging.daily_digest",
    "schedule": crontab(hour=7, minute=30),
}
CELERY_BEAT_SCHEDULE["messaging-purge-expired"] = {
    "task": "messaging.purge_expired",
    "schedule": crontab(hour=3, minute=15),
}
# A socket that receives message n+2 before n+1 waits this long for it, then reads it from the database.
MESSAGING_GAP_WAIT_MS = env_int("MESSAGING_GAP_WAIT_MS", 300)
# Worker threads (and PostgreSQL connections) per daphne process for the websocket's database work.
MESSAGING_DB_THREADS = env_int("MESSAGING_DB_THREADS", 8)

# --- directory / search ---
# Professionals per transaction in import_rpps (each batch commits whole professionals only).
DIRECTORY_IMPORT_BATCH_SIZE = env_int("DIRECTORY_IMPORT_BATCH_SIZE", 2000)
# Radius (km) around a commune named in the search text ("kine lunel").
SEARCH_PLACE_RADIUS_KM = env_int("SEARCH_PLACE_RADIUS_KM", 10)
# Counting and facets stop after this many matches (the total is then a lower bound).
SEARCH_COUNT_CAP = env_int("SEARCH_COUNT_CAP", 1_000)

# --- missions (the ACI contract year) -------------------------------------------------------------
# Reminders of the annual review: sent once per contract year, when the review window (two months after
# the signature's anniversary) opens within this many days.
MISSIONS_REVIEW_REMINDER_DAYS = env_int("MISSIONS_REVIEW_REMINDER_DAYS", 30)
# Choice sets of missions and missions.projet named apart from the other apps' "status", "kind", … enums.
SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"].update(
    {
        "EntryKindEnum": [("professional", "professional"), ("structure", "structure")],
        "RegisterMemberStatusEnum": "missions.projet.models.MemberStatus",
        "RegisterMemberOriginEnum": "missions.projet.models.RegisterMember.Origin",
        "ExclusionBodyEnum": "missions.projet.models.ExclusionDecision.Body",
        "FicheStatusEnum": "missions.projet.models.FicheStatus",
        "HealthProjectStatusEnum": "missions.projet.models.HealthProject.Status",
        "ProjectVersionKindEnum": "missions.projet.models.ProjectVersion.Kind",
        "IndicatorKindEnum": "missions.models.Indicator.Kind",
        "IndicatorValueOriginEnum": "missions.models.IndicatorValue.Origin",
        "ReviewPackStatusEnum": "missions.models.ReviewPack.Status",
    }
)
CELERY_BEAT_SCHEDULE["missions-review-reminders"] = {
    "task": "missions.tasks.send_review_reminders",
    "schedule": crontab(hour=8, minute=0),
}
