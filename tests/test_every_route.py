"""Every route of the app, walked from `app.url_map`, so a new route is covered without anyone
remembering to add it here:

- ugly input everywhere: every rule, its URL filled from the demo's boxes (one of each product, with
  members, payments, loans, charges...), as their manager (pages) and with his token (API), sends
  query strings and form and JSON bodies whose every field holds one ugly value at a time. Never a
  500; an API error keeps the documented shape ({"error": {"code", "message", "fields"}}), a 422
  naming its fields;
- scoping everywhere: a stranger who manages boxes of his own asks for every box-scoped rule with the
  demo's ids (and with his own box and the demo's objects inside it) and gets 404; nobody signed in
  is sent to sign in (pages) or gets 401 (API);
- a double submit with the same Idempotency-Key records once.

The state is built once for the module (the demo's rows put back, a stranger's boxes made): tests do
not empty the tables between them, and the rules that end things (delete, remove, sign out...) are
walked last. Both test legs run it: what the walk finds can be a query that only MariaDB refuses."""
import functools
import itertools
import json
import os
import re
import traceback
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict
from werkzeug.routing import AnyConverter

from hamyan import create_app
from hamyan.blueprints import PRODUCTS
from hamyan.blueprints.moneypool.views import ACTIONS as LOAN_ACTIONS
from hamyan.core.product import load
from hamyan.demo import DEMO_PASSWORD
from hamyan.extensions import api, db
from tests.conftest import PASSWORD, empty_all_tables, insert_rows, login
from tests.conftest import test_config as app_config

# What the walk cannot reach on its own: each with why.
NOT_WALKED = {
    "static": "files, no input",
    "api_docs": "a static page of Swagger UI",
    "api-docs.openapi_json": "the document; tests/test_api_contract.py checks it",
}

# Answers of 500 and more that are right, each with why.
SERVER_ANSWERS = {
    "home.readyz": (503, "the test database is made by create_all, not migrated to head: /readyz says so"),
}

# Rules answered without signing in (everything else sends a stranger to sign in, or 401 in the API).
PUBLIC = {"home.dashboard", "home.healthz", "home.readyz", "auth.login", "auth.signup", "auth.forgot", "auth.reset",
          "auth.verify", "auth.resend_verification", "auth.invitation", "auth.logout", "auth.choose_language",
          "hamyar.referred", "payments.callback", "payments.returned", "payments.sandbox_page",
          "payments.sandbox_late_callback", "payments.status", "payments.pay_intent", "api_auth.create_token"}

# Rules that end something the later rules need (the box, a member, the signed-in session): walked last.
ENDING = re.compile(r"delete|remove|archive|leave|logout|sign_out|revoke|disable|force_reset|write_off|cancel")

UGLY = ["", "-1", "0", "1e400", "99999999999999999999999999", "abc", "۱۲۳", "١٢٣", "1405/12/31", "\u202e",
        "' OR 1=1 --", "x" * 10_000]
JSON_ONLY = [None, ["abc", 1], {"a": {"b": 1}}]
MALFORMED = '{"amount": "1", '
COMMON = ["amount", "date", "day", "term", "count", "shares", "page", "per_page", "q", "member", "name", "phone",
          "email", "reason", "start", "end", "status", "block", "export", "member_id", "membership_id", "unit"]

HUGE_ID = 10**20
MISSING = 999_999_999  # an id no row has

# Words a URL takes that its converter does not list (a view answers 404 to any other).
WORDS = {"moneypool.loan_action": {"action": list(LOAN_ACTIONS)},
         "aptbox.export": {"what": ["charges", "expenses", "ledger"]}}


def _rules():
    """Every rule and method of the app, with the product whose box fills its URL and a choice for
    each word its URL picks from (built at collection time from a throwaway app: the rules do not
    depend on the database)."""
    app = create_app(app_config("sqlite://"))
    product_of = {}
    for product in PRODUCTS:
        product_of[product.load("views").name] = product_of[product.load("api").name] = product.kind
    walked = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in NOT_WALKED:
            continue
        kinds = [product_of.get(rule.endpoint.partition(".")[0])]
        if kinds == [None] and "box_id" in rule.arguments:  # a platform page of every box: each product's
            kinds = [p.kind for p in PRODUCTS]
        choices = {name: list(converter.items) for name, converter in rule._converters.items()
                   if isinstance(converter, AnyConverter)}
        choices.update(WORDS.get(rule.endpoint, {}))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for kind in kinds:
                for picked in itertools.product(*choices.values()):
                    walked.append((rule.rule, rule.endpoint, method, kind, dict(zip(choices, picked))))
    walked.sort(key=lambda r: (bool(ENDING.search(r[1]) or r[2] == "DELETE" or "remove" in r[0]), r[0], r[2],
                               r[3] or "", sorted(r[4].items())))
    return walked


