"""A local fake of Zarinpal's REST v4 (payment request, StartPay, verify), served by a small WSGI
server in the test process. `mode` makes it misbehave: "timeout" (answers after the client gave up),
"error" (HTTP 500 with no JSON), "refuse" (a negative code); `paid` says which authorities the payer
completed; verify answers 100 the first time and 101 ("already verified") after; the GraphQL
AddRefund refunds a verified transaction (by its ref_id) once, with the access token, and answers
"already refunded" after."""
import json
import threading
import time

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


class FakeZarinpal:
    def __init__(self):
        self.mode = "ok"
        self.paid: dict[str, int] = {}  # authority -> amount the payer paid
        self.verified: set[str] = set()
        self.refunded: dict[str, int] = {}  # session id (ref_id) -> amount refunded
        self.requests: list[tuple[str, dict]] = []
        self._next = 0

    def __call__(self, environ, start_response):
        request = Request(environ)
        body = request.get_json(silent=True) or {}
        self.requests.append((request.path, body))
        if self.mode == "timeout":
            time.sleep(1.5)
        if self.mode == "error":
            return Response("<html>Bad gateway</html>", 500)(environ, start_response)
        if self.mode == "refuse":
            return self._json({"data": [], "errors": {"code": -9, "message": "The input params invalid"}}, 422,
                              environ, start_response)
        if request.path == "/pg/v4/payment/request.json":
            self._next += 1
            authority = f"A{self._next:035d}"
            return self._json({"data": {"code": 100, "message": "Success", "authority": authority,
                                        "fee_type": "Merchant", "fee": 0}, "errors": []}, 200, environ, start_response)
        if request.path == "/pg/v4/payment/verify.json":
            authority = body.get("authority")
            if authority not in self.paid:
                return self._json({"data": [], "errors": {"code": -51, "message": "Session is not valid"}}, 422,
                                  environ, start_response)
            if self.paid[authority] != body.get("amount"):
                return self._json({"data": [], "errors": {"code": -50, "message": "Amounts are not equal"}}, 422,
                                  environ, start_response)
            code = 101 if authority in self.verified else 100
            self.verified.add(authority)
            return self._json({"data": {"code": code, "message": "Verified" if code == 101 else "Paid",
                                        "ref_id": 201 + int(authority[1:]), "card_pan": "502229******5995"},
                               "errors": []}, 200, environ, start_response)
        if request.path == "/api/v4/graphql/":
            return self._json(self._refund(request, body), 200, environ, start_response)
        return Response("not found", 404)(environ, start_response)

    def _refund(self, request, body) -> dict:
        if request.headers.get("Authorization") != "Bearer test-token" or "AddRefund" not in body.get("query", ""):
            return {"errors": [{"message": "Unauthenticated."}]}
        variables = body.get("variables") or {}
        session = str(variables.get("session_id"))
        paid = {str(201 + int(a[1:])): amount for a, amount in self.paid.items() if a in self.verified}
        if session not in paid or variables.get("amount") != paid[session]:
            return {"errors": [{"message": "Session not found or the amount is not refundable."}]}
        if session in self.refunded:
            return {"errors": [{"message": "This session has already been refunded."}]}
        self.refunded[session] = variables["amount"]
        return {"data": {"resource": {"terminal_id": "1", "id": f"R{session}", "amount": variables["amount"],
                                      "timeline": {"refund_amount": variables["amount"], "refund_status": "PENDING"}}}}

    @staticmethod
    def _json(payload, status, environ, start_response):
        return Response(json.dumps(payload), status, content_type="application/json")(environ, start_response)


def serve(fake: FakeZarinpal):
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"
