"""A local fake of Zarinpal's REST v4 (payment request, StartPay, verify), served by a small WSGI
server in the test process. `mode` makes it misbehave: "timeout" (answers after the client gave up),
"error" (HTTP 500 with no JSON), "refuse" (a negative code); `paid` says which authorities the payer
completed; verify answers 100 the first time and 101 ("already verified") after."""
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
        return Response("not found", 404)(environ, start_response)

    @staticmethod
    def _json(payload, status, environ, start_response):
        return Response(json.dumps(payload), status, content_type="application/json")(environ, start_response)


def serve(fake: FakeZarinpal):
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_port}"
