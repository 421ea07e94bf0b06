"""The unit of work: how every write that moves a box's money runs.

`box_write` (a decorator, or `box_transaction(box_id)` as a context manager) starts a fresh
transaction, takes the box's lock as its first act, runs the rule, commits once, then runs the
after-commit hooks (emails, SMS). On any error it rolls back and drops the hooks, so a refused
action leaves nothing behind and sends nothing.

Why the lock comes first: the rules decide from what they read (what is owed, what the box holds).
On MySQL/MariaDB under REPEATABLE READ a plain read keeps the snapshot of the transaction's first
read, so anything read before the lock would be stale after waiting for it; the box row
`FOR UPDATE` makes writes of one box take turns and read what the previous one committed. On
SQLite `BEGIN IMMEDIATE` takes the database's write lock, which does the same for every box.

`ledger.post()` refuses to run outside a box write, so a forgotten lock fails in tests.
An archived box is read-only: its lock, taken under the box row, refuses the write (BoxArchived)
unless the rule is one that may run on it (`box_write(archived_ok=True)`: restoring it).
Every unit that changed something leaves one audit row (hamyan.audit) in its own transaction: who
(the rule's `actor`), which box, which rule, what changed, and the request's id, IP and device;
the same changes go to the listeners registered with `on_changes` (usage events, partners' webhook
deliveries), in the same transaction, so no rule has to remember them.
Writes that are not about one box's money (accounts, tokens, invitations) use `transaction()`:
the same commit-then-hooks, without a box lock.

A write run by `box_write` or `write` that MySQL/MariaDB ends with a deadlock, a lock wait timeout or
a lost connection (a server restart) before its commit is run once more from the start, as a new
transaction: everything it did was rolled back, and its ledger entries carry the same idempotency
keys. A connection lost during the commit itself is not retried (the server may have committed):
the error reaches the caller, whose retry with the same key is then answered once."""
import functools
import inspect
import logging
from contextlib import contextmanager
from typing import Callable

from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hamyan import audit
from hamyan.core.errors import BoxArchived
from hamyan.extensions import db

log = logging.getLogger(__name__)

_BOX = "uow_box"  # keys in db.session.info
_ACTIVE = "uow_active"
_HOOKS = "uow_after_commit"
_UNDO = "uow_after_rollback"
_COMMITTING = "uow_committing"
_DRY_RUN = "uow_dry_run"
_POSTED = "uow_posted_entries"
# MySQL/MariaDB errors after which the whole write may run again: deadlock, lock wait timeout,
# server gone away, connection lost during a query.
RETRYABLE = {1213, 1205, 2006, 2013}
NEW_BOX = 0  # the box id of a write that creates its box


def active() -> bool:
    return bool(db.session.info.get(_ACTIVE))


def current_box() -> int | None:
    """The box whose lock the running write holds (NEW_BOX while creating one), else None."""
    return db.session.info.get(_BOX)


# Called as listener(session, box_id, user_id, changes) just before a unit of work commits; may add
# rows to its transaction and return a hook to run after the commit (or None).
_change_listeners: list[Callable] = []


def on_changes(listener: Callable) -> Callable:
    """Register a listener for every unit of work's changes (the audit log's change rows). A
    decorator, so the area that cares registers itself and the unit of work imports none of them."""
    _change_listeners.append(listener)
    return listener


def after_commit(hook: Callable[[], None]) -> None:
    """Run hook once the running write has committed; dropped if it rolls back. Outside a write
    (a read-only request) there is nothing to wait for, so it runs now."""
    if not active():
        hook()
        return
    db.session.info.setdefault(_HOOKS, []).append(hook)


def after_rollback(hook: Callable[[], None]) -> None:
    """Run hook if the running write rolls back (refused, failed, a dry run): it undoes what the
    write did outside the database, e.g. removes a file it wrote. Outside a write, nothing to undo."""
    if active():
        db.session.info.setdefault(_UNDO, []).append(hook)


# Called as listener(entry_ids) with the ledger entries a unit of work posted, just before its
# changes are recorded and it commits; may add rows to its transaction (receipts' outbox rows).
_entry_listeners: list[Callable] = []


def on_entries(listener: Callable) -> Callable:
    """Register a listener for the entries every unit of work posts (a decorator, like on_changes).
    Unlike the audit's change rows these are never cut short, however many a bulk write posts."""
    _entry_listeners.append(listener)
    return listener


def posted(entry_id: int) -> None:
    """ledger.post() names each entry it wrote, for the on_entries listeners."""
    db.session.info.setdefault(_POSTED, []).append(entry_id)


def _lock_box(box_id: int, archived_ok: bool) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
        lock = ""
    elif box_id == NEW_BOX:
        return
    else:
        lock = " FOR UPDATE"
    archived = connection.execute(text(f"SELECT archived_at FROM box WHERE id = :id{lock}"), {"id": box_id}).scalar()
    if archived is not None and not archived_ok:
        raise BoxArchived()