ROUTES = _rules()
# The MySQL/MariaDB leg sends ugly input to the writes only, where the database's own strictness (a
# length, a range, a type) can answer otherwise than SQLite; how reads parse their queries, the scoping
# and the signed-out answers are the app's own, walked on the SQLite leg.
ON_MYSQL = os.environ.get("HAMYAN_TEST_DATABASE_URL", "").startswith("mysql")
APP_ONLY = pytest.mark.skipif(ON_MYSQL, reason="the app's own answers: walked on the SQLite leg")


def _id(route) -> str:
    rule, _endpoint, method, kind, picked = route
    for name, word in picked.items():
        rule = re.sub(rf"<[^>]*\b{name}>", word, rule)
    return f"{method} {rule}" + (f" [{kind}]" if kind and rule.startswith(("/boxes/", "/api/v1/boxes/")) else "")


def fill(rule: str, values: dict) -> str:
    def one(match):
        name = match.group(2)
        if name not in values:
            raise AssertionError(f"no value for <{name}> in {rule}: add how to find one to _values() in {__file__}")
        return str(values[name])

    return re.sub(r"<(?:([a-z]+)(?:\([^)]*\))?:)?(\w+)>", one, rule)


def _first(sql: str, **params):
    """The first value the query finds, or an id no row has (the route then answers 404, which the
    walk accepts: the demo holds one of nearly everything)."""
    found = db.session.execute(sa.text(sql + " LIMIT 1"), params).scalar()
    return MISSING if found is None else found


def _values(box_id: int, kind: str, users: dict) -> dict:
    """A value for every URL variable of the rules of a box of this kind (ids of its own rows)."""
    b = {"b": box_id}
    loan_id = _first("SELECT loan_id FROM mp_repayment WHERE box_id = :b ORDER BY id", **b)
    if loan_id == MISSING:
        loan_id = _first("SELECT id FROM mp_loan WHERE box_id = :b ORDER BY id", **b)
    unit_id = _first("SELECT unit_id FROM apt_payment WHERE box_id = :b ORDER BY id", **b)
    member_id = _first("SELECT id FROM mp_member WHERE box_id = :b ORDER BY id", **b)
    due = _first("SELECT due_date FROM dues_late_charge WHERE box_id = :b AND subject_id = :m",
                 b=box_id, m=member_id)
    manager = users["manager"].id
    return {
        "box_id": box_id,
        "membership_id": _first("SELECT id FROM membership WHERE box_id = :b AND user_id <> :u ORDER BY id",
                                b=box_id, u=manager),
        "invitation_id": _first("SELECT id FROM invitation WHERE box_id = :b", **b),
        "campaign_id": _first("SELECT id FROM notify_campaign WHERE box_id = :b", **b),
        "public_id": _first("SELECT public_id FROM pay_intent WHERE box_id = :b", **b),
        "report_id": _first("SELECT id FROM pay_report WHERE box_id = :b", **b),
        "job_id": _first("SELECT id FROM report_job WHERE box_id = :b", **b),
        "kind": next(iter(next(p for p in PRODUCTS if p.kind == kind).reports)),
        # cashbox
        "fine_id": _first("SELECT id FROM dues_late_charge WHERE box_id = :b ORDER BY id", **b),
        "payment_id": _first({"cashbox": "SELECT p.id FROM cashbox_payment p JOIN cashbox_round r ON r.id = p.round_id "
                                         "WHERE r.box_id = :b",
                              "rosca": "SELECT id FROM rosca_payment WHERE box_id = :b",
                              "aptbox": "SELECT id FROM apt_payment WHERE unit_id = :u ORDER BY id",
                              "moneypool": "SELECT id FROM mp_contribution WHERE box_id = :b"}[kind], b=box_id, u=unit_id),
        "round_id": _first("SELECT id FROM cashbox_round WHERE box_id = :b ORDER BY id DESC", **b),
        "number": 1,
        # moneypool
        "member_id": member_id,
        "contribution_id": _first("SELECT id FROM mp_contribution WHERE box_id = :b", **b),
        "loan_id": loan_id,
        "repayment_id": _first("SELECT id FROM mp_repayment WHERE loan_id = :l", l=loan_id),
        "due": due if due != MISSING else "2026-01-01",
        # aptbox
        "unit_id": unit_id,
        "component_id": _first("SELECT id FROM apt_component WHERE box_id = :b", **b),
        "rule_id": _first("SELECT r.id FROM apt_unit_rule r JOIN apt_component c ON c.id = r.component_id "
                          "WHERE c.box_id = :b", **b),
        "expense_id": _first("SELECT id FROM apt_expense WHERE box_id = :b", **b),
        "poll_id": _first("SELECT id FROM apt_poll WHERE box_id = :b", **b),
        # rosca
        "period": 1,
        "swap_id": _first("SELECT id FROM rosca_swap WHERE box_id = :b", **b),
    }


