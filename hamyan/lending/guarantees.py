"""Guarantees: a guarantor's savings are held as a pledge for a loan and released pro rata as its
principal is repaid (and held again if a repayment is undone)."""
from hamyan.money import allocate


def held(outstanding_principal: int, pledged: list[int]) -> list[int]:
    """What each guarantor still holds: together the principal still owed, up to what they pledged,
    shared in proportion to their pledges (largest remainder, so the parts add up exactly)."""
    total = sum(pledged)
    if not total:
        return [0] * len(pledged)
    return allocate(min(max(outstanding_principal, 0), total), pledged)