@contextmanager
def _unit(box_id: int | None, actor=None, action: str | None = None, archived_ok: bool = False):
    session = db.session
    if active():  # a rule calling another rule: one unit of work, one lock, one commit
        outer = current_box()
        if box_id is not None and outer is None:
            raise RuntimeError("a box write cannot start inside a write that holds no box lock")
        if box_id not in (None, outer, NEW_BOX) and outer != NEW_BOX:
            raise RuntimeError(f"a write of box {outer} cannot also write box {box_id}")
        yield
        return
    # A fresh transaction: end the read-only one the request may have opened (nothing is pending:
    # only a unit of work writes), so the lock below is the transaction's first act.
    session.commit()
    session.info[_ACTIVE] = True
    session.info[_BOX] = box_id
    session.info[_HOOKS] = []
    session.info[_UNDO] = []
    session.info[_POSTED] = []
    audit.start(session)
    try:
        if box_id is not None:
            _lock_box(box_id, archived_ok)
        yield
        if session.info.get(_DRY_RUN):
            raise session.info[_DRY_RUN]
        posted = session.info.get(_POSTED)
        for listener in _entry_listeners if posted else ():
            listener(posted)
        acted_for, changes = audit.record(session, box_id, actor, action)
        later = [listener(session, acted_for, audit.who(actor)[1], changes) for listener in _change_listeners] \
            if changes else []
        session.commit()
    except BaseException:
        session.rollback()
        _run(session.info.get(_UNDO, []), "after-rollback")
        raise
    else:
        hooks = session.info.get(_HOOKS, []) + [hook for hook in later if hook is not None]
    finally:
        session.info.pop(_ACTIVE, None)
        session.info.pop(_BOX, None)
        session.info.pop(_HOOKS, None)
        session.info.pop(_UNDO, None)
        session.info.pop(_POSTED, None)
        audit.stop(session)
    _run(hooks, "after-commit")


def _run(hooks, when: str) -> None:
    for hook in hooks:
        try:
            hook()
        except Exception:  # the transaction is settled either way; a failed side effect is logged
            log.exception("%s hook failed", when)


@event.listens_for(Session, "before_commit")
def _mark_commit(session) -> None:
    if session.info.get(_ACTIVE):
        session.info[_COMMITTING] = True


def _retried_once(wrapper):
    """Run a top-level write again once if the database ended it in a way a new attempt may fix
    (see the module doc). A nested write is left to the outermost one."""
    @functools.wraps(wrapper)
    def attempt(*args, **kwargs):
        if active():
            return wrapper(*args, **kwargs)
        db.session.info.pop(_COMMITTING, None)
        try:
            return wrapper(*args, **kwargs)
        except OperationalError as exc:
            code = getattr(exc.orig, "args", [None])[0]
            if code not in RETRYABLE or db.session.info.pop(_COMMITTING, False):
                raise
            log.warning("write %s ended by the database (%s); running it once more", wrapper.__name__, code)
        return wrapper(*args, **kwargs)

    return attempt


class _DryRunDone(Exception):
    """Ends a dry run's unit of work where it would commit: it rolls back instead."""

    def __init__(self):
        super().__init__()
        self.result = None


def dry_run(func, *args, **kwargs):
    """Run a write and roll it back, sending nothing: (what it returns, None) when it would go
    through now, (None, the ServiceError) when it would be refused. An irreversible action's
    confirm step (web.confirm) asks this, so it says by the rule itself what would happen, or why
    it cannot, before anyone says yes. Only plain values of the result are worth reading: the rows
    it made are gone."""
    from hamyan.core.errors import ServiceError

    db.session.info[_DRY_RUN] = _DryRunDone()
    try:
        result = func(*args, **kwargs)
    except _DryRunDone as done:
        return done.result, None
    except ServiceError as error:
        return None, error
    finally:
        db.session.info.pop(_DRY_RUN, None)
    raise RuntimeError(f"{func.__name__} is not a unit of work: it cannot be tried without writing ({result!r})")


def _kept(result):
    """A dry run's result, kept for dry_run as its unit rolls back."""
    if db.session.info.get(_DRY_RUN) is not None:
        db.session.info[_DRY_RUN].result = result
    return result


def box_transaction(box_id: int):
    """`with box_transaction(box.id): ...` runs the block as one box write (see the module doc).
    Nested inside a write of the same box it simply joins it."""
    return _unit(box_id)


def transaction():
    """A write not about one box's money: one commit, then the after-commit hooks."""
    return _unit(None)


def box_write(func=None, *, archived_ok: bool = False):
    """Run a service function as one box write. The box is the function's `box_id` argument;
    a function that creates a box passes none (its box does not exist yet to lock).
    `@box_write(archived_ok=True)` marks a rule that may run on an archived box."""
    if func is None:
        return functools.partial(box_write, archived_ok=archived_ok)
    signature = inspect.signature(func)

    @_retried_once
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        bound = signature.bind_partial(*args, **kwargs)
        box_id = bound.arguments.get("box_id", NEW_BOX)
        with _unit(_box_id(box_id), bound.arguments.get("actor"), _action(func), archived_ok):
            return _kept(func(*args, **kwargs))

    return wrapper


def _action(func) -> str:
    """What the audit log calls a rule: its module under hamyan and its name."""
    return f"{func.__module__.removeprefix('hamyan.').removeprefix('blueprints.')}.{func.__name__}"


def _box_id(value) -> int:
    """A box id from a URL or a body may be anything; one that cannot exist locks nothing (the rule
    then answers 404 as usual)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return NEW_BOX
    return number if 0 < number < 2**31 else NEW_BOX


def write(func):
    """Run a function that writes but is not about a box's money as one `transaction()`."""
    signature = inspect.signature(func)

    @_retried_once
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        actor = signature.bind_partial(*args, **kwargs).arguments.get("actor")
        with _unit(None, actor, _action(func)):
            return _kept(func(*args, **kwargs))

    return wrapper