def _account_values(users: dict, victim) -> dict:
    """Values of the rules outside boxes: the signed-in person's own rows, and for the admin's pages a
    user made to be disabled, signed out and reset."""
    return {
        "session_id": _first("SELECT id FROM user_session WHERE user_id = :u ORDER BY id DESC", u=victim.id),
        "token_id": _first("SELECT id FROM api_token WHERE user_id = :u ORDER BY id", u=users["manager"].id),
        "user_id": victim.id,
        "token": "abc",
        "code": _first("SELECT code FROM hamyar_referral_code WHERE user_id = :u", u=users["manager"].id),
        "gateway": "sandbox",
        "authority": _first("SELECT authority FROM pay_sandbox"),
        "public_id": _first("SELECT public_id FROM pay_intent"),
        "announcement_id": _first("SELECT id FROM hamyar_announcement"),
        "key_id": _first("SELECT id FROM partner_key"),
        "delivery_id": _first("SELECT id FROM webhook_delivery"),
        "plan_id": _first("SELECT id FROM plan"),
        "campaign_id": _first("SELECT id FROM notify_campaign"),
        "name": "nothing.sql.gz",
    }


class World:
    """The demo's boxes (run by the demo manager) with a value for every URL variable of each, by
    kind; a box of each product run by a stranger (`b`: kind -> id)."""

    def __init__(self, users, stranger, a_boxes, b_boxes, victim, tokens):
        self.users, self.stranger = users, stranger
        self.token, self.member_token, self.stranger_token = tokens
        self.a = {kind: _values(box_id, kind, users) for kind, box_id in a_boxes.items()}
        self.b = b_boxes
        self.account = _account_values(users, victim)

    def values(self, route) -> dict:
        rule, endpoint, method, kind, picked = route
        values = dict(self.account)
        if kind:
            values.update(self.a[kind])
        values.update(picked)
        return values


class _FakeDocument:
    pages = [None]

    def render(self, **kwargs):
        return self

    def write_pdf(self, *args, **kwargs):
        return b"%PDF-1.7 walked"


@pytest.fixture(scope="module")
def world(app, _demo_rows):
    """Built once: the demo, a stranger's four boxes, a user for the admin's pages to act on. PDFs are
    laid out but not drawn (WeasyPrint's seconds are not what the walk tests) and report jobs are
    queued but not run."""
    import weasyprint

    from hamyan.blueprints.aptbox import services as apt
    from hamyan.blueprints.auth import services as auth
    from hamyan.blueprints.auth.models import User
    from hamyan.blueprints.moneypool import services as mp
    from hamyan.blueprints.payments import services as payments
    from hamyan.boxes.models import Box
    from hamyan.core import clock
    from hamyan.statements import jobs
    from tests.cashbox.helpers import make_box
    from tests.rosca.helpers import started_rosca

    with app.app_context(), pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint, "HTML", lambda *args, **kwargs: _FakeDocument())
        patch.setattr(jobs, "start_thread", lambda app, job_id: None)
        ids, rows = _demo_rows
        insert_rows(rows)
        users = {who: db.session.get(User, id) for who, id in ids.items()}
        stranger = auth.signup("stranger@example.com", "Stranger", PASSWORD, verified=True)
        victim = auth.signup("victim@example.com", "Victim", PASSWORD, verified=True)
        auth.create_api_token(users["manager"], "walked")  # one for the revoke rule, not the one walking
        a_boxes = {kind: box_id for box_id, kind in db.session.execute(sa.select(Box.id, Box.kind).order_by(Box.id))}
        b_boxes = {
            "cashbox": make_box(stranger).id,
            "rosca": started_rosca(stranger).id,
            "moneypool": mp.create_pool(stranger, "Stranger's pool", "USD", "100",
                                        clock.today_in("UTC") - timedelta(days=1)).id,
            "aptbox": apt.create_building(stranger, "Stranger's building", "IRR", "UTC", "en", "gregorian").id,
        }
        for box_id in a_boxes.values():
            payments.update_settings(users["manager"], box_id, True, "box")
        client = app.test_client()
        login(client, victim.email)  # a session for the admin to sign out
        tokens = [auth.create_api_token(who, "walking")[1] for who in (users["manager"], users["member"], stranger)]
        yield World(users, stranger, a_boxes, b_boxes, victim, tokens)
        db.session.remove()
        empty_all_tables()


