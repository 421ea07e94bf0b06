import click
from flask.cli import AppGroup

from hamyan.ledger import service

ledger_cli = AppGroup("ledger", help="Ledger maintenance.")


@ledger_cli.command("check")
def check_command():
    """Recompute every balance and entry sum from the postings; exit 1 on any difference."""
    report = service.check()
    if report.ok:
        click.echo(f"ledger balanced: {report.entries} entries, {report.accounts} accounts")
        return
    click.echo(f"ledger NOT balanced: {len(report.problems)} problem(s) "
               f"in {report.entries} entries, {report.accounts} accounts", err=True)
    for line in report.problems:
        click.echo(f"  - {line}", err=True)
    raise SystemExit(1)
