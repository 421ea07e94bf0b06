"""Who collects in a period. Positions are numbered 1..N; each collects exactly once.

    predefined  the order fixed before the round starts: position p collects in period p
    random      a commit-reveal draw among the positions that have not collected yet (draws.py)"""
from hamyan.rotation import draws

ORDER_MODES = ("predefined", "random")


def winner(mode: str, period: int, not_yet_won: list[int], positions: dict[int, int], seed: str | None) -> int:
    """The share number that collects in `period`. positions: share number -> its period in a
    predefined order; seed: the period's revealed seed for a random draw."""
    if mode == "random":
        return draws.draw_winner(seed, period, not_yet_won)
    return next(number for number, position in positions.items() if position == period)
