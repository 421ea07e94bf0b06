"""Imports every model so SQLAlchemy's metadata (and Alembic's autogenerate) sees all tables."""
from hamyan.blueprints.auth.models import ApiToken, User  # noqa: F401
from hamyan.notify.models import Campaign, ChannelPreference, NotifyProfile, OutboxMessage  # noqa: F401
from hamyan.boxes.models import Box, Invitation, Membership  # noqa: F401
from hamyan.ledger.models import CashDay, Entry, LedgerAccount, Posting  # noqa: F401
from hamyan.dues.models import LateCharge, Reminder  # noqa: F401
from hamyan.scheduling import JobRun  # noqa: F401
from hamyan.statements.jobs import ReportJob  # noqa: F401
from hamyan.audit.models import AuditEvent  # noqa: F401
from hamyan.analytics.models import BoxDay, UsageEvent  # noqa: F401
from hamyan.hamyar.models import Announcement, Referral, ReferralCode  # noqa: F401
from hamyan.partners.models import PartnerKey, PartnerKeyBox, WebhookDelivery, WebhookSubscription  # noqa: F401
from hamyan.blueprints.payments.models import GatewayEvent, PaymentIntent, PaymentSettings, SandboxPayment  # noqa: F401
from hamyan.plans.models import Plan, Subscription  # noqa: F401
from hamyan.blueprints import PRODUCTS

for _product in PRODUCTS:
    _product.load("models")
