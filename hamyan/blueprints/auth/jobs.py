"""Old sign-in sessions cleaned away: the devices page and new-device notices read user_session, so
it keeps what is open and recent, not every sign-in ever."""
from datetime import timedelta

from flask import current_app
from sqlalchemy import and_, delete, func, or_

from hamyan.blueprints.auth.models import UserSession
from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.scheduling import job


@job("auth.sessions_cleanup", every_minutes=24 * 60)
def clean_sessions() -> str:
    """Delete sessions ended, or unused (not seen), for more than HAMYAN_SESSION_KEEP_DAYS; an unused
    one can no longer sign anyone in (its cookies expired long before)."""
    cutoff = clock.now() - timedelta(days=current_app.config["SESSION_KEEP_DAYS"])
    with uow.transaction():
        result = db.session.execute(delete(UserSession).where(or_(
            UserSession.ended_at < cutoff,
            and_(UserSession.ended_at.is_(None),
                 func.coalesce(UserSession.last_seen_at, UserSession.created_at) < cutoff))))
    return f"deleted {result.rowcount} old sessions"
