"""`flask demo seed`: demo users and, from each product, a demo box. Safe to run again."""
import zlib

import click
from flask.cli import AppGroup
from sqlalchemy import select

from hamyan.blueprints import PRODUCTS
from hamyan.blueprints.auth import services as auth_services
from hamyan.boxes.models import Membership
from hamyan.core import uow
from hamyan.extensions import db

demo_cli = AppGroup("demo", help="Demo data.")

DEMO_PASSWORD = "hamyan-demo"
DEMO_USERS = [
    ("admin@demo.hamyan", "Demo Admin", True),
    ("manager@demo.hamyan", "Demo Manager", False),
    ("member@demo.hamyan", "Demo Member", False),
]


def seed() -> dict:
    users = {}
    for email, name, is_admin in DEMO_USERS:
        user = auth_services.user_by_email(email)
        if user is None:
            user = auth_services.signup(email, name, DEMO_PASSWORD, is_admin=is_admin, verified=True)
        users[email.split("@")[0]] = user
    for product in PRODUCTS:
        if product.demo:
            product.load("demo")(users)  # its writes are its own units of work
    give_contacts(users["manager"])
    return users


MOBILE_PREFIXES = ("912", "935", "919", "901", "936", "921")


def contact(name: str) -> tuple[str, str | None, bool]:
    """A demo person's made-up account email, mobile (+98 9xx, or None) and whether they read email,
    the same on every run: most are told by SMS only, some by email too, a few by email only.
    Someone who does not read email has email and the (emailed PDF) monthly statements off."""
    n = zlib.crc32(name.encode())
    email = f"member{n % 10**6:06d}@example.com"
    phone = None if n % 7 == 0 else f"+98{MOBILE_PREFIXES[n % 6]}{n % 10**7:07d}"
    return email, phone, n % 7 in (0, 1, 2)


def give_contacts(manager) -> None:
    """The demo boxes' people added without an account get the contacts a real group would have and
    sign up with the address their manager gave (one account per name, shared across boxes, as a
    group's people are), so the reminders and statements reach them."""
    from hamyan.boxes.services import link_verified_email
    from hamyan.notify.services import set_preference, set_profile

    box_ids = select(Membership.box_id).where(Membership.user_id == manager.id)
    people = {}  # email -> (name, the boxes they are in)
    with uow.transaction():
        for membership in db.session.scalars(select(Membership).where(
                Membership.box_id.in_(box_ids), Membership.user_id.is_(None), Membership.left_at.is_(None))):
            membership.email = contact(membership.display_name)[0]
            people.setdefault(membership.email, (membership.display_name, []))[1].append(membership.box_id)
    for email, (name, in_boxes) in people.items():
        _email, phone, reads_email = contact(name)
        user = auth_services.user_by_email(email) or auth_services.signup(email, name, DEMO_PASSWORD, verified=True)
        set_profile(user, phone or "", None, None, "Asia/Tehran")
        with uow.transaction():
            link_verified_email(user)
        for box_id in in_boxes if not reads_email else ():
            set_preference(user, box_id, email=False, statements=False)


@demo_cli.command("seed")
def seed_command():
    """Create the demo users (password hamyan-demo) and demo boxes."""
    from hamyan.notify.demo import seed_outbox

    users = seed()
    click.echo("demo users: " + ", ".join(u.email for u in users.values()) + f" (password {DEMO_PASSWORD})")
    click.echo(f"demo outbox: {seed_outbox()} message(s) of the last 30 days sent (reminders, statements)")
