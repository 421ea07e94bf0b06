"""gunicorn settings for `make serve` / deploy/entrypoint.sh (`gunicorn -c deploy/gunicorn.conf.py`).
Every value can be changed through the environment named beside it."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import preflight  # noqa: E402  (deploy/ is not a package)

wsgi_app = "wsgi:app"
chdir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
bind = os.environ.get("HAMYAN_BIND", "127.0.0.1:8000")
# Sync workers: a request holds a database connection for its whole life anyway; 2 per core plus
# one keeps the CPU busy while others wait on MariaDB.
workers = preflight.web_workers(os.environ)
timeout = int(os.environ.get("HAMYAN_TIMEOUT", 30))  # a worker silent this long is killed and replaced
graceful_timeout = 30  # on SIGTERM, requests in flight get this long to finish
max_requests = 2000  # recycle workers now and then (bounded memory), not all at once
max_requests_jitter = 200
accesslog = "-"
errorlog = "-"
# The request id is the X-Request-ID the app answers with (nginx's $request_id, or its own).
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms [%({x-request-id}o)s] "%(a)s"'
proc_name = "hamyan"
# gunicorn 25+ opens a control socket at one path per user by default, so a second app server on the
# host (scaling out, or a restart overlapping the old master) takes it over from the first; nothing
# here uses gunicornc, and systemd or the entrypoint manage the processes.
control_socket_disable = True


def on_starting(server):
    preflight.refuse(preflight.problems(os.environ, "web", server.cfg.workers))

