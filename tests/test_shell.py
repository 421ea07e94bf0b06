"""The UI shell and operations: security headers, error pages, health check, request ids in logs."""
import logging

import pytest
from flask import Blueprint


def text(response) -> str:
    return response.get_data(as_text=True)


def csp_of(response) -> dict:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def test_security_headers(client):
    response = client.get("/login")
    csp = csp_of(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"]
    assert csp["form-action"] == ["'self'"] and csp["base-uri"] == ["'self'"]
    every_source = [value for values in csp.values() for value in values]
    assert not [v for v in every_source if "unsafe" in v or v.startswith("http") or v == "*"], csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "Strict-Transport-Security" not in response.headers  # only when HTTPS is forced
    # JSON answers carry them too
    assert client.get("/healthz").headers["X-Frame-Options"] == "DENY"


def test_session_cookie_flags(client, make_user):
    make_user("ali@example.com")
    response = client.post("/login", data={"email": "ali@example.com", "password": "correct-horse-42"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_https_deployment_settings(make_app, make_user, client):
    make_user("ali@example.com")
    app = make_app(FORCE_HTTPS=True, SESSION_COOKIE_SECURE=True, PROXY_FIX=True)
    https = app.test_client()
    plain = https.get("/login")
    assert plain.status_code == 302 and plain.headers["Location"].startswith("https://")
    # behind the proxy that terminated HTTPS
    proxied = https.post("/login", headers={"X-Forwarded-Proto": "https"},
                         data={"email": "ali@example.com", "password": "correct-horse-42", "remember": "y"})
    assert proxied.status_code == 302
    assert "max-age=" in proxied.headers["Strict-Transport-Security"]
    cookies = proxied.headers.getlist("Set-Cookie")
    assert {c.split("=")[0] for c in cookies} == {"session", "remember_token", "hamyan_device"}
    assert all("Secure" in c for c in cookies)
    # the session app kept its own settings
    assert client.get("/login").status_code == 200


def test_health_checks_answer_plain_http_when_https_is_forced(make_app):
    """A load balancer or orchestrator probes each app server directly, over plain HTTP and without
    the proxy's X-Forwarded-Proto: a redirect to HTTPS would mark every server down."""
    probe = make_app(FORCE_HTTPS=True, SESSION_COOKIE_SECURE=True, PROXY_FIX=True).test_client()
    assert probe.get("/healthz").status_code == 200
    assert probe.get("/readyz").status_code in (200, 503)  # its own verdict, never a redirect
    assert probe.get("/login").status_code == 302


def test_friendly_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    page = text(response)
    assert "We could not find that page." in page and 'href="/"' in page and "<nav" in page
    assert "Traceback" not in page


boom = Blueprint("boom_test", __name__)


@boom.route("/_test/boom")
def explode():
    raise RuntimeError("kaboom: a bug")


@boom.route("/api/v1/_test/boom")
def explode_api():
    raise RuntimeError("kaboom: a bug")


@pytest.fixture
def boom_app(make_app):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    app.register_blueprint(boom)
    return app


def test_friendly_500_logged_with_request_id(boom_app, caplog):
    client = boom_app.test_client()
    with caplog.at_level(logging.INFO):
        response = client.get("/_test/boom", headers={"X-Request-ID": "trace-500"})
    assert response.status_code == 500
    page = text(response)
    assert "Something went wrong on our side. It has been logged." in page
    assert "kaboom" not in page and "Traceback" not in page
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert errors and errors[0].request_id == "trace-500" and "kaboom" in caplog.text
    assert response.headers["X-Request-ID"] == "trace-500"

    api = client.get("/api/v1/_test/boom")
    assert api.status_code == 500
    assert api.get_json() == {"error": {"code": "internal_error", "fields": {},
                                        "message": "Something went wrong on our side. It has been logged."}}


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok", "database": "ok"}


@pytest.mark.parametrize("url", ["mysql+pymysql://hamyan@127.0.0.1:1/hamyan", "sqlite:////nonexistent/dir/x.sqlite"])
def test_healthz_503_when_database_unreachable(make_app, url, caplog):
    response = make_app(DATABASE_URL=url).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "database": "error"}
    assert "health check: database unreachable" in caplog.text


def test_request_id_on_every_log_line_and_in_the_response(client, caplog):
    with caplog.at_level(logging.INFO):
        response = client.get("/login")
    request_id = response.headers["X-Request-ID"]
    assert len(request_id) == 16
    ours = [r for r in caplog.records if r.name.startswith("hamyan")]
    assert ours and all(r.request_id == request_id for r in ours)
    ours_handler = next(h for h in logging.getLogger().handlers if getattr(h, "hamyan", False))
    assert ours_handler.format(ours[-1]).count(f"[{request_id}]") == 1

    caplog.clear()
    with caplog.at_level(logging.INFO):
        second = client.get("/healthz")
    assert second.headers["X-Request-ID"] != request_id
    assert {r.request_id for r in caplog.records if r.name.startswith("hamyan")} == {second.headers["X-Request-ID"]}


@pytest.mark.parametrize("incoming, kept", [
    ("abc-123", True),
    ("x" * 65, False),
    ("tab\tinside", False),
    ("ünïcode", False),
])
def test_incoming_request_id_kept_only_when_plain(client, incoming, kept):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    assert (response.headers["X-Request-ID"] == incoming) is kept


def test_log_lines_outside_requests_say_dash(caplog):
    with caplog.at_level(logging.INFO):
        logging.getLogger("hamyan.test").info("no request here")
    record = caplog.records[-1]
    assert record.request_id == "-"
