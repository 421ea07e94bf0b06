"""The double-entry ledger: models and the one service that writes them."""
from hamyan.ledger.models import (
    ASSET,
    CREDIT,
    DEBIT,
    EQUITY,
    EXPENSE,
    INCOME,
    LIABILITY,
    CashDay,
    Entry,
    LedgerAccount,
    Posting,
)
from hamyan.ledger.service import (
    accounts_of,
    balance,
    balances,
    balances_by_type,
    check,
    open_account,
    post,
    reverse,
)

__all__ = ["ASSET", "CREDIT", "DEBIT", "EQUITY", "EXPENSE", "INCOME", "LIABILITY", "CashDay", "Entry", "LedgerAccount", "Posting",
           "accounts_of", "balance", "balances", "balances_by_type", "check", "open_account",
           "post", "reverse"]
