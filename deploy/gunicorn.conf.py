"""gunicorn settings for one Kakehashi instance: ``gunicorn -c deploy/gunicorn.conf.py 'app:create_app()'``.

Every value can be overridden from the environment (``GUNICORN_BIND``, ``GUNICORN_WORKERS``, …) so the
same file serves the systemd units and the Compose example. Several instances (on one machine or
several) each run this with their own bind address; nginx spreads the requests (deploy/nginx/).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# About two workers per core; threads let a worker overlap database round trips.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", 2))
worker_class = "gthread"
# A request slower than this is killed (exports run as background jobs, not in requests).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then (memory), with jitter so that they do not all restart together.
max_requests = 2000
max_requests_jitter = 200
# Build the app in the master once (the start-up schema check runs once and fails fast); workers fork
# from it. The start-up database connections are closed before the fork (core/dbcheck.py).
preload_app = True
# Behind nginx on the same host or network: trust its X-Forwarded-* headers (also set
# KAKEHASHI_TRUSTED_PROXIES=1 for the app's own ProxyFix).
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
