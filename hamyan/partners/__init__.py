"""Partner businesses (payment providers, payroll, marketplaces) and the API keys they call Hamyan
with: created by an admin, stored hashed and shown once, granted some boxes and read or manage,
revocable with immediate effect, rate-limited per key (PARTNER_RATE_LIMIT). A key's bearer token
is `hpk_<prefix>_<secret>`; the API turns it into a partner Principal (hamyan.boxes.access)."""
import hashlib
import secrets

from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.boxes.access import MANAGE, VIEW, Principal
from hamyan.boxes.models import Box
from hamyan.core import clock, parse, uow
from hamyan.core.errors import NotFound, ValidationError
from hamyan.extensions import db
from hamyan.partners.models import PartnerKey, PartnerKeyBox

TOKEN_PREFIX = "hpk_"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _admin(actor) -> None:
    if not Principal.of(actor).is_admin:
        raise NotFound()


@uow.write
def create_key(actor, name: str, box_ids, can_manage: bool) -> tuple[PartnerKey, str]:
    """A new key and its token (the only time the token is known)."""
    _admin(actor)
    name = parse.text(name, "name", label=_("A name"), limit=120)
    ids = sorted({parse.record_id(b) for b in box_ids} - {None})
    if not ids or len(ids) != len(set(box_ids)):
        raise ValidationError(_("Grant at least one box, by its id."), field="box_ids")
    found = set(db.session.scalars(select(Box.id).where(Box.id.in_(ids))))
    if found != set(ids):
        missing = ", ".join(str(i) for i in sorted(set(ids) - found))
        raise ValidationError(_("No box %(ids)s.", ids=missing), field="box_ids")
    prefix = secrets.token_hex(4)
    token = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = PartnerKey(name=name, prefix=prefix, key_hash=_hash(token), can_manage=bool(can_manage),
                     created_by_id=Principal.of(actor).user_id, boxes=[PartnerKeyBox(box_id=i) for i in ids])
    db.session.add(key)
    db.session.flush()
    return key, token


@uow.write
def revoke(actor, key_id) -> PartnerKey:
    _admin(actor)
    key = db.session.get(PartnerKey, parse.record_id(key_id) or 0)
    if key is None:
        raise NotFound()
    key.revoked_at = key.revoked_at or clock.now()
    return key


def keys() -> list[PartnerKey]:
    return list(db.session.scalars(select(PartnerKey).order_by(PartnerKey.id.desc())))


def principal_for(token: str) -> Principal | None:
    """The partner a bearer token belongs to, or None (unknown or revoked: refused at once, since
    every request reads the key's row)."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    key = db.session.scalar(select(PartnerKey).filter_by(key_hash=_hash(token)))
    if key is None or key.revoked_at is not None:
        return None
    return Principal("partner", box_ids=frozenset(b.box_id for b in key.boxes),
                     actions=frozenset((VIEW, MANAGE) if key.can_manage else (VIEW,)), key_id=key.id,
                     label=f"partner {key.name}")


def rate_key(authorization: str) -> str | None:
    """What the rate limit counts a partner's requests by (its key's prefix), read from the header
    before authentication so a flood never reaches the database; None for other callers."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX):
        return None
    return "partner:" + token[len(TOKEN_PREFIX):len(TOKEN_PREFIX) + 8]


@uow.write
def subscribe(actor, key_id, url: str, events) -> tuple["WebhookSubscription", str]:
    """A webhook subscription of a partner key, and its signing secret (shown once)."""
    from urllib.parse import urlsplit

    from hamyan.partners.models import WebhookSubscription
    from hamyan.partners.webhooks import EVENTS

    _admin(actor)
    key = db.session.get(PartnerKey, parse.record_id(key_id) or 0)
    if key is None:
        raise NotFound()
    url = parse.text(url, "url", label=_("The URL"), limit=500)
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        raise ValidationError(_("Give the receiver's full http(s):// URL."), field="url")
    chosen = sorted({e.strip() for e in events if e and e.strip()})
    unknown = [e for e in chosen if e not in EVENTS and e != "*"]
    if not chosen or unknown:
        raise ValidationError(_("Choose events among %(events)s (or *).", events=", ".join(EVENTS)), field="events")
    secret = secrets.token_hex(32)
    sub = WebhookSubscription(key_id=key.id, url=url, events=",".join(chosen), secret=secret)
    db.session.add(sub)
    db.session.flush()
    return sub, secret
