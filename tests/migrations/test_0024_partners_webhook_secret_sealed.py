"""0024 seals the webhook signing secrets kept in plain text: the column is gone, and the sealed value
opens (under the app's SECRET_KEY) to the secret the partner was shown."""
from hamyan.core.sealed import unseal
from tests.migrations.conftest import upgraded_from

SECRET = "ab" * 32

ROWS = [
    "INSERT INTO partner_key (id, name, prefix, key_hash, can_manage, created_at) "
    "VALUES (1, 'Shop', 'abcd1234', 'h', 0, '2026-01-01 00:00:00')",
    "INSERT INTO webhook_subscription (id, key_id, url, events, secret, active, created_at) "
    f"VALUES (5, 1, 'https://example.com/hook', '*', '{SECRET}', 1, '2026-01-01 00:00:00')",
]


def test_existing_webhook_secrets_are_sealed_in_place(app, empty_database):
    read = upgraded_from(empty_database, "0023", ROWS)
    [(sealed,)] = read("SELECT secret_sealed FROM webhook_subscription WHERE id = 5")
    assert SECRET not in sealed
    assert unseal(sealed, "webhook-secret", app.config["SECRET_KEY"]) == SECRET
    columns = read("SELECT * FROM webhook_subscription")
    assert not any(SECRET == value for value in columns[0])
