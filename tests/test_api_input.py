"""Issue 9, input: bodies the API refuses as the client's mistake (4xx with the error shape),
never a 500: lone surrogates, deep nesting, amounts outside the grammar, free text with
invisible characters, and a rules change that touches only what it names."""
import json
import re

import pytest

from tests.cashbox.test_api import _create


@pytest.fixture
def cashbox(client, make_user, api_token):
    headers = api_token(make_user("boss@example.com", "Boss"))
    box = _create(client, headers).get_json()
    return f"/api/v1/cashboxes/{box['box_id']}", headers


def _raw(client, method, url, body: str, headers):
    return client.open(url, method=method, data=body, headers={**headers, "Content-Type": "application/json"})


def _error(response, status):
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "fields"}
    return error


def test_a_lone_surrogate_is_a_422_on_its_field(client, cashbox):
    base, headers = cashbox
    error = _error(_raw(client, "POST", f"{base}/members", '{"display_name": "Ali \\ud800"}', headers), 422)
    assert "surrogate" in error["fields"]["display_name"]
    error = _error(_raw(client, "POST", "/api/v1/auth/token", '{"email": "\\udfff@x.com", "password": "x"}', {}), 422)
    assert "email" in error["fields"]


@pytest.mark.parametrize("body", ["[" * 5000 + "]" * 5000, '{"grace_days": ' + '{"a": ' * 5000 + "1" + "}" * 5001,
                                  "[" * 40 + "]" * 40])
def test_json_nested_deeply_is_a_400(client, cashbox, body):
    base, headers = cashbox
    error = _error(_raw(client, "PUT", f"{base}/rules", body, headers), 400)
    assert "nested" in error["message"]


@pytest.mark.parametrize("amount", ["1E+999999999", "1,2,3", "1_000", "12,50", "1" * 40])
def test_amounts_outside_the_grammar_are_field_errors(client, cashbox, amount):
    base, headers = cashbox
    box = client.get(base, headers=headers).get_json()
    member = client.post(f"{base}/members", json={"display_name": "Ann"}, headers=headers).get_json()
    response = client.post(f"{base}/payments", headers=headers, json={
        "membership_id": member["membership_id"], "round_id": box["current_round"]["id"], "amount": amount})
    assert "amount" in _error(response, 422)["fields"]


@pytest.mark.parametrize("text", ["Ann\u202e", "A\u200bnn", "Ann\nBob", "\ufeffAnn"])
def test_free_text_with_control_bidi_or_zero_width_characters_is_refused(client, cashbox, text):
    base, headers = cashbox
    response = client.post(f"{base}/members", json={"display_name": text}, headers=headers)
    assert "display_name" in _error(response, 422)["fields"]


def test_a_rules_change_touches_only_what_it_names(client, cashbox):
    base, headers = cashbox
    before = client.get(base, headers=headers).get_json()
    assert (before["grace_days"], before["fine_kind"], before["fine_value"]) == (3, "fixed", 200)
    response = client.put(f"{base}/rules", json={"winner_policy": "hold"}, headers=headers)
    after = response.get_json()
    assert response.status_code == 200 and after["winner_policy"] == "hold"
    assert (after["grace_days"], after["fine_kind"], after["fine_value"]) == (3, "fixed", 200)
    assert "rules" in _error(client.put(f"{base}/rules", json={}, headers=headers), 422)["fields"]
    # a new kind of fine needs its value: the old one was an amount, not a percent
    error = _error(client.put(f"{base}/rules", json={"fine_kind": "percent"}, headers=headers), 422)
    assert "fine_value" in error["fields"]
    assert client.get(base, headers=headers).get_json()["fine_kind"] == "fixed"


def test_every_list_takes_pages_up_to_a_million(client, cashbox):
    """A page number past what any list holds is refused on `page`, on every list alike (a pool's
    lists took any number, which MariaDB cannot use as an offset; a cashbox's payments answered
    another page than the one asked for)."""
    spec = client.get("/api/v1/openapi.json").get_json()
    pages = {path: param["schema"] for path, item in spec["paths"].items() for param in item.get("get", {})
             .get("parameters", []) if param["in"] == "query" and param["name"] in ("page", "periods_page")}
    assert len(pages) > 20 and {path: schema.get("maximum") for path, schema in pages.items()} == \
        {path: 10**6 for path in pages}
    base, headers = cashbox
    for url in (f"{base}/payments", f"{base}/draws"):
        error = _error(client.get(f"{url}?page={10**6 + 1}", headers=headers), 422)
        assert set(error["fields"]) == {"page"}


def test_numbers_in_a_persian_api_message_are_in_persian_digits(client, cashbox):
    """Issue 15: a Persian answer said "باید از 1 تا 1000000 باشد."; its numbers are now in Persian
    digits, its code and field names stay English."""
    base, headers = cashbox
    fa = {**headers, "Accept-Language": "fa"}
    error = _error(client.get(f"{base}/payments?page={10**6 + 1}", headers=fa), 422)
    assert error["code"] == "validation_error" and set(error["fields"]) == {"page"}
    said = json.dumps(error["fields"]["page"], ensure_ascii=False)
    assert "۱۰۰۰۰۰۰" in said and not re.search("[0-9]", said), said
    error = _error(client.get(f"{base}/payments?page={10**6 + 1}", headers=headers), 422)
    assert "1000000" in json.dumps(error["fields"]["page"])  # English keeps Latin digits
