"""Hamyar's job: nudges (nudges.py), each sent once."""
from hamyan.hamyar import nudges
from hamyan.scheduling import job


@job("hamyar.nudges", every_minutes=60 * 24)
def send_nudges() -> str:
    """Nudge members who never paid in and people who stopped coming, each nudge once."""
    pay, back = nudges.run()
    return f"{pay} first-payment and {back} coming-back nudge(s)"
