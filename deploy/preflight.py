"""Refuse to serve for real with development settings. Run by deploy/entrypoint.sh before the
migrations and by gunicorn (deploy/gunicorn.conf.py) before its workers start:

    python deploy/preflight.py web|scheduler     exits 1 and says what to set when something is wrong

Why: the secret key generated into instance/ is per host (a second host signs everyone out, a lost
instance/ folder invalidates every link), and `memory://` rate limits are per process (with N
processes a guesser gets N times the sign-in attempts)."""
import os
import sys
from pathlib import Path

INSTANCE = Path(__file__).resolve().parent.parent / "instance"


def web_workers(environ) -> int:
    return int(environ.get("HAMYAN_WORKERS") or (os.cpu_count() or 1) * 2 + 1)


def problems(environ, role: str = "web", workers: int | None = None) -> list[str]:
    found = []
    secret = environ.get("HAMYAN_SECRET_KEY", "")
    instance = Path(environ.get("HAMYAN_INSTANCE_PATH") or INSTANCE)
    generated = instance / "secret_key"
    if not secret or (generated.exists() and secret == generated.read_text().strip()):
        found.append("HAMYAN_SECRET_KEY is not set (or is the development key generated into "
                     f"{generated}). Set a long random value, the same on every process and host: "
                     "python3 -c 'import secrets; print(secrets.token_hex(32))'")
    elif len(secret) < 32:
        found.append("HAMYAN_SECRET_KEY is shorter than 32 characters; use a long random value.")
    if role == "web":
        processes = (workers or web_workers(environ)) * int(environ.get("HAMYAN_SERVERS") or 1)
        storage = environ.get("HAMYAN_RATELIMIT_STORAGE_URI") or "memory://"
        if processes > 1 and storage.startswith("memory://"):
            found.append(f"HAMYAN_RATELIMIT_STORAGE_URI is {storage} but {processes} processes serve: each would "
                         "count sign-in attempts on its own. Point every process at one Redis, e.g. "
                         "HAMYAN_RATELIMIT_STORAGE_URI=redis://127.0.0.1:6379/0 (or HAMYAN_WORKERS=1 on one host).")
    return found


def refuse(found: list[str]) -> None:
    if found:
        print("hamyan: refusing to start:\n" + "\n".join(f"  - {p}" for p in found), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    refuse(problems(os.environ, sys.argv[1] if len(sys.argv) > 1 else "web"))
