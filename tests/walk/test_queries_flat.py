"""Every page and API call sends as many SQL statements for a box of 10 members as for one of 200
(issue 17): the walk takes the routes from `app.url_map` itself, so a GET route added later is
walked without anyone listing it, or fails here until it can be (a variable no world fills).

Each product's box is built at both sizes (tests/walk/worlds.py: every list it has holds about
`size` rows); each route is requested cold (the identity map dropped) after one warm-up, as the
box's manager and as one of its members (pages signed in, the API with a bearer token). The routes
of no box (the operator's console, a person's account pages) are walked the same way, as an admin
and as a person, with 10 and 200 users."""
import json
import os
import re

import pytest
from flask import current_app

from hamyan.blueprints import PRODUCTS
from hamyan.extensions import db
from tests.conftest import login, statements
from tests.walk import worlds

SMALL, LARGE = 10, 200

# Routes no walk requests, each with why.
SKIPPED = {
    "static": "a file from disk",
    "api_docs": "the API's documentation page: no database",
    "api-docs.openapi_json": "the OpenAPI document: no database",
    "home.healthz": "liveness: no database",
    "home.readyz": "readiness: one fixed query",
    "auth.login": "signed-out form",
    "auth.signup": "signed-out form",
    "auth.forgot": "signed-out form",
    "auth.reset": "a one-time link: one row by its token",
    "auth.verify": "a one-time link: one row by its token",
    "auth.invitation": "a one-time link: one row by its token",
    "hamyar.referred": "a sign-up link: one row by its code",
    "payments.returned": "the gateway's return: one intent by its authority",
    "payments.sandbox_page": "the test gateway's page: one intent by its authority",
    "admin.download_backup": "a file from disk",
    "admin.download_report": "a file from disk",
    "payments.report_receipt": "a receipt file from disk",
    "aptbox.receipt": "a receipt file from disk",
    "reports.download": "a finished report's file from disk",
    "api_reports.download": "a finished report's file from disk",
}

# Statements counted on reads are the app's own, the same on either database: walked on the SQLite leg.
pytestmark = pytest.mark.skipif(os.environ.get("HAMYAN_TEST_DATABASE_URL", "").startswith("mysql"),
                                reason="statement counts of reads: walked on the SQLite leg")


# What a route needs beyond its path to answer (a statement's dates and member).
STATEMENT = "?start=2024-01-01&end={today}"
QUERY = {"api_cashbox.statement": STATEMENT + "&membership_id={membership_id}",
         "api_rosca.statement": STATEMENT + "&membership_id={membership_id}",
         "rosca.statement": STATEMENT + "&membership_id={membership_id}",
         "api_moneypool.statement": STATEMENT + "&member_id={member_id}",
         "moneypool.statement_pdf": STATEMENT + "&member_id={member_id}"}

# A route whose manager's answer is not 200, and why.
STATUS = {"/payments/<public_id>/pay": 302}  # sends the payer to the gateway

# Routes allowed more statements in the big box, each with why: a list that shows its first page and
# counts the rest only when that page is full (flat in N from then on).
GROWS_ONCE = {"/boxes/<int:box_id>/members": "the 25 newest open invitations, the rest counted once there are more"}


class _NoLayout:
    """WeasyPrint's layout of a PDF, which sends no SQL: the walk renders a statement's HTML and stops there."""

    def __init__(self, string, base_url=None):
        pass

    def render(self, **kwargs):
        return self

    pages = ()

    def write_pdf(self):
        return b"%PDF-"


def product_of(endpoint: str):
    """The product whose package serves this endpoint, or None for a platform area."""
    module = current_app.view_functions[endpoint].__module__
    return next((p for p in PRODUCTS if module.startswith(f"hamyan.blueprints.{p.kind}.")), None)


def get_rules():
    return sorted((r for r in current_app.url_map.iter_rules() if "GET" in r.methods and r.endpoint not in SKIPPED),
                  key=lambda r: r.rule)


def box_rules_of_any() -> list:
    """The GET routes of some box (or of one of its payments)."""
    return [r for r in get_rules() if "box_id" in r.arguments or "public_id" in r.arguments]


def box_rules(kind: str) -> list:
    """The GET routes of a box of this kind: its product's own and every platform route of a box."""
    return [r for r in box_rules_of_any() if product_of(r.endpoint) in (None, kind_product(kind))]


def kind_product(kind: str):
    return next(p for p in PRODUCTS if p.kind == kind)


def count(client, url: str, headers=None) -> tuple[int, int, int]:
    """(status, statements, longest JSON list) of one GET, the identity map dropped first."""
    db.session.expunge_all()
    with statements() as sent:
        response = client.get(url, headers=headers)
    listed = longest_list(response.get_json()) if response.is_json and response.status_code == 200 else 0
    return response.status_code, len(sent), listed


