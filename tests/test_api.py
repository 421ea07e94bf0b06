"""The JSON API shell: tokens, /me, the error format, the OpenAPI document and its docs page."""
import re
from datetime import datetime, timedelta

import pytest
from openapi_spec_validator import validate
from sqlalchemy import select

from hamyan.audit.models import AuditEvent
from hamyan.blueprints.auth.models import ApiToken
from hamyan.boxes import services as boxes
from hamyan.extensions import db
from tests.conftest import PASSWORD, statements


def assert_error(response, status, code, fields=()):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    assert set(body["error"]["fields"]) == set(fields), body
    return body["error"]


def get_token(client, email="ali@example.com", password=PASSWORD, **extra):
    return client.post("/api/v1/auth/token", json={"email": email, "password": password, **extra})


def bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_token_then_me_with_memberships(client, make_user):
    ali = make_user("ali@example.com", "Ali علی")
    box = boxes.create_box(ali, "cashbox", "Family fund", "IRR")
    other = make_user("other@example.com")
    theirs = boxes.create_box(other, "moneypool", "Their pool", "USD")
    boxes.add_member(other, theirs.id, "Ali", "ali@example.com")
    db.session.commit()

    response = get_token(client, email="ALI@example.com", name="laptop script")
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "laptop script" and body["token"].startswith("hmy_")
    stored = db.session.execute(select(ApiToken)).scalar_one()
    assert stored.token_hash != body["token"] and stored.last_used_at is None

    me = client.get("/api/v1/me", headers=bearer(body["token"]))
    assert me.status_code == 200
    assert me.get_json() == {
        "id": ali.id, "email": "ali@example.com", "name": "Ali علی", "is_admin": False,
        "memberships": [
            {"box_id": box.id, "box_name": "Family fund", "kind": "cashbox", "currency": "IRR", "role": "manager"},
            {"box_id": theirs.id, "box_name": "Their pool", "kind": "moneypool", "currency": "USD", "role": "member"},
        ],
    }
    db.session.refresh(stored)
    assert stored.last_used_at is not None


def test_a_token_call_reads_its_user_in_one_query_and_writes_last_used_only_now_and_then(client, make_user, clock):
    make_user("ali@example.com")
    start = datetime(2026, 12, 1, 10, 0)
    clock.set(start)
    secret = get_token(client).get_json()["token"]
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    clock.set(start + timedelta(minutes=2))
    with statements() as sent:
        assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    assert len([s for s in sent if "api_token" in s]) == 1, sent  # the token and its user together
    assert all(s.lstrip().upper().startswith("SELECT") for s in sent), sent  # a read costs no write
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at == start
    clock.set(start + timedelta(minutes=20))
    client.get("/api/v1/me", headers=bearer(secret))
    db.session.expire_all()
    assert db.session.scalars(select(ApiToken)).one().last_used_at == start + timedelta(minutes=20)
    assert not [e for e in db.session.scalars(select(AuditEvent)) if "last_used_at" in e.changes]  # bookkeeping


def test_wrong_credentials_401(client, make_user):
    make_user("ali@example.com")
    error = assert_error(get_token(client, password="wrong-password"), 401, "invalid_credentials", ["password"])
    assert error["message"] == "Wrong email or password."
    assert_error(get_token(client, email="nobody@example.com"), 401, "invalid_credentials", ["password"])


@pytest.mark.parametrize("body, fields", [
    ({}, ["email", "password"]),
    ({"email": "not-an-email", "password": "x"}, ["email"]),
    ({"email": "ali@example.com", "password": ""}, ["password"]),
    ({"email": "ali@example.com", "password": "x", "name": "n" * 101}, ["name"]),
    ({"email": "ali@example.com", "password": "x", "surprise": 1}, ["surprise"]),
])
def test_token_request_validation_422(client, body, fields):
    error = assert_error(client.post("/api/v1/auth/token", json=body), 422, "validation_error", fields)
    assert all(error["fields"][name] for name in fields)


def test_token_request_must_be_json(client):
    response = client.post("/api/v1/auth/token", data="email=x", content_type="application/x-www-form-urlencoded")
    assert_error(response, 422, "validation_error", ["email", "password"])


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer"},
    {"Authorization": "Bearer hmy_not-a-real-token"},
    {"Authorization": "Basic YWxpOnNlY3JldA=="},
])
def test_me_without_a_valid_token_401(client, headers):
    assert_error(client.get("/api/v1/me", headers=headers), 401, "unauthorized", ["Authorization"])


def test_unknown_path_and_method_use_the_error_format(client):
    assert_error(client.get("/api/v1/nothing-here"), 404, "not_found")
    assert_error(client.delete("/api/v1/auth/token"), 405, "method_not_allowed")


def test_token_requests_rate_limited_429(make_app, make_user):
    make_user("ali@example.com")
    client = make_app(RATELIMIT_ENABLED=True).test_client()
    for _ in range(5):
        assert get_token(client, password="wrong-password").status_code == 401
    error = assert_error(get_token(client), 429, "rate_limited")
    assert "Too many attempts" in error["message"]


def test_tokens_created_and_revoked_on_the_profile_page(app, user_client):
    client = user_client("ali@example.com")
    empty = client.post("/profile", data={"which": "token", "token-name": ""})
    assert "This field is required." in empty.get_data(as_text=True)
    page = client.post("/profile", data={"which": "token", "token-name": "backup script"}).get_data(as_text=True)
    secret = re.search(r'<code class="token-secret" id="new-token">([^<]+)</code>', page).group(1)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    # shown once only
    assert secret not in client.get("/profile").get_data(as_text=True)

    token = db.session.execute(select(ApiToken)).scalar_one()
    stranger = user_client("mina@example.com")
    response = stranger.post(f"/profile/tokens/{token.id}/revoke", follow_redirects=True)
    assert "Not found." in response.get_data(as_text=True)
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200

    response = client.post(f"/profile/tokens/{token.id}/revoke", follow_redirects=True)
    assert "Token revoked." in response.get_data(as_text=True)
    assert "backup script" not in response.get_data(as_text=True)
    assert_error(client.get("/api/v1/me", headers=bearer(secret)), 401, "unauthorized", ["Authorization"])


def test_openapi_document_is_valid_and_needs_bearer_tokens(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert spec["components"]["securitySchemes"]["bearerAuth"] == {"type": "http", "scheme": "bearer"}
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    assert "security" not in spec["paths"]["/api/v1/me"]["get"]  # inherits the document's bearerAuth
    assert "422" in spec["paths"]["/api/v1/auth/token"]["post"]["responses"]


def test_docs_page_serves_swagger_ui_from_our_static_files(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in assets
    assert "/static/vendor/swagger-ui/swagger-ui.css" in assets
    assert all(asset.startswith("/static/") for asset in assets), assets
    assert 'data-spec="/api/v1/openapi.json"' in html
    for asset in assets:
        assert client.get(asset).status_code == 200
