"""Messages to people: notify() writes the outbox row in the caller's unit of work and sends it after
commit (services.py); the notify.dispatch job retries what failed (jobs.py)."""