@pytest.fixture(autouse=True)
def _app_context(app):
    """Overrides the suite's: the tables keep the module's state between its tests."""
    with app.app_context():
        yield
        db.session.remove()


def _form_fields() -> list[str]:
    """Every name a page reads from a request: the fields of every form class, and what views read
    from request.args/form/values themselves. Pages get them all (a form ignores the others)."""
    import pathlib

    import wtforms

    root = pathlib.Path(__file__).parent.parent / "hamyan"
    for module in root.rglob("*.py"):
        if module.name in ("forms.py", "views.py", "fields.py", "picker.py", "listing.py", "bulk.py"):
            __import__(".".join(module.relative_to(root.parent).with_suffix("").parts))
    names = set(COMMON)
    forms = [wtforms.Form]
    while forms:
        form = forms.pop()
        forms.extend(form.__subclasses__())
        for attribute in dir(form):
            field = getattr(form, attribute, None)
            if isinstance(field, wtforms.fields.core.UnboundField):
                names.add(attribute)
                if field.field_class in (wtforms.FieldList,):
                    names.add(f"{attribute}-0")
    read = re.compile(r"""request\.(?:args|form|values|files)(?:\.get(?:list)?\(|\[)\s*["'](\w+)["']""")
    for module in root.rglob("*.py"):
        names.update(read.findall(module.read_text()))
    return sorted(names)


FORM_FIELDS = _form_fields()


@functools.cache
def _spec() -> dict:
    return api.spec.to_dict()


def _operation(rule: str, method: str) -> dict | None:
    """The API document's operation of a rule and method (None for what it does not document)."""
    return _spec()["paths"].get(re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule), {}).get(method.lower())


def _body_schema(operation: dict) -> dict:
    schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
    while "$ref" in schema:
        schema = _spec()["components"]["schemas"][schema["$ref"].rpartition("/")[2]]
    return schema


def _spec_fields(rule: str, method: str) -> tuple[list[str], list[str]]:
    """(body fields, query fields) the API document declares for an operation; the common names
    for one it does not document."""
    operation = _operation(rule, method)
    if operation is None:
        return COMMON, COMMON
    return list(_body_schema(operation).get("properties", {})), [p["name"] for p in operation.get("parameters", [])
                                                                if p["in"] == "query"]


def _ugly_requests(rule: str, method: str):
    """(what it sends, the keyword arguments of client.open) for every ugly value."""
    is_api = rule.startswith("/api/")
    body_fields, query_fields = _spec_fields(rule, method) if is_api else (FORM_FIELDS, FORM_FIELDS)
    if method == "GET":
        for value in UGLY:
            yield value, {"query_string": {name: value for name in query_fields}}
        return
    for value in UGLY + JSON_ONLY:
        if is_api:
            yield value, {"json": {name: value for name in body_fields},
                          "query_string": {name: value for name in query_fields if isinstance(value, str)}}
        elif value is None:
            yield "no fields", {"data": {}}
        elif isinstance(value, list):
            yield value, {"data": MultiDict([(name, one) for name in body_fields for one in map(str, value)])}
        elif isinstance(value, str):
            yield value, {"data": {name: value for name in body_fields}}
    yield "malformed JSON", {"data": MALFORMED, "content_type": "application/json"}
    if is_api:
        for body in ([], "abc", None, 12):
            yield f"body {body!r}", {"data": json.dumps(body), "content_type": "application/json"}


