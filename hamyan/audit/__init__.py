"""The audit log of every write: the unit of work (hamyan.core.uow) calls `record` just before it
commits, with the box it holds and the principal it acts for; what changed is gathered from the
session's flushes (ORM rows, old and new values) and from the ledger's Core inserts (entries).
Secrets (password and key hashes, tokens) are never copied into the log."""
import json
from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from hamyan.extensions import db

_CHANGES = "audit_changes"  # in session.info while a unit of work runs
MAX_CHANGES = 100  # a bulk write keeps its first changes and counts the rest
SECRET_WORDS = ("password", "hash", "secret", "token", "fingerprint")
# the log itself; the scheduler's own bookkeeping; the sandbox gateway's books (it plays an outside provider)
SKIPPED_TABLES = frozenset({"audit_event", "job_run", "pay_sandbox"})


def _value(value):
    if value is None or isinstance(value, (bool, int, str)):
        return value if not isinstance(value, str) else value[:200]
    if isinstance(value, (date, datetime, Decimal)):
        return str(value)
    return repr(value)[:200]


def _secret(name: str) -> bool:
    return any(word in name for word in SECRET_WORDS)


def _note(session, change: dict) -> None:
    changes = session.info.get(_CHANGES)
    if changes is None:
        return
    if len(changes["rows"]) < MAX_CHANGES:
        changes["rows"].append(change)
    else:
        changes["more"] += 1


def note_action(what: str, **fields) -> None:
    """Log an action of the running unit of work that changes no row (an admin starting a backup):
    with it, the unit leaves its audit row like any write."""
    _note(db.session, {"table": what, "op": "action", "id": None, "fields": {k: _value(v) for k, v in fields.items()}})


def start(session) -> None:
    session.info[_CHANGES] = {"rows": [], "more": 0}


def stop(session) -> dict | None:
    return session.info.pop(_CHANGES, None)


@event.listens_for(Session, "after_flush")
def _collect(session, flush_context) -> None:
    if _CHANGES not in session.info:
        return
    for op, objects in (("insert", session.new), ("update", session.dirty), ("delete", session.deleted)):
        for obj in objects:
            state = inspect(obj)
            table = state.mapper.persist_selectable.name
            if table in SKIPPED_TABLES:
                continue
            fields = {}
            for attr in state.mapper.column_attrs:
                if _secret(attr.key):
                    continue
                history = state.attrs[attr.key].history
                if op == "insert":
                    if history.added and history.added[0] is not None:
                        fields[attr.key] = _value(history.added[0])
                elif op == "update" and history.has_changes():
                    old = history.deleted[0] if history.deleted else None
                    fields[attr.key] = [_value(old), _value(history.added[0] if history.added else None)]
            if op == "update" and not fields:
                continue
            _note(session, {"table": table, "op": op, "id": _value(state.mapper.primary_key_from_instance(obj)[0]),
                            "fields": fields})


@event.listens_for(Engine, "after_execute")
def _ledger_insert(conn, clauseelement, multiparams, params, execution_options, result) -> None:
    """The ledger writes entries with Core statements (hamyan.ledger.service), unseen by the ORM."""
    table = getattr(clauseelement, "table", None)
    if table is None or table.name != "ledger_entry" or not getattr(clauseelement, "is_insert", False):
        return
    try:
        session = db.session()
    except RuntimeError:  # no app context: a script on a bare engine
        return
    if _CHANGES not in session.info:
        return
    rows = multiparams if multiparams else [params or {}]
    if len(rows) == 1 and isinstance(rows[0], (list, tuple)):
        rows = rows[0]
    many = len(rows) > 1  # an executemany (a builder's bulk insert) names no ids
    for values in rows:
        _note(session, {"table": "ledger_entry", "op": "insert",
                        "id": None if many else _value(result.inserted_primary_key[0]),
                        "fields": {k: _value(values.get(k)) for k in ("code", "memo", "effective_date",
                                                                       "idempotency_key")}})


def who(actor) -> tuple[str, int | None, str]:
    from hamyan.boxes.access import Principal

    if actor is None and has_request_context():
        from flask_login import current_user

        actor = current_user._get_current_object() if current_user.is_authenticated else None
        actor = actor or g.get("api_user")
    if actor is None or not (isinstance(actor, Principal) or hasattr(actor, "is_admin")):
        return "anonymous", None, ""
    principal = Principal.of(actor)
    return principal.kind, principal.user_id, getattr(principal, "label", "") or ""


def origin() -> dict:
    """Where the running write came from: the request's id, IP and device (nothing in a job)."""
    if not has_request_context():
        return {}
    return dict(request_id=g.get("request_id", ""), ip=(request.remote_addr or "")[:45],
                device=(request.user_agent.string or "")[:200])


def record(session, box_id: int | None, actor, action: str) -> tuple[int | None, list[dict]]:
    """Add the audit row of the running unit of work (nothing when it changed nothing); the box it
    acted for and what changed, for the webhooks (hamyan.partners.webhooks)."""
    from hamyan.audit.models import AuditEvent

    session.flush()
    changes = stop(session)
    if not changes or not changes["rows"]:
        return None, []
    rows = changes["rows"] + ([{"more": changes["more"]}] if changes["more"] else [])
    if not box_id:  # a write that created its box acted for the box it created
        box_id = next((c["id"] for c in rows if c.get("table") == "box" and c["op"] == "insert"), None)
    kind, user_id, label = who(actor)
    if not action:  # a `with transaction():` block: the page or job that ran it
        action = (request.endpoint if has_request_context() else None) or "job"
    where = origin()
    session.add(AuditEvent(box_id=box_id or None, actor_kind=kind, user_id=user_id, actor_label=label[:120],
                           action=action[:120], changes=json.dumps(rows, ensure_ascii=False), **where))
    session.flush()
    return box_id, rows
