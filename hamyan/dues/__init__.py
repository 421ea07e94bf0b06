"""Dues: people who owe money on due dates, and how payments settle it. Shared by every product.

    calendar.py     periods and due dates (weekly, every N days, monthly per Gregorian or Persian month)
    status.py       the one status vocabulary and the one definition of late
    obligations.py  who owes what through each due date (fractions of a share via largest remainder),
                    arrears, allocation of a payment (oldest first), settlement dates
    charges.py      late charges (one per holder and obligation, waived by a reversal, never charged
                    again) and reminders (one per holder, obligation and stage): tables and rules

Definitions every product uses:
- an obligation is an amount a holder owes on a due date; obligations are settled oldest first;
- arrears = what is owed on obligations due on or before today, minus what was paid (never below 0);
- an obligation is late once today is past its due date plus the grace days (due date + grace is
  still on time);
- a late charge is charged at most once per (box, holder, obligation); waiving it posts a reversal
  entry and leaves the row, so it is never charged again.

calendar, status and obligations are pure functions of their arguments (no database, no clock):
callers pass `today`, normally `core.clock.today(box)`."""
