"""`flask demo seed`: demo users and, from each product, a demo box. Safe to run again."""
import click
from flask.cli import AppGroup

from hamyan.blueprints import PRODUCTS
from hamyan.blueprints.auth import services as auth_services

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
    return users


@demo_cli.command("seed")
def seed_command():
    """Create the demo users (password hamyan-demo) and demo boxes."""
    from hamyan.notify.demo import seed_outbox

    users = seed()
    click.echo("demo users: " + ", ".join(u.email for u in users.values()) + f" (password {DEMO_PASSWORD})")
    click.echo(f"demo outbox: {seed_outbox()} message(s) of the last 30 days sent (reminders, statements)")
