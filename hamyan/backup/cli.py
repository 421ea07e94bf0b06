"""`flask backup create | list | restore NAME | verify NAME`."""
import click
from flask.cli import AppGroup

from hamyan.backup import service
from hamyan.core.errors import ServiceError

backup_cli = AppGroup("backup", help="Back up, list, verify and restore the database.")


def _fail(error: ServiceError):
    click.echo(f"error: {error.message}", err=True)
    raise SystemExit(1)


@backup_cli.command("create")
@click.option("--gzip/--no-gzip", "gzip_it", default=None, help="Compress (default: HAMYAN_BACKUP_GZIP).")
def create_command(gzip_it):
    """Back up the database now into instance/backups, then apply the retention."""
    try:
        backup = service.create(gzip_it)
    except ServiceError as error:
        _fail(error)
    click.echo(f"created {backup.name} ({backup.size} bytes, {backup.rows} rows, sha256 {backup.manifest['sha256'][:12]})")


@backup_cli.command("list")
def list_command():
    """The backups, newest first."""
    for backup in service.all_backups():
        click.echo(f"{backup.name}\t{backup.created_at}\t{backup.size} bytes\t{backup.rows} rows")


@backup_cli.command("verify")
@click.argument("name")
def verify_command(name):
    """Restore NAME into a scratch database, run the ledger check there and compare counts and balances."""
    try:
        result = service.verify(name)
    except ServiceError as error:
        _fail(error)
    click.echo(result.ledger_output)
    if not result.ok:
        for problem in result.problems:
            click.echo(f"  - {problem}", err=True)
        click.echo(f"{name}: NOT verified", err=True)
        raise SystemExit(1)
    click.echo(f"{name}: verified ({sum(result.counts.values())} rows in {len(result.counts)} tables, "
               f"balances identical, ledger check passed)")


@backup_cli.command("restore")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(name, yes):
    """Replace the database with NAME. Stop the app's processes first."""
    if not yes:
        click.confirm(f"Replace the whole database with {name}? Everything written since is lost", abort=True)
    try:
        service.restore(name)
    except ServiceError as error:
        _fail(error)
    click.echo(f"restored {name}")
