from hamyan.partners import webhooks
from hamyan.scheduling import job


@job("webhooks.deliver", every_minutes=1)
def deliver_webhooks() -> str:
    """Deliveries due: first tries a post-commit thread missed, and retries after their backoff."""
    return webhooks.deliver()