def _signed_in(app, world, rule):
    """A client of the demo manager (the demo admin for the admin's pages) and the API headers."""
    client = app.test_client()
    login(client, "admin@demo.hamyan" if rule.startswith("/admin") else "manager@demo.hamyan", DEMO_PASSWORD)
    return client, {"Authorization": f"Bearer {world.token}"}


def _problem(response, is_api: bool, endpoint: str) -> str | None:
    """What is wrong with an answer to ugly input, or None."""
    if response.status_code >= 500 and response.status_code != SERVER_ANSWERS.get(endpoint, (None,))[0]:
        return f"{response.status_code}: {response.get_data(as_text=True)[:300]}"
    if not is_api or response.status_code < 400:
        return None
    body = response.get_json(silent=True)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(error) != {"code", "message", "fields"}:
        return f"{response.status_code} without the error shape: {response.get_data(as_text=True)[:300]}"
    if not error["message"] or not isinstance(error["fields"], dict):
        return f"{response.status_code} without a message or fields: {error}"
    if response.status_code == 422 and not error["fields"]:
        return f"422 naming no field: {error}"
    return None


class _Raised:
    """What the walk notes of a request whose exception reached the test client (TESTING propagates
    them): what a server would have answered with a 500."""
    status_code = 500

    def __init__(self, error):
        self.error = error

    def get_data(self, as_text=False):
        ours = [frame for frame in traceback.extract_tb(self.error.__traceback__) if "/hamyan/" in frame.filename]
        where = f" at {ours[-1].filename.rpartition('/hamyan/')[2]}:{ours[-1].lineno}" if ours else ""
        return f"{type(self.error).__name__}: {self.error}{where}"


def _open(client, url, method, headers=None, **request):
    try:
        return client.open(url, method=method, headers=headers or {}, **request)
    except Exception as error:  # noqa: BLE001  every failure is one line of the route's report
        db.session.rollback()
        return _Raised(error)


# Box-scoped rules: everything a box holds is the box's managers' and members' only.
BOX_ROUTES = [route for route in ROUTES if "<int:box_id>" in route[0]]


def _plausible_request(rule: str, method: str) -> dict:
    """What a well-formed request carries (so it reaches the box and its objects): each field and
    query parameter the API document requires, with the first value its type, enum or pattern
    takes; for a page, a plausible value in every field a form has."""
    if not rule.startswith("/api/"):
        return {} if method == "GET" else {"data": PLAUSIBLE_FORM}
    operation = _operation(rule, method) or {}
    schema = _body_schema(operation)
    request = {"query_string": {p["name"]: _plausible(p["schema"]) for p in operation.get("parameters", [])
                                if p["in"] == "query" and p.get("required")}}
    if method != "GET":
        request["json"] = {name: _plausible(field) for name, field in schema.get("properties", {}).items()
                           if name in schema.get("required", ())}
    return request


def _plausible(field: dict):
    if field.get("enum"):
        return next(value for value in field["enum"] if value is not None)
    kind = field.get("type")
    if kind in ("integer", "number"):
        return max(1, field.get("minimum", 1))
    if kind == "boolean":
        return False
    if kind == "array":
        return []
    if kind == "object":
        return {}
    if field.get("format") == "date":
        return date.today().isoformat()
    pattern = field.get("pattern")
    return next((text for text in ("1", date.today().isoformat(), date.today().isoformat()[:7], "walked")
                 if not pattern or re.search(pattern, text)), "walked")


TEXT = re.compile(r"name|reason|note|title|body|subject|reference|payer|vendor|category|question|message|purpose")
DAY = re.compile(r"_on$|date|due|^start$|^end$|_from$|as_of")
PLAUSIBLE_FORM = {name: "walk@example.com" if name == "email" else "walked" if TEXT.search(name)
                  else date.today().isoformat() if DAY.search(name) else "1" for name in FORM_FIELDS}


def _another_box_problems(client, rule, urls, method, headers) -> list[str]:
    """What does not answer 404 to a request well-formed but for its box or objects."""
    body = _plausible_request(rule, method)
    problems = []
    for url in urls:
        response = _open(client, url, method, headers, **body)
        if response.status_code != 404:
            problems.append(f"{method} {url}: {response.status_code} {response.get_data(as_text=True)[:200]}")
    return problems


