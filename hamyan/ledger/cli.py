import click
from flask.cli import AppGroup

from hamyan.ledger import service

ledger_cli = AppGroup("ledger", help="Ledger maintenance.")


def product_problems() -> list[str]:
    """Each installed product's reconcile(): its business tables and summary rows vs the ledger;
    then online payments' intents vs their entries."""
    from hamyan import blueprints  # the products sit above the ledger; only this command needs them

    from hamyan.blueprints.payments import services as payments

    return [f"{product.kind}: {problem}" for product in blueprints.PRODUCTS if product.reconcile
            for problem in product.load("reconcile")()] + [f"payments: {p}" for p in payments.check()]


@ledger_cli.command("check")
def check_command():
    """Recompute every balance and entry sum from the postings, and reconcile every product with the
    ledger; exit 1 on any difference."""
    report = service.check()
    products = product_problems()
    if report.ok and not products:
        click.echo(f"ledger balanced: {report.entries} entries, {report.accounts} accounts")
        return
    if report.ok:
        click.echo(f"ledger balanced: {report.entries} entries, {report.accounts} accounts", err=True)
    else:
        click.echo(f"ledger NOT balanced: {len(report.problems)} problem(s) "
                   f"in {report.entries} entries, {report.accounts} accounts", err=True)
    for line in report.problems:
        click.echo(f"  - {line}", err=True)
    if products:
        click.echo(f"products NOT reconciled with the ledger: {len(products)} problem(s)", err=True)
        for line in products:
            click.echo(f"  - {line}", err=True)
    raise SystemExit(1)
