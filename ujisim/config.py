"""Configuration read from ``UJISIM_*`` environment variables (documented in README.md)."""

from __future__ import annotations

import os
from pathlib import Path

from ujisim.accounts.passwords import DEFAULT_PROFILE, PROFILES
from ujisim.core.offices import parse_office_records, parse_offices

TRUE = {"1", "true", "yes", "on"}


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in TRUE


def from_env(instance_path: str) -> dict:
    """Build the Flask config mapping from the environment."""
    env = os.environ
    env_name = env.get("UJISIM_ENV", "development")
    https = _flag("UJISIM_HTTPS", False)
    redis_url = env.get("UJISIM_REDIS_URL") or None
    population = env.get("UJISIM_POPULATION_PROVIDER") or (
        "none" if env_name == "production" else "sandbox"
    )
    health = env.get("UJISIM_HEALTH_PROVIDER") or (
        "none" if env_name == "production" else "sandbox"
    )
    hash_profile = env.get("UJISIM_PASSWORD_HASH_PROFILE", DEFAULT_PROFILE)
    if hash_profile not in PROFILES:
        raise RuntimeError(f"UJISIM_PASSWORD_HASH_PROFILE must be one of {', '.join(PROFILES)}")
    if hash_profile == "CHEAPEST" and env_name == "production":
        # a hash that costs a millisecond to check is a password list for whoever reads it
        raise RuntimeError(
            "UJISIM_PASSWORD_HASH_PROFILE=CHEAPEST is refused with UJISIM_ENV=production"
        )
    if env_name == "production" and not env.get("UJISIM_PUBLIC_URL"):
        # links in e-mails and on cards are built on it, never on the request's host
        raise RuntimeError(
            "UJISIM_PUBLIC_URL (the public address) is required with UJISIM_ENV=production"
        )
    if population == "sandbox" and env_name == "production":
        # its records are whatever somebody put in a folder: never an identity reference
        raise RuntimeError(
            "UJISIM_POPULATION_PROVIDER=sandbox is refused with UJISIM_ENV=production"
        )
    if health == "sandbox" and env_name == "production":
        # anybody could issue themselves a "fit" certificate on the sandbox's test page
        raise RuntimeError("UJISIM_HEALTH_PROVIDER=sandbox is refused with UJISIM_ENV=production")
    return {
        "UJISIM_ENV": env_name,
        "DATABASE_URL": env.get("UJISIM_DATABASE_URL")
        or f"sqlite:///{Path(instance_path) / 'ujisim.db'}",
        "REDIS_URL": redis_url,
        # None means: generated into instance/ on first run (core.secrets).
        "SECRET_KEY": env.get("UJISIM_SECRET_KEY") or None,
        "SIGNING_KEY_PEM": env.get("UJISIM_SIGNING_KEY") or None,
        "JOBS_BACKEND": env.get("UJISIM_JOBS") or ("celery" if redis_url else "thread"),
        "JOBS_QUEUE": env.get("UJISIM_JOBS_QUEUE", "ujisim"),
        "STORAGE_DIR": env.get("UJISIM_STORAGE_DIR") or str(Path(instance_path) / "files"),
        "MAX_CONTENT_LENGTH": int(env.get("UJISIM_MAX_UPLOAD_MB", "11")) * 1024 * 1024,
        "PROXY_HOPS": int(env.get("UJISIM_PROXY_HOPS", "0")),
        "HTTPS": https,
        "SESSION_COOKIE_SECURE": https,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        # a session without a request for this long ends (0: never)
        "SESSION_IDLE_SECONDS": int(env.get("UJISIM_SESSION_IDLE_MINUTES", "60")) * 60,
        "LOGIN_RATE_LIMIT": env.get("UJISIM_LOGIN_RATE_LIMIT", "10 per minute"),
        # wrong passwords for one account from any number of addresses; the account's own
        # password is refused only until the window that filled up ends
        "LOGIN_ACCOUNT_RATE_LIMIT": env.get("UJISIM_LOGIN_ACCOUNT_RATE_LIMIT", "10 per 15 minutes"),
        # argon2id's cost (accounts/passwords.py): RFC_9106_LOW_MEMORY, RFC_9106_HIGH_MEMORY,
        # or CHEAPEST for tests only
        "PASSWORD_HASH_PROFILE": hash_profile,
        "PASSWORD_RESET_MAX_AGE": int(env.get("UJISIM_PASSWORD_RESET_MINUTES", "60")) * 60,
        "SHOW_OUTBOX": _flag("UJISIM_SHOW_OUTBOX", env_name == "development"),
        "SMTP_HOST": env.get("UJISIM_SMTP_HOST") or None,
        "SMTP_PORT": int(env.get("UJISIM_SMTP_PORT", "587")),
        "SMTP_USER": env.get("UJISIM_SMTP_USER") or None,
        "SMTP_PASSWORD": env.get("UJISIM_SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag("UJISIM_SMTP_STARTTLS", True),
        "MAIL_FROM": env.get("UJISIM_MAIL_FROM", "ujisim <noreply@ujisim.local>"),
        "PUBLIC_URL": env.get("UJISIM_PUBLIC_URL") or None,
        "BABEL_DEFAULT_LOCALE": "id",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Jakarta",
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session
        # Question bank: the least share of each class's items that must be reserved for
        # official exams (never shown in practice) before a bank version can be published.
        "BANK_MIN_RESERVED": float(env.get("UJISIM_BANK_MIN_RESERVED", "0.4")),
        # The share of each category of an official paper drawn from practice items (whose keys
        # are public): 0 = official papers hold reserved items only.
        "EXAM_PRACTICE_SHARE": float(env.get("UJISIM_EXAM_PRACTICE_SHARE", "0")),
        # The publish gate (question_bank/lint.py Rules): cue limits, near-duplicate thresholds
        # and the reserved pool as a multiple of the blueprint (JSON over the defaults, e.g.
        # {"pool_multiple": 8}).
        "BANK_LINT_RULES": env.get("UJISIM_BANK_LINT_RULES") or None,
        # Hazard-perception clips: when clicks are a pattern and the clip scores 0
        # (question_bank/clip_scoring.py PatternRule; JSON over the defaults, e.g.
        # {"max_clicks": 12}, or a mapping in tests)
        "CLIP_PATTERN": env.get("UJISIM_CLIP_PATTERN") or None,
        # A new exam blueprint's clip part: hazard-perception clips before the questions, and
        # the share of their points that passes it (DVSA: 44 of 75, 59 %)
        "EXAM_CLIPS": int(env.get("UJISIM_EXAM_CLIPS", "4")),
        "EXAM_CLIP_PASS_PERCENT": int(env.get("UJISIM_EXAM_CLIP_PASS_PERCENT", "59")),
        # Webcam proctoring (ujisim/proctoring): whether official exams need it, the face distance
        # tolerance, seconds between snapshots, consecutive mismatches before a pause, risk
        # weights (JSON, merged over the defaults) and days snapshots are kept.
        "SATPAS_OFFICES": parse_offices(env.get("UJISIM_SATPAS_OFFICES")),
        # the same offices with their return address, telephone and hours (core/offices.py)
        "SATPAS_OFFICE_RECORDS": parse_office_records(env.get("UJISIM_SATPAS_OFFICES")),
        "PROCTOR_REQUIRED": _flag("UJISIM_PROCTOR_REQUIRED", True),
        "PROCTOR_TOLERANCE": float(env.get("UJISIM_PROCTOR_TOLERANCE", "0.6")),
        "PROCTOR_SNAPSHOT_INTERVAL_S": int(env.get("UJISIM_PROCTOR_SNAPSHOT_INTERVAL_S", "20")),
        "PROCTOR_PAUSE_AFTER": int(env.get("UJISIM_PROCTOR_PAUSE_AFTER", "3")),
        "PROCTOR_RISK_WEIGHTS": env.get("UJISIM_PROCTOR_RISK_WEIGHTS") or None,
        "PROCTOR_REVIEW_AT": float(env.get("UJISIM_PROCTOR_REVIEW_AT", "3")),
        "PROCTOR_RETENTION_DAYS": int(env.get("UJISIM_PROCTOR_RETENTION_DAYS", "30")),
        "PROCTOR_UPLOAD_TIMEOUT_S": int(env.get("UJISIM_PROCTOR_UPLOAD_TIMEOUT_S", "60")),
        # Online renewal (ujisim/renewal): service fee and bank fee kept back on a refund (integer
        # rupiah), hours a virtual account stays open, the shipping table (a JSON file: province
        # -> rupiah; default renewal/shipping_rates.json), the face distance above which the new
        # photo counts as a weak match, the providers and their webhook secrets (None: generated
        # into instance/).
        "RENEWAL_SERVICE_FEE": int(env.get("UJISIM_RENEWAL_SERVICE_FEE", "5000")),
        # the BNI fee kept back from a refund: Rp 16.500 (Polda Jawa Tengah to Kompas, 17 Aug 2024)
        "RENEWAL_BANK_FEE": int(env.get("UJISIM_RENEWAL_BANK_FEE", "16500")),
        "RENEWAL_VA_EXPIRY_HOURS": int(env.get("UJISIM_RENEWAL_VA_EXPIRY_HOURS", "24")),
        "RENEWAL_SHIPPING_RATES": env.get("UJISIM_RENEWAL_SHIPPING_RATES") or None,
        "RENEWAL_WEAK_MATCH": float(env.get("UJISIM_RENEWAL_WEAK_MATCH", "0.5")),
        # The photo rules of the documents step (renewal/photo_rules.py): the largest head turn
        # (yaw) and tilt (roll, degrees), the pitch ratio's window and the head's share of the
        # photo's height (chin to crown).
        "RENEWAL_PHOTO_MAX_YAW": float(env.get("UJISIM_RENEWAL_PHOTO_MAX_YAW", "0.2")),
        "RENEWAL_PHOTO_MAX_ROLL": float(env.get("UJISIM_RENEWAL_PHOTO_MAX_ROLL", "8")),
        "RENEWAL_PHOTO_PITCH_MIN": float(env.get("UJISIM_RENEWAL_PHOTO_PITCH_MIN", "0.5")),
        "RENEWAL_PHOTO_PITCH_MAX": float(env.get("UJISIM_RENEWAL_PHOTO_PITCH_MAX", "1.15")),
        "RENEWAL_PHOTO_HEAD_MIN": float(env.get("UJISIM_RENEWAL_PHOTO_HEAD_MIN", "0.5")),
        "RENEWAL_PHOTO_HEAD_MAX": float(env.get("UJISIM_RENEWAL_PHOTO_HEAD_MAX", "0.8")),
        "PAYMENT_PROVIDER": env.get("UJISIM_PAYMENT_PROVIDER", "sandbox"),
        "PAYMENT_WEBHOOK_SECRET": env.get("UJISIM_PAYMENT_WEBHOOK_SECRET") or None,
        "COURIER_PROVIDER": env.get("UJISIM_COURIER_PROVIDER", "sandbox"),
        "COURIER_WEBHOOK_SECRET": env.get("UJISIM_COURIER_WEBHOOK_SECRET") or None,
        # The population register (Dukcapil) whose photo of the NIK is the reference face when a
        # licence has no photo on file (renewal/population.py): "sandbox" (refused in
        # production) or "none" (no register: such renewals are checked in person); the
        # sandbox's folder (None: instance/population_sandbox) and a simulated outage.
        "POPULATION_PROVIDER": population,
        "POPULATION_SANDBOX_DIR": env.get("UJISIM_POPULATION_SANDBOX_DIR") or None,
        "POPULATION_SANDBOX_OUTAGE": _flag("UJISIM_POPULATION_SANDBOX_OUTAGE", False),
        # The e-Rikkes and ePPsi providers the certificates are verified with
        # (renewal/health.py): "sandbox" (refused in production) or "none" (nothing can be
        # verified: the production default until a real provider is configured); its folder
        # (None: instance/health_sandbox) and a simulated outage. The test fees (rupiah) when a
        # provider does not say what was paid: health about Rp 35.000; ePPsi Rp 57.500 until
        # 2025, Rp 77.500 from January 2026. The optional delivery insurance (in the virtual
        # account when the holder ticks it).
        "HEALTH_PROVIDER": health,
        "HEALTH_SANDBOX_DIR": env.get("UJISIM_HEALTH_SANDBOX_DIR") or None,
        "HEALTH_SANDBOX_OUTAGE": _flag("UJISIM_HEALTH_SANDBOX_OUTAGE", False),
        "HEALTH_TEST_FEE": int(env.get("UJISIM_HEALTH_TEST_FEE", "35000")),
        "PSYCH_TEST_FEE_2025": int(env.get("UJISIM_PSYCH_TEST_FEE_2025", "57500")),
        "PSYCH_TEST_FEE": int(env.get("UJISIM_PSYCH_TEST_FEE", "77500")),
        "RENEWAL_INSURANCE_FEE": int(env.get("UJISIM_RENEWAL_INSURANCE_FEE", "30000")),
        # Renewal reminders (renewal/reminders.py): the SMS/WhatsApp channel beside e-mail
        # (renewal/channels.py: "sandbox" records texts for the admin sandbox page, "none": e-mail
        # only), the sandbox's unreachable numbers (comma-separated; a simulated delivery
        # failure), and the days before expiry a reminder goes out.
        "NOTIFY_CHANNEL": env.get("UJISIM_NOTIFY_CHANNEL")
        or ("none" if env_name == "production" else "sandbox"),
        "NOTIFY_SANDBOX_FAIL": env.get("UJISIM_NOTIFY_SANDBOX_FAIL", ""),
    }
