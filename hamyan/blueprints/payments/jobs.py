from hamyan.blueprints.payments import services
from hamyan.scheduling import job


@job("payments.expire", every_minutes=5)
def expire_intents() -> str:
    """Stale intents: asked of the gateway once more, then expired."""
    return services.expire_stale()
