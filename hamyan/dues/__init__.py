"""Dues: people who owe money on due dates, and how payments settle it. Shared by every product.

    calendar.py     periods and due dates (weekly, every N days, monthly per Gregorian or Persian month)
    status.py       the one status vocabulary and the one definition of late
    obligations.py  who owes what through each due date (fractions of a share via largest remainder),
                    arrears, allocation of a payment (oldest first), settlement dates
    models.py       dues_late_charge and dues_reminder: every product's, keyed by box, subject
                    (membership, loan, unit, seat) and reference (the obligation, as the product names it)
    late.py         late charges: the amount (fixed, or a percent rounded half up once), one per
                    (box, subject, obligation), posted to the ledger, waived by a reversal
    reminders.py    which reminder an obligation calls for today (before, on the day, escalating
                    when late), and which were told, once per (box, subject, obligation, stage);
                    each product's descriptor names what its people owe (`reminders`)
    online.py       the payments/ hooks of a product whose payments are a member's, recorded and
                    undone like a manager's (Cashbox, ROSCA)

Definitions every product uses:
- an obligation is an amount a holder owes on a due date; obligations are settled oldest first;
- arrears = what is owed on obligations due on or before today, minus what was paid (never below 0);
- an obligation is late once today is past its due date plus the grace days (due date + grace is
  still on time);
- a late charge is charged at most once per (box, holder, obligation); waiving it posts a reversal
  entry and leaves the row, so it is never charged again.

calendar, status and obligations are pure functions of their arguments (no database, no clock):
callers pass `today`, normally `core.clock.today(box)`. late and reminders write rows and entries
inside the caller's box write (core.uow)."""
