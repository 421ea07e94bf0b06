"""Backups on a schedule: HAMYAN_BACKUP_EVERY_MINUTES apart (a day by default), then the retention."""
from flask import current_app

from hamyan.backup import service
from hamyan.scheduling import job


@job("backup.create", every_minutes=24 * 60)
def scheduled_backup() -> str:
    """Back up the database and keep the newest HAMYAN_BACKUP_KEEP."""
    if not current_app.config["BACKUP_SCHEDULED"]:
        return "scheduled backups are off (HAMYAN_BACKUP_SCHEDULED=false)"
    backup = service.create()
    return f"{backup.name}: {backup.size} bytes, {backup.rows} rows"
