"""The double-entry ledger: models and the one service that writes them."""
from hamyan.ledger.models import (
    ASSET,
    CREDIT,
    DEBIT,
    EQUITY,
    EXPENSE,
    INCOME,
    LIABILITY,
    Entry,
    LedgerAccount,
    Posting,
)
from hamyan.ledger.service import (
    balance,
    balances,
    check,
    lock_for_decision,
    open_account,
    post,
    reverse,
)

__all__ = ["ASSET", "CREDIT", "DEBIT", "EQUITY", "EXPENSE", "INCOME", "LIABILITY", "Entry", "LedgerAccount", "Posting", "balance", "balances", "check", "lock_for_decision",
           "open_account", "post", "reverse"]
