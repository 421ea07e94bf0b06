"""`flask notify dispatch`: a dedicated dispatcher process (run as many as needed: their claims never
overlap)."""
import time

import click
from flask.cli import AppGroup

from hamyan.extensions import db
from hamyan.notify.dispatch import BATCH, drain

notify_cli = AppGroup("notify", help="The outbox: email, SMS and in-app messages.")


@notify_cli.command("dispatch")
@click.option("--batch", default=BATCH, show_default=True, help="Messages claimed at a time.")
@click.option("--loop/--once", default=False, help="Keep draining (sleeping when nothing is due).")
@click.option("--idle", default=2.0, show_default=True, help="Seconds to sleep when nothing is due.")
def dispatch_command(batch, loop, idle):
    """Send what is due in the outbox."""
    while True:
        drained = drain(batch=batch)
        db.session.remove()
        click.echo(str(drained))
        if not loop:
            return
        if not drained.tried:
            time.sleep(idle)