@APP_ONLY
@pytest.mark.parametrize("route", BOX_ROUTES, ids=_id)
def test_another_box_answers_404(app, world, route):
    """A stranger running boxes of his own asks for the demo's boxes, and for the demo's objects
    inside his own box of that product; the demo manager asks for a box id past any column: 404."""
    rule, endpoint, method, kind, picked = route
    theirs = world.values(route)
    urls = [fill(rule, theirs)]
    if any(name.endswith("_id") and name != "box_id" for name in re.findall(r"<(?:[^:>]+:)?(\w+)>", rule)):
        urls.append(fill(rule, {**theirs, "box_id": world.b[kind]}))
    if rule.startswith("/api/"):
        client, headers = app.test_client(), {"Authorization": f"Bearer {world.stranger_token}"}
    else:
        client, headers = login(app.test_client(), world.stranger.email), {}
    problems = _another_box_problems(client, rule, urls, method, headers)
    mine, my_headers = _signed_in(app, world, rule)
    problems += _another_box_problems(mine, rule, [fill(rule, {**theirs, "box_id": HUGE_ID})], method, my_headers)
    assert not problems, "\n".join(problems)


@APP_ONLY
@pytest.mark.parametrize("route", [route for route in ROUTES if route[1] not in PUBLIC], ids=_id)
def test_nobody_signed_in_is_sent_to_sign_in(app, world, route):
    """Pages send a stranger to sign in (the admin's answer 404: they do not say they exist); the
    API answers 401 in its error shape."""
    rule, endpoint, method, kind, picked = route
    url = fill(rule, world.values(route))
    response = _open(app.test_client(), url, method)
    if rule.startswith("/api/"):
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized", \
            f"{method} {url}: {response.status_code} {response.get_data(as_text=True)[:200]}"
    elif rule.startswith("/admin"):
        assert response.status_code == 404, f"{method} {url}: {response.status_code}"
    else:
        assert response.status_code == 302 and response.location.startswith("/login"), \
            f"{method} {url}: {response.status_code} {response.location}"


def _open_loan(v, status):
    return {"loan_id": _first("SELECT id FROM mp_loan WHERE box_id = :b AND status = :s ORDER BY id",
                              b=v["box_id"], s=status)}


def _penalty(v):
    loan_id, number = db.session.execute(sa.text(
        "SELECT i.loan_id, i.number FROM mp_installment i JOIN mp_loan l ON l.id = i.loan_id "
        "WHERE l.box_id = :b AND i.penalty > i.paid_penalty ORDER BY i.id LIMIT 1"), {"b": v["box_id"]}).one()
    return {"loan_id": loan_id, "number": number}


def _late_fee(v):
    member_id, due = db.session.execute(sa.text(
        "SELECT m.id, c.due_date FROM dues_late_charge c JOIN mp_member m ON m.membership_id = c.subject_id "
        "WHERE c.box_id = :b AND c.subject_kind = 'membership' AND c.waiver_entry_id IS NULL ORDER BY c.id LIMIT 1"),
        {"b": v["box_id"]}).one()
    return {"member_id": member_id, "due": due}


def _saver_without_a_loan(v):
    return _first("SELECT m.id FROM mp_member m WHERE m.box_id = :b AND NOT EXISTS (SELECT 1 FROM mp_loan l "
                  "WHERE l.member_id = m.id AND l.status IN ('requested', 'approved', 'active')) ORDER BY m.id",
                  b=v["box_id"])


def _target(v, membership_id):
    """What a payment of this member pays for, where the box's product asks."""
    kind = db.session.execute(sa.text("SELECT kind FROM box WHERE id = :b"), {"b": v["box_id"]}).scalar()
    product = next(p for p in PRODUCTS if p.kind == kind)
    targets = product.payment_targets and load(product.payment_targets)(v["box_id"], [membership_id])[membership_id]
    return next(iter(targets), None) if targets else None


def _members_report(v):
    """The demo member's own report ("I have paid"), in each box they are in."""
    membership_id = _first("SELECT m.id FROM membership m JOIN user u ON u.id = m.user_id "
                           "WHERE m.box_id = :b AND u.email = 'member@demo.hamyan'", b=v["box_id"])
    return {}, {"amount": "1000", "method": "card", "reference": "walked", "target": _target(v, membership_id)}


