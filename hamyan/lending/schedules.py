"""Loan installment schedules: pure functions of principal, rate, term and method.

Rounding rule (the one place it is decided): every installment's interest is computed exactly with
Decimal and rounded once to the currency's minor unit, half up. Principal is split into whole units;
whatever does not divide evenly goes on the LAST installment, which also takes the balance left by
the rounding of earlier ones. So sum(principal) == principal and sum(principal + interest) ==
total due, to the unit, for every method.

Methods
- none: interest-free (qard al-hasanah); principal in equal parts.
- flat: interest = principal x periodic rate x number of installments, computed once on the original
  amount and spread in equal parts like the principal.
- annuity: declining balance, equal installments: the payment P*r/(1-(1+r)^-n) is rounded once;
  each period's interest is the rate on the outstanding balance; the last installment clears it.
  (With amounts so small that rounding the payment up clears the loan early, the plan simply ends
  there: no installment is ever of nothing, and no plan has more installments than minor units.)
- equal_principal: declining balance, equal principal parts; interest on the outstanding balance,
  so installments fall over time.
"""
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, localcontext

from flask_babel import lazy_gettext as _l

from hamyan.dues.calendar import add_months

METHODS = ("none", "flat", "annuity", "equal_principal")
METHOD_LABELS = {
    "none": _l("Interest-free"),
    "flat": _l("Flat interest"),
    "annuity": _l("Declining balance, equal installments"),
    "equal_principal": _l("Declining balance, equal principal"),
}


@dataclass(frozen=True)
class Line:
    number: int
    due_date: date
    principal: int
    interest: int

    @property
    def total(self) -> int:
        return self.principal + self.interest


def periodic_rate(annual_rate_percent: Decimal, period_months: int) -> Decimal:
    """The rate for one repayment period, as a fraction (12% a year, monthly -> 0.01)."""
    return Decimal(annual_rate_percent) / Decimal(100) * Decimal(period_months) / Decimal(12)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _equal_parts(total: int, n: int) -> list[int]:
    """n equal whole parts; the remainder of the division goes on the last part."""
    base = total // n
    return [base] * (n - 1) + [total - base * (n - 1)]


def annuity_payment(principal: int, rate: Decimal, n: int) -> int:
    if rate == 0:
        return -(-principal // n)
    with localcontext() as ctx:
        ctx.prec = 50
        factor = (1 + rate) ** -n
        return _round(Decimal(principal) * rate / (1 - factor))


def due_dates(first_due: date, n: int, period_months: int, calendar: str) -> list[date]:
    return [add_months(first_due, i * period_months, calendar) for i in range(n)]


def amounts(principal: int, annual_rate: Decimal, n: int, period_months: int, method: str) -> list[tuple[int, int]]:
    """(principal, interest) per installment, in minor units."""
    if method not in METHODS:
        raise ValueError(f"unknown interest method {method!r}")
    if principal <= 0 or n <= 0:
        raise ValueError("principal and number of installments must be positive")
    n = min(n, principal)  # never an installment of nothing (e.g. 5 cents left over 12 months: 5 installments)
    rate = periodic_rate(annual_rate, period_months) if method != "none" else Decimal(0)
    if method in ("none", "flat"):
        interest_total = _round(Decimal(principal) * rate * n)
        return list(zip(_equal_parts(principal, n), _equal_parts(interest_total, n) if interest_total else [0] * n))
    lines = []
    balance = principal
    if method == "annuity":
        payment = annuity_payment(principal, rate, n)
        for k in range(n):
            interest = _round(balance * rate)
            part = balance if k == n - 1 else min(balance, max(payment - interest, 0))
            if part == interest == 0:
                break  # the rounded-up payment cleared the loan early (tiny amounts): no empty installments
            lines.append((part, interest))
            balance -= part
    else:
        for k, part in enumerate(_equal_parts(principal, n)):
            lines.append((part, _round(balance * rate)))
            balance -= part
    return lines


def build(principal: int, annual_rate: Decimal, n: int, period_months: int, method: str,
          first_due: date, calendar: str = "gregorian", first_number: int = 1) -> list[Line]:
    dates = due_dates(first_due, n, period_months, calendar)
    return [Line(first_number + i, dates[i], p, it)
            for i, (p, it) in enumerate(amounts(principal, annual_rate, n, period_months, method))]


def shortest_term(principal: int, annual_rate: Decimal, max_n: int, period_months: int, method: str,
                  installment: int) -> int:
    """Fewest installments (at most max_n) whose regular installment is not above `installment`:
    used when a prepayment shortens the schedule and keeps the installment about the same."""
    for n in range(1, max_n + 1):
        lines = amounts(principal, annual_rate, n, period_months, method)
        if lines[0][0] + lines[0][1] <= installment:
            return n
    return max_n
