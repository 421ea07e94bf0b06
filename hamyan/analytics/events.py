"""Usage events, recorded in one place: the unit of work (hamyan.core.uow) hands `record` what its
write changed (the audit log's change rows) just before it commits, and the key actions among them
become UsageEvent rows in the same transaction. So no service has to remember to record anything,
and an action that rolls back leaves no event.

Only ids and codes are kept (who acted, which box, a box's kind or an entry's code): the change rows'
names, emails and amounts are never copied. A write of more changes than the audit log keeps
(audit.MAX_CHANGES) records the events of those it keeps: counts of money come from the ledger."""
from hamyan.analytics.models import UsageEvent
from hamyan.core import uow

SIGNED_UP, SIGNED_IN = "signed_up", "signed_in"
BOX_CREATED, MEMBER_INVITED, MEMBER_ADDED, MEMBER_JOINED = "box_created", "member_invited", "member_added", "member_joined"
PAYMENT_MADE, LOAN_REQUESTED, LOAN_DISBURSED, PAYOUT_MADE = "payment_made", "loan_requested", "loan_disbursed", "payout_made"
NAMES = (SIGNED_UP, SIGNED_IN, BOX_CREATED, MEMBER_INVITED, MEMBER_ADDED, MEMBER_JOINED, PAYMENT_MADE,
         LOAN_REQUESTED, LOAN_DISBURSED, PAYOUT_MADE)
# The ledger entry codes that are money coming in from a member (a contribution, a repayment, an
# apartment's payment, a ROSCA deposit), a loan going out, a pot paid out.
PAYMENT_CODES = ("contribution", "repayment", "payment", "deposit")
ENTRY_EVENTS = {**{code: PAYMENT_MADE for code in PAYMENT_CODES}, "disbursement": LOAN_DISBURSED, "payout": PAYOUT_MADE}


def _new(fields: dict, name: str):
    """The new value of a field of an update row ([old, new]) or an insert row (the value)."""
    value = fields.get(name)
    return value[1] if isinstance(value, list) else value


def _events(rows: list[dict], box_id: int | None, user_id: int | None):
    for row in rows:
        table, op, fields = row.get("table"), row.get("op"), row.get("fields") or {}
        if table == "user" and op == "insert":
            yield SIGNED_UP, row["id"], None, ""
        elif table == "user_session" and op == "insert":
            yield SIGNED_IN, fields.get("user_id"), None, ""
        elif table == "box" and op == "insert":
            yield BOX_CREATED, user_id, row["id"], fields.get("kind", "")
        elif table == "invitation" and op == "insert":
            yield MEMBER_INVITED, user_id, box_id, ""
        elif table == "membership" and op == "insert":
            joined = fields.get("user_id")
            yield (MEMBER_JOINED, joined, box_id or fields.get("box_id"), "") if joined else (
                MEMBER_ADDED, user_id, box_id or fields.get("box_id"), "")
        elif table == "membership" and op == "update" and "user_id" in fields and fields["user_id"][0] is None \
                and fields["user_id"][1] is not None:
            yield MEMBER_JOINED, fields["user_id"][1], box_id, ""
        elif table == "mp_loan" and op == "insert":
            yield LOAN_REQUESTED, user_id, box_id, ""
        elif table == "ledger_entry" and op == "insert" and fields.get("code") in ENTRY_EVENTS:
            yield ENTRY_EVENTS[fields["code"]], user_id, box_id, fields["code"]


@uow.on_changes
def record(session, box_id: int | None, user_id: int | None, rows: list[dict]) -> None:
    """Add the usage events of a unit of work's changes to its transaction."""
    for name, who, box, detail in _events(rows, box_id, user_id):
        session.add(UsageEvent(name=name, user_id=who, box_id=box, detail=(detail or "")[:30]))
