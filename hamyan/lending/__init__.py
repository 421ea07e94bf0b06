"""Lending: loan schedules (schedules.py, pure arithmetic), loan state replayed from the plan and
the ordered repayments with the allocation order as a named strategy (state.py), and guarantees
(guarantees.py). Products keep the rows and the ledger; this package decides the numbers."""
