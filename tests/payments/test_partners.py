"""Partner keys: made by an admin, stored hashed and shown once, scoped to granted boxes and to
read or manage, revoked at once, rate-limited; the payment intents API with Idempotency-Key."""
import hashlib

from sqlalchemy import select

from hamyan import partners
from hamyan.blueprints.payments.models import PaymentIntent
from hamyan.extensions import db
from hamyan.partners.models import PartnerKey
from tests.cashbox.helpers import make_box
from tests.conftest import login


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_admin_makes_a_key_shown_once_and_stored_hashed(app, cashbox, make_user):
    make_user("admin@example.com", "Admin", is_admin=True)
    admin = login(app.test_client(), "admin@example.com")
    page = admin.post("/admin/partners", data={"name": "PayCo", "box_ids": str(cashbox.box.id), "can_manage": "y"})
    html = page.get_data(as_text=True)
    token = html.split('id="token">', 1)[1].split("<", 1)[0]
    assert token.startswith("hpk_")
    key = db.session.scalars(select(PartnerKey)).one()
    assert key.key_hash == hashlib.sha256(token.encode()).hexdigest() and token not in str(vars(key))
    again = admin.get("/admin/partners").get_data(as_text=True)
    assert token not in again and f"hpk_{key.prefix}_…" in again
    manager = login(app.test_client(), "boss@example.com")
    assert manager.get("/admin/partners").status_code == 404


def test_partner_reaches_only_its_boxes_and_revoked_fails_at_once(client, cashbox):
    other = make_box(cashbox.manager, shares=1)
    key, token = partners.create_key(partners.Principal("system"), "PayCo", [cashbox.box.id], can_manage=True)
    mine = client.get(f"/api/v1/cashboxes/{cashbox.box.id}", headers=bearer(token))
    assert mine.status_code == 200, mine.get_data(as_text=True)
    assert client.get(f"/api/v1/cashboxes/{other.id}", headers=bearer(token)).status_code == 404
    assert client.get(f"/api/v1/boxes/{other.id}/payment-intents", headers=bearer(token)).status_code == 404
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 403
    assert client.get("/api/v1/cashboxes", headers=bearer(token)).status_code == 403  # not a box's route
    partners.revoke(partners.Principal("system"), key.id)
    assert client.get(f"/api/v1/cashboxes/{cashbox.box.id}", headers=bearer(token)).status_code == 401
    assert client.get(f"/api/v1/cashboxes/{cashbox.box.id}", headers=bearer(token + "x")).status_code == 401


def test_read_only_key_cannot_manage(client, cashbox):
    _, token = partners.create_key(partners.Principal("system"), "Payroll", [cashbox.box.id], can_manage=False)
    assert client.get(f"/api/v1/cashboxes/{cashbox.box.id}", headers=bearer(token)).status_code == 200
    made = client.post(f"/api/v1/boxes/{cashbox.box.id}/payment-intents", headers=bearer(token),
                       json={"amount": "100", "membership_id": cashbox.ann.id})
    assert made.status_code == 404 and db.session.query(PaymentIntent).count() == 0


def test_intents_api_idempotency(client, cashbox):
    _, token = partners.create_key(partners.Principal("system"), "PayCo", [cashbox.box.id], can_manage=True)
    headers = {**bearer(token), "Idempotency-Key": "order-77"}
    url = f"/api/v1/boxes/{cashbox.box.id}/payment-intents"
    first = client.post(url, headers=headers, json={"amount": "100", "membership_id": cashbox.ann.id})
    assert first.status_code == 201, first.get_data(as_text=True)
    assert first.json["charged"] == 10100 and first.json["status"] == "created" and first.json["pay_url"]
    again = client.post(url, headers=headers, json={"amount": "100", "membership_id": cashbox.ann.id})
    assert again.status_code == 201 and again.json["id"] == first.json["id"]
    other = client.post(url, headers=headers, json={"amount": "99", "membership_id": cashbox.ann.id})
    assert other.status_code == 409 and other.json["error"]["code"] == "conflict"
    assert db.session.query(PaymentIntent).count() == 1
    got = client.get(f"{url}/{first.json['id']}", headers=bearer(token))
    assert got.status_code == 200 and got.json["amount"] == 10000
    assert client.get(url, headers=bearer(token)).json["total"] == 1
    bad = client.post(url, headers=bearer(token), json={"amount": "1e3", "membership_id": cashbox.ann.id})
    assert bad.status_code == 422 and "amount" in bad.json["error"]["fields"]


def test_partner_keys_are_rate_limited(make_app, cashbox):
    _, token = partners.create_key(partners.Principal("system"), "PayCo", [cashbox.box.id], can_manage=True)
    limited = make_app(RATELIMIT_ENABLED=True, PARTNER_RATE_LIMIT="3 per minute").test_client()
    answers = [limited.get(f"/api/v1/cashboxes/{cashbox.box.id}", headers={**bearer(token), "Accept-Language": "fa"})
               for _ in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    # when to try again, in seconds within the minute; the code for programs, the message in Persian
    assert 1 <= int(answers[-1].headers["Retry-After"]) <= 60
    assert answers[-1].json["error"]["code"] == "rate_limited" and "تلاش" in answers[-1].json["error"]["message"]


def test_api_errors_speak_the_language_the_request_asks_for(app, client, cashbox, monkeypatch, make_user, api_token):
    """The API answers in the Accept-Language of the request, not the box's (a Persian box here and
    an English partner, or the other way round): the message follows it, the code stays English."""
    _, token = partners.create_key(partners.Principal("system"), "PayCo", [cashbox.box.id], can_manage=True)
    monkeypatch.setitem(app.config, "BOX_SETS_LANGUAGE", True)  # as in production (the suite keeps English)
    cashbox.box.locale = "fa_IR"
    db.session.commit()
    url = f"/api/v1/cashboxes/{cashbox.box.id}/payments"
    for language, message in (("fa-IR,fa;q=0.9", "این شخص عضو این صندوق نیست."),
                              ("en", "That person is not a member of this box.")):
        refused = client.post(url, json={"membership_id": 10**6, "amount": "100"},
                              headers={**bearer(token), "Accept-Language": language})
        assert refused.status_code == 422 and refused.json["error"] == {
            "code": "validation_error", "message": message, "fields": {"membership_id": message}}
    unknown = client.get(f"/api/v1/cashboxes/{cashbox.box.id}", headers={"Accept-Language": "en"})
    assert unknown.status_code == 401 and unknown.json["error"]["message"] == "A valid bearer token is required."
    # without Accept-Language, English: someone who may not see the (Persian) box gets the 404 of a
    # box that does not exist, which tells nothing of it
    stranger = api_token(make_user("stranger@example.com", "Stranger"))
    hidden, missing = (client.get(f"/api/v1/cashboxes/{box_id}", headers=stranger) for box_id in (cashbox.box.id, 10**6))
    assert hidden.status_code == missing.status_code == 404 and hidden.json == missing.json


def test_audit_names_the_partner(client, cashbox):
    from hamyan.audit.models import AuditEvent

    key, token = partners.create_key(partners.Principal("system"), "PayCo", [cashbox.box.id], can_manage=True)
    client.post(f"/api/v1/boxes/{cashbox.box.id}/payment-intents", headers=bearer(token),
                json={"amount": "100", "membership_id": cashbox.ann.id})
    event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.actor_kind, event.actor_label, event.box_id) == ("partner", "partner PayCo", cashbox.box.id)
