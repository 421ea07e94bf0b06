"""Commit-reveal draws (rotation.draws): uniform over many simulated rounds, reproducible from the published data."""
import hashlib
import hmac
import random

import pytest
from scipy.stats import chisquare

from hamyan.rotation import draws

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out

SHARES = 6
ROUNDS = 3000


def _simulate(rng):
    remaining, order = list(range(1, SHARES + 1)), []
    for period in range(1, SHARES + 1):
        seed = f"{rng.getrandbits(256):064x}"
        winner = draws.draw_winner(seed, period, remaining)
        remaining.remove(winner)
        order.append(winner)
    return order


def test_each_share_wins_each_position_uniformly():
    rng = random.Random(20261125)  # fixed seed: the test is repeatable
    counts = [[0] * SHARES for _ in range(SHARES)]  # counts[position][share - 1]
    for _ in range(ROUNDS):
        for position, share in enumerate(_simulate(rng)):
            counts[position][share - 1] += 1
    for position in range(SHARES):
        assert sum(counts[position]) == ROUNDS
        assert chisquare(counts[position]).pvalue > 0.001, (position, counts[position])
    flat = [c for row in counts for c in row]
    assert chisquare(flat).pvalue > 0.001


def test_the_published_snippet_recomputes_the_winner():
    namespace = {}
    exec(draws.VERIFY_SNIPPET.split("\n\nassert")[0], namespace)  # the code shown on the dashboard
    rng = random.Random(7)
    for period in range(1, 30):
        seed = draws.new_seed() if period % 2 else f"{rng.getrandbits(256):064x}"
        candidates = sorted(rng.sample(range(1, 100), k=rng.randint(1, 20)))
        assert namespace["winner"](seed, period, candidates) == draws.draw_winner(seed, period, candidates)
        assert draws.commitment(seed) == hashlib.sha256(seed.encode()).hexdigest()


def test_rejection_sampling_skips_the_biased_top(monkeypatch):
    """A digest in the top 2**256 mod n values is rejected and the next counter is used."""
    count = 3
    limit = draws.SPACE - draws.SPACE % count
    digests = iter([limit.to_bytes(32, "big"), (5).to_bytes(32, "big")])

    class Fake:
        def __init__(self, *args):
            pass

        def digest(self):
            return next(digests)

    monkeypatch.setattr(hmac, "new", lambda *args: Fake())
    assert draws.draw_index("00", 1, count) == 5 % count


def test_a_single_candidate_always_wins():
    assert draws.draw_winner(draws.new_seed(), 9, [4]) == 4


def test_verify_lists_every_step_to_the_same_winner(monkeypatch):
    rng = random.Random(11)
    for period in range(1, 40):
        seed = f"{rng.getrandbits(256):064x}"
        candidates = rng.sample(range(1, 300), k=rng.randint(1, 200))
        v = draws.verify(seed, draws.commitment(seed), period, candidates)
        assert v.commitment_ok and v.candidates == sorted(candidates)
        assert v.winner == draws.draw_winner(seed, period, candidates) == v.candidates[v.index]
        assert [a.counter for a in v.attempts] == list(range(len(v.attempts)))
        assert v.attempts[-1].accepted and not any(a.accepted for a in v.attempts[:-1])
        assert v.attempts[-1].value % len(candidates) == v.index and v.attempts[0].message == f"{period}:0"
    assert not draws.verify("ab", draws.commitment("ba"), 1, [1, 2]).commitment_ok


def test_verify_shows_a_rejected_hash(monkeypatch):
    limit = draws.SPACE - draws.SPACE % 3
    real = hmac.new
    calls = iter([limit, 7])

    class Fake:
        def __init__(self, *args):
            self.value = next(calls)

        def digest(self):
            return self.value.to_bytes(32, "big")

    monkeypatch.setattr(hmac, "new", lambda *args: Fake())
    v = draws.verify("00", draws.commitment("00"), 2, [9, 3, 5])
    monkeypatch.setattr(hmac, "new", real)
    assert [(a.message, a.accepted) for a in v.attempts] == [("2:0", False), ("2:1", True)]
    assert v.limit == limit and v.index == 7 % 3 and v.winner == [3, 5, 9][1]