# What each API write taking an Idempotency-Key is sent in the demo's boxes (v: the box's values):
# (URL values in place of the box's usual ones, a body it accepts), or why none can be.
KEYED = {
    "api_cashbox.record_payment": lambda v: ({}, {"membership_id": v["membership_id"], "amount": "1000"}),
    "api_cashbox.draw": lambda v: ({}, {"override_reason": "walked"}),
    "api_moneypool.record_contribution": lambda v: ({}, {"member_id": v["member_id"], "amount": "1000"}),
    "api_moneypool.request_loan": lambda v: ({}, {"amount": "1000", "term": 3, "member_id": _saver_without_a_loan(v)}),
    "api_moneypool.disburse": lambda v: (_open_loan(v, "approved"), {}),
    "api_moneypool.repay": lambda v: (_open_loan(v, "active"), {"amount": "1000"}),
    "api_moneypool.waive_penalty": lambda v: (_penalty(v), {"reason": "walked"}),
    "api_moneypool.waive_late_fee": lambda v: (_late_fee(v), {"reason": "walked"}),
    "api_moneypool.write_off": lambda v: (_open_loan(v, "active"), {"reason": "walked"}),
    "api_aptbox.record_payment": lambda v: ({}, {"amount": "1000", "reference": "walked"}),
    "api_aptbox.transfer": lambda v: ({}, {"amount": "1000", "from_fund": "operating", "to_fund": "reserve"}),
    "api_aptbox.add_expense": lambda v: ({}, {"amount": "1000", "category": "repairs"}),
    "api_aptbox.create_assessment": lambda v: ({}, {"title": "walked", "total": "1000", "basis": "area"}),
    "api_rosca.payment": lambda v: ({}, {"membership_id": v["membership_id"], "amount": "1000"}),
    "api_rosca.deposit": "every member of the demo ROSCA has paid the whole deposit: there is none to pay",
    "api_rosca.payout": "the demo ROSCA's next payout is more than the cash it holds beside the deposits",
    "api_payments.create": lambda v: ({}, {"amount": "1000", "membership_id": v["membership_id"],
                                           "target": _target(v, v["membership_id"])}),
    "api_payment_reports.report": _members_report,
}


def _keyed(route) -> bool:
    rule, endpoint, method, kind, picked = route
    operation = _operation(rule, method) if rule.startswith("/api/") else None
    return any(p["name"] == "Idempotency-Key" for p in (operation or {}).get("parameters", []))


def _row_counts() -> dict:
    with db.engine.connect() as conn:
        return {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar()
                for table in db.metadata.sorted_tables}


@pytest.mark.parametrize("route", [route for route in ROUTES if _keyed(route)], ids=_id)
def test_a_retry_with_the_same_key_records_once(app, world, route):
    """The same Idempotency-Key and body again answers the first result and writes nothing."""
    rule, endpoint, method, kind, picked = route
    assert endpoint in KEYED, f"{endpoint} takes an Idempotency-Key: say in KEYED what it is sent"
    if isinstance(KEYED[endpoint], str):
        pytest.skip(KEYED[endpoint])
    values = world.values(route)
    other_values, body = KEYED[endpoint](values)
    url = fill(rule, {**values, **other_values})
    client = app.test_client()
    token = world.member_token if KEYED[endpoint] is _members_report else world.token
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": f"walk {endpoint} {kind}"}
    before = _row_counts()
    first = client.open(url, method=method, json=body, headers=headers)
    assert first.status_code < 300, f"{method} {url} {body}: {first.status_code} {first.get_json()}"
    written = _row_counts()
    assert written != before, f"{method} {url} {body} wrote nothing"
    again = client.open(url, method=method, json=body, headers=headers)
    assert again.status_code < 300 and again.get_json() == first.get_json(), (first.get_json(), again.get_json())
    assert _row_counts() == written


@pytest.mark.parametrize("route", [route for route in ROUTES if not ON_MYSQL or route[2] != "GET"], ids=_id)
def test_ugly_input_is_refused_clearly(app, world, route):
    rule, endpoint, method, kind, picked = route
    url = fill(rule, world.values(route))
    client, headers = _signed_in(app, world, rule)
    problems = []
    for value, request in _ugly_requests(rule, method):
        problem = _problem(_open(client, url, method, headers, **request), rule.startswith("/api/"), endpoint)
        if problem:
            problems.append(f"{str(value)[:20]!r}: {problem}")
    assert not problems, f"{method} {url}\n" + "\n".join(problems)
