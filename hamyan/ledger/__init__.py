"""The double-entry ledger: models and the one service that writes them."""
from hamyan.ledger.models import CREDIT, DEBIT, Entry, LedgerAccount, Posting
from hamyan.ledger.service import (
    balance,
    balances,
    check,
    lock_for_decision,
    open_account,
    post,
    reverse,
)

__all__ = ["CREDIT", "DEBIT", "Entry", "LedgerAccount", "Posting", "balance", "balances", "check", "lock_for_decision",
           "open_account", "post", "reverse"]
