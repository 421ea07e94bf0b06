"""A local fake of an Iranian-style SMS gateway (key in the URL, sender line, JSON answers), on a
free port in a thread. Script its next answers with `then(...)`: "ok", "error" (HTTP 500),
"rate" (HTTP 429 with Retry-After), "timeout" (answers after the client gave up), "badkey" (401),
"number" (411, a refused receptor), "garbage" (HTTP 200 that is not JSON). With nothing scripted it
answers "ok". `sent` lists what it accepted: (receptor, sender, message, messageid)."""
import itertools
import json
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

KEY = "test-api-key-0123"


class FakeGateway:
    def __init__(self, key: str = KEY, delay: float = 0.0):
        self.key, self.delay = key, delay
        self.script: list[str] = []
        self.sent: list[tuple] = []
        self.delivered: set[str] = set()  # message ids whose status answers "delivered"
        self.requests = 0
        self._ids = itertools.count(1000)
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(length).decode()).items()}
                gateway.answer(self, form)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    def then(self, *answers: str) -> "FakeGateway":
        with self._lock:
            self.script.extend(answers)
        return self

    def _reply(self, handler, status: int, body, headers=()):
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(raw)))
        for name, value in headers:
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(raw)

    def answer(self, handler, form: dict) -> None:
        with self._lock:
            self.requests += 1
            action = self.script.pop(0) if self.script else "ok"
        if self.delay:
            time.sleep(self.delay)
        parts = handler.path.split("/")  # /v1/<key>/sms/send.json
        if len(parts) < 5 or parts[2] != self.key:
            action = "badkey"
        if action == "timeout":
            time.sleep(1.5)
            action = "ok"  # too late: the client has given up (the message is NOT recorded)
            return self._reply(handler, 200, {"return": {"status": 200, "message": "late"}, "entries": []})
        if action == "error":
            return self._reply(handler, 500, {"return": {"status": 500, "message": "internal error"}})
        if action == "rate":
            return self._reply(handler, 429, {"return": {"status": 429, "message": "too many requests"}},
                               headers=[("Retry-After", "30")])
        if action == "badkey":
            return self._reply(handler, 401, {"return": {"status": 401, "message": "invalid API key"}})
        if action == "number":
            return self._reply(handler, 200, {"return": {"status": 411, "message": "invalid receptor"}})
        if action == "garbage":
            return self._reply(handler, 200, b"<html>maintenance</html>")
        if parts[-1] == "status.json":
            ids = form.get("messageid", "").split(",")
            return self._reply(handler, 200, {"return": {"status": 200, "message": "ok"}, "entries": [
                {"messageid": int(i), "status": 10 if i in self.delivered else 1} for i in ids if i]})
        with self._lock:
            message_id = next(self._ids)
            self.sent.append((form.get("receptor"), form.get("sender"), form.get("message"), str(message_id)))
        return self._reply(handler, 200, {"return": {"status": 200, "message": "confirmed"}, "entries": [
            {"messageid": message_id, "receptor": form.get("receptor"), "status": 1, "cost": 120}]})
