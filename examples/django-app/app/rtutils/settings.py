"""Settings of Request Tracker Utils.

Everything that differs between hosts comes from outside: the JSON file Roost renders from
services.requestTrackerUtils (its path in RTUTILS_SETTINGS), secrets from the environment
(SECRET_KEY, RT_USERNAME, RT_PASSWORD), the SQLite file from DATABASE_PATH.
"""
import json
import os
from pathlib import Path

with open(os.environ["RTUTILS_SETTINGS"], encoding="utf-8") as f:
    HOST_SETTINGS = json.load(f)

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = HOST_SETTINGS["debug"]
ALLOWED_HOSTS = HOST_SETTINGS["allowedHosts"]
# Behind nginx, which terminates TLS and says so.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = ["django.contrib.staticfiles", "labels"]
MIDDLEWARE = ["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "rtutils.urls"
WSGI_APPLICATION = "rtutils.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["DATABASE_PATH"]}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = HOST_SETTINGS["staticRoot"]

LABEL = HOST_SETTINGS["label"]
RT = {
    "url": HOST_SETTINGS["rtUrl"],
    "api_endpoint": HOST_SETTINGS["apiEndpoint"],
    "username": os.environ.get("RT_USERNAME", ""),
    "password": os.environ.get("RT_PASSWORD", ""),
}

LOGGING = {
    "version": 1,
    # gunicorn's own loggers (its access log) keep working.
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "INFO"},
}
