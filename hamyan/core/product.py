"""A product is one package and one line in `hamyan.blueprints.PRODUCTS`.

Its descriptor names everything the platform needs from it by import path ("module:attribute"),
so building the list imports nothing: not the views, not WeasyPrint. create_app, the scheduler, the
demo seeder, the home page, box kinds and roles, and `flask ledger check` all read the list."""
from dataclasses import dataclass, field
from datetime import date
from importlib import import_module


def load(path: str):
    """The object at "package.module:attribute" (or the module itself without an attribute)."""
    module, _, attribute = path.partition(":")
    loaded = import_module(module)
    return getattr(loaded, attribute) if attribute else loaded


@dataclass(frozen=True)
class NavLink:
    """One page of a box in the box's navigation (templates/box/_layout.html)."""
    label: str
    endpoint: str  # url_for(endpoint, box_id=box.id)
    audience: str = "all"  # "all"; "managers" (who may MANAGE the box); "members" (who hold a membership in it)
    also: tuple[str, ...] = ()  # endpoints of the pages under this one, shown as under it


@dataclass(frozen=True)
class Incoming:
    """Money a member paid the box outside it (online, or by card or transfer they reported) that a
    product's apply_payment settles like a payment its manager records."""
    membership: object  # the payer's Membership
    amount: int  # minor units of `currency`
    currency: str
    method: str  # "online", "card" or "transfer"
    reference: str  # the gateway's or the bank's reference, as the payment's record shows it
    key: str  # unique per payment ("online:<intent>", "report:<id>"): the product's idempotency key
    paid_on: date | None = None  # None: today
    target: str | None = None  # what it pays for, one of the product's payment_targets

    @property
    def membership_id(self) -> int:
        return self.membership.id


@dataclass(frozen=True)
class Product:
    kind: str  # Box.kind
    title: str  # what the home page calls a group of these boxes, e.g. "Cashboxes"
    name: str  # what one box of this kind is called, e.g. "Cashbox"
    summary: str  # one sentence for visitors (the landing page): what a group does with it
    roles: tuple[str, ...]  # membership roles a box of this kind uses, the managing role first
    models: str  # module whose import registers the product's tables
    views: str  # "module:bp", the page blueprint (its `new_box` and `dashboard` endpoints)
    api: str  # "module:bp", the flask-smorest blueprint under /api/v1
    jobs: str | None = None  # module whose import registers its scheduled jobs
    demo: str | None = None  # "module:function(users)", idempotent demo data for `flask demo seed`
    reconcile: str | None = None  # "module:function() -> list[str]": business tables vs the ledger
    # "module:function(actor, box_id, Incoming) -> entry id": how a payment made outside the box (online,
    # or reported and confirmed) settles what is owed, recorded like one its manager enters;
    # "module:function(actor, box_id, entry_id, reason) -> entry id": its refund's reversal (see payments/)
    apply_payment: str | None = None
    refund_payment: str | None = None
    # "module:function(box_id, membership_id) -> dict[target, label]": what a member may pay for, when
    # the product must know (a building: each unit the member is tied to); the intent names one
    payment_targets: str | None = None
    # "module:function(box_id, today) -> list[notify.reminders.Owed]": what each member owes and when,
    # told by the notify.reminders job before, on and after the due date
    reminders: str | None = None
    # "module:function(box, membership, start, end) -> PDF bytes or None": a member's monthly statement,
    # emailed by the statements.monthly job with the box's manager report to its managers
    monthly_statement: str | None = None
    # "module:function() -> {currency: statements.stakeholder.Standing}": where members of its boxes
    # stand (owed, paid, arrears, loans), read from its summary rows for the stakeholder report
    standing: str | None = None
    # "module:function(box, membership) -> list[str]": what the member still holds or owes in this
    # product, each said as "holds share 3 of the running round" (boxes.services.why_not_remove)
    removal_blockers: str | None = None
    # "module:function(box, membership)": a member's new name written where the product keeps a copy
    # (a summary row its pages sort by), in the unit of work of boxes.services.edit_member
    renamed: str | None = None
    # "module:function(membership_ids) -> list[(subject_kind, id)]": ledger subjects besides the
    # memberships that are these members' own (a pool's loans, a building's units), for "my money"
    member_subjects: str | None = None
    # "module:function([(subject_kind, id)]) -> {(subject_kind, id): [membership_id]}": whose a ledger
    # subject besides a membership is (a loan's borrower, a unit's owner and resident), for receipts
    subject_members: str | None = None
    # "module:Model": the product's payments, numbered per box (boxes.numbers) and each recorded by one
    # entry (`entry_id`): the number receipts and statements show for that entry
    numbered_payments: str | None = None
    # "module:function(membership_ids, today) -> list[hamyar.mymoney.Upcoming]": these members' next
    # payments due and payouts to come, for "my money"
    upcoming: str | None = None
    # "module:function(box_ids or None) -> {box_id: analytics.figures.BoxFigures}": what fell due, the
    # arrears and the loans of each box (None: every box of the kind), from its summary rows
    figures: str | None = None
    reports: dict = field(default_factory=dict)  # report kind -> "module:function" rendering it
    nav: tuple[NavLink, ...] = ()  # the box's pages, in order; the shared members page comes last
    settings: dict = field(default_factory=dict)  # config defaults, each overridable by HAMYAN_<NAME>

    def load(self, attribute: str):
        return load(getattr(self, attribute))

    @staticmethod
    def load_path(path: str):
        return load(path)