def longest_list(value) -> int:
    if isinstance(value, list):
        return max([len(value)] + [longest_list(v) for v in value])
    if isinstance(value, dict):
        return max([0] + [longest_list(v) for v in value.values()])
    return 0


def url_of(world: worlds.World, rule) -> str:
    missing = set(rule.arguments) - set(world.values) - {"box_id"}
    assert not missing, f"{rule.rule}: no value for {missing}: give the world one, or skip the route with why"
    return rule.build({"box_id": world.box_id, **world.values}, append_unknown=False)[1] + QUERY.get(rule.endpoint, "").format(**world.values)


def walk(world: worlds.World, rules) -> dict:
    """{(rule, who): (status, statements, longest JSON list)} of every route as each of the world's people."""
    seen = {}
    for rule in rules:
        url = url_of(world, rule)
        for who, (client, headers) in world.clients.items():
            seen[rule.rule, who] = count(client, url, headers if url.startswith("/api/") else None)
    return seen


def signed_in(app, api_token, world: worlds.World, people: dict) -> worlds.World:
    """The world's people signed in (pages) and with a bearer token (the API), by role."""
    world.clients = {who: (login(app.test_client(), user.email), api_token(user)) for who, user in people.items()}
    return world


def build(app, make_user, api_token, kind: str, size: int) -> worlds.World:
    manager = make_user(f"manager{size}@example.com", "Manager")
    member = make_user(f"member{size}@example.com", "Member")
    return signed_in(app, api_token, getattr(worlds, kind)(manager, member, size),
                     {"manager": manager, "member": member})


def assert_flat(rules, small_world: worlds.World, large_world: worlds.World, viewer, what: str) -> None:
    """Every rule answers both worlds' people with the same status and statements; `viewer(rule)` (one of
    the roles) sees each route (200, or STATUS's); no API list answers more than 100 rows."""
    small, large = walk(small_world, rules), walk(large_world, rules)
    # A route's first request may do the day's work once (summaries, a token's last use): count again
    # the routes that differ, both worlds warm now.
    again = [rule for rule in rules if any(small[rule.rule, who][:2] != large[rule.rule, who][:2]
                                           for who in small_world.clients)]
    small.update(walk(small_world, again))
    large.update(walk(large_world, again))
    report = "\n".join(f"{rule} as {who}: {small[rule, who][:2]} -> {large[rule, who][:2]}"
                       for rule, who in small if small[rule, who][:2] != large[rule, who][:2]
                       and not (rule in GROWS_ONCE and small[rule, who][0] == large[rule, who][0]
                                and 0 < large[rule, who][1] - small[rule, who][1] <= 1))
    not_seen = [f"{rule.rule} ({large[rule.rule, viewer(rule)][0]})" for rule in rules
                if large[rule.rule, viewer(rule)][0] != STATUS.get(rule.rule, 200)]
    assert not not_seen, f"routes their viewer should see: {not_seen}"
    unpaged = sorted({rule for (rule, who), (_, _, listed) in large.items() if listed > 100})
    assert not report and not unpaged, (f"(status, statements) at {what}:\n{report}\n"
                                        f"API lists not paged: {unpaged}")


@pytest.mark.parametrize("kind", [p.kind for p in PRODUCTS])
def test_every_route_of_a_box_sends_as_many_statements_for_200_members_as_for_10(app, make_user, api_token, kind,
                                                                                  monkeypatch):
    monkeypatch.setattr("weasyprint.HTML", _NoLayout)
    worlds_ = [build(app, make_user, api_token, kind, size) for size in (SMALL, LARGE)]
    assert_flat(box_rules(kind), *worlds_, lambda rule: "manager", f"{SMALL} -> {LARGE} members")


def test_every_account_and_console_route_sends_as_many_statements_for_200_users_as_for_10(app, make_user,
                                                                                         api_token):
    """The operator's console as an admin, and the account pages as a person with as many messages,
    devices, tokens and people brought as the console has users (and 1 or 3 boxes of each product)."""
    rules = [rule for rule in get_rules() if rule not in box_rules_of_any()]
    worlds_ = []
    for size in (SMALL, LARGE):
        admin = make_user(f"admin{size}@example.com", "Admin", is_admin=True)
        person = make_user(f"person{size}@example.com", "Person")
        worlds_.append(signed_in(app, api_token, worlds.account(admin, person, size), {"admin": admin, "person": person}))
    assert_flat(rules, *worlds_, lambda rule: "admin" if rule.rule.startswith("/admin") else "person",
                f"{SMALL} -> {LARGE} users")
