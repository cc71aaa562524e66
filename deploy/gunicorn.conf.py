"""Gunicorn settings for `salesflow serve --config /etc/salesflow/gunicorn.conf.py`.

`salesflow serve` already sets sensible defaults (gthread workers, 4 threads, 60 s timeout, access log
on standard output); this file is where an installation changes them. Options given on the command
line (--bind, --workers, --threads, --timeout) win over this file.
"""

import multiprocessing

# One process per core plus one; each with 4 threads (Salesflow's pages wait on the database, not the CPU).
workers = multiprocessing.cpu_count() + 1
threads = 4
worker_class = "gthread"
timeout = 60
graceful_timeout = 30
keepalive = 5
# Recycle a worker now and then (guards against slow memory growth in long-running processes).
max_requests = 2000
max_requests_jitter = 200
# Logs go to the journal through standard output / error.
accesslog = "-"
errorlog = "-"
loglevel = "info"
# Only the reverse proxy on this machine may set X-Forwarded-* headers.
forwarded_allow_ips = "127.0.0.1,::1"
