"""Issue 9: the API keeps its own contract. schemathesis generates requests for every operation
of the OpenAPI document (valid ones, then invalid ones) with the demo manager's and member's
tokens, on the demo data; every response must be no server error and conform to the document:
status codes, bodies (the error shape too), headers and content types.

Path ids are pointed at the demo boxes (a random box id is a 404 and tests nothing else). The
number of examples per operation is bounded so the whole run stays within about a minute."""
import collections
import re

import hypothesis
import pytest
import schemathesis
from schemathesis import GenerationMode
from schemathesis import checks as st_checks

from hamyan.blueprints.api import DECIMAL_PATTERN
from hamyan.blueprints.auth import services as auth
from hamyan.boxes.models import Box

CHECKS = [st_checks.not_a_server_error, st_checks.response_schema_conformance, st_checks.status_code_conformance,
          st_checks.content_type_conformance, st_checks.response_headers_conformance]
PREFIX = {"cashbox": "cashboxes", "moneypool": "pools", "aptbox": "buildings", "rosca": "roscas"}
RUNS = [("manager", GenerationMode.POSITIVE, 6), ("member", GenerationMode.POSITIVE, 4),
        ("manager", GenerationMode.NEGATIVE, 3)]


def _run(app, schema, headers: dict, boxes: dict, mode: GenerationMode, examples: int, failures: dict, statuses):
    for result in schema.get_all_operations():
        operation = result.ok()
        area = operation.path.split("/")[3]

        @hypothesis.settings(max_examples=examples, deadline=None, database=None, derandomize=True,
                             phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                             suppress_health_check=list(hypothesis.HealthCheck))
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def check(case):
            for name, value in list((case.path_parameters or {}).items()):
                if name == "box_id":
                    case.path_parameters[name] = boxes.get(area, boxes["cashboxes"])
                elif isinstance(value, int):  # other ids: small numbers, most of which exist
                    case.path_parameters[name] = value % 12 + 1
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except BaseException as failure:  # schemathesis raises a FailureGroup (not an Exception)
                failures.setdefault(f"{mode.value} {operation.label}", f"{failure}\n{case.as_curl_command()}")

        check()


@pytest.mark.parametrize("who, mode, examples", RUNS)  # three tests, so xdist spreads them over workers
def test_every_operation_keeps_the_documented_contract(app, demo_users, who, mode, examples):
    token = auth.create_api_token(demo_users[who], "contract test")[1]
    boxes = {PREFIX[box.kind]: box.id for box in Box.query.all()}
    boxes["boxes"] = boxes["cashboxes"]  # /api/v1/boxes/<id>/reports: any product's box
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures, statuses = {}, collections.Counter()
    _run(app, schema, {"Authorization": f"Bearer {token}"}, boxes, mode, examples, failures, statuses)
    assert not failures, "\n\n".join(f"{name}:\n{text}" for name, text in failures.items())
    succeeded = sum(n for code, n in statuses.items() if code < 300)
    assert statuses[500] == 0 and (mode == GenerationMode.NEGATIVE or succeeded > 100), statuses


def test_the_document_declares_the_error_shape_decimals_ranges_and_links(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    detail = spec["components"]["schemas"]["ErrorDetail"]
    assert set(detail["required"]) == {"code", "message", "fields"}
    rates = spec["components"]["schemas"]["PoolPolicyOut"]["properties"]["annual_rate"]
    assert rates["type"] == "string" and rates["pattern"] == DECIMAL_PATTERN
    assert re.fullmatch(DECIMAL_PATTERN, "18.000") and not re.fullmatch(DECIMAL_PATTERN, "1E+9")
    # the ranges the services enforce, and where a created thing can be found
    shares = spec["components"]["schemas"]["CashboxIn"]["properties"]["share_count"]
    assert (shares["minimum"], shares["maximum"]) == (1, 500)
    created = spec["paths"]["/api/v1/cashboxes"]["post"]["responses"]["201"]
    assert created["content"] and created["links"]["GetCashbox"]["parameters"] == {"box_id": "$response.body#/box_id"}
    assert spec["paths"]["/api/v1/boxes/{box_id}/reports/{kind}"]["post"]["responses"]["202"]["links"]["GetJob"]


def test_a_wrong_method_is_a_405_that_says_which_are_allowed(client, make_user, api_token):
    headers = api_token(make_user())
    response = client.delete("/api/v1/me", headers=headers)
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_moments_carry_their_utc_offset(app):
    from datetime import datetime

    from hamyan.blueprints.api import UtcDateTime

    assert UtcDateTime().serialize("at", {"at": datetime(2026, 12, 7, 3, 40)}) == "2026-12-07T03:40:00+00:00"
