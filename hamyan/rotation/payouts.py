"""One position's payout, as a plan the product posts to the ledger. Pure.

The payout `amount` is given per position (a cashbox pays the whole pot to every position; a ROSCA
whose seats were sold pays each position its own amount). It is split between the holders
(shares.split). From each holder's part, first what the holder owes is netted (dues past due,
then unpaid late charges, when the box nets), then the rest is handed over from the cash the box
holds; what the cash cannot cover is owed to the holder (a liability) and paid as money comes in.
A payout therefore never takes the box's cash below zero."""
from dataclasses import dataclass

from hamyan.rotation.shares import split


@dataclass(frozen=True)
class HolderPayout:
    part: int  # the holder's part of the payout
    netted_dues: int  # what the holder owed in dues, paid out of the part
    netted_charges: int  # what the holder owed in late charges, paid out of the part
    cash: int  # handed over now
    owed: int  # still owed to the holder, paid as money comes in

    @property
    def netted(self) -> int:
        return self.netted_dues + self.netted_charges


def plan(amount: int, fractions: list, owing: list[tuple[int, int]], cash: int) -> list[HolderPayout]:
    """owing: per holder (dues past due, unpaid charges) to net; cash: what the box holds now.
    Holders are paid from the cash in the order given."""
    plans = []
    for part, (dues, charges) in zip(split(amount, fractions), owing):
        netted_dues = min(dues, part)
        netted_charges = min(charges, part - netted_dues)
        rest = part - netted_dues - netted_charges
        handed = min(rest, max(cash, 0))
        cash -= handed
        plans.append(HolderPayout(part, netted_dues, netted_charges, handed, rest - handed))
    return plans


def pay_owed(owed: list[int], cash: int) -> list[int]:
    """How much of each amount owed (oldest first) the cash pays now."""
    paid = []
    for amount in owed:
        now = min(amount, max(cash, 0))
        cash -= now
        paid.append(now)
    return paid
