"""The random draw, as a pure function anyone can rerun from the published data.

Commit–reveal: when a round starts, each period gets a fresh secret seed (64 hex characters) and
the box publishes SHA-256(seed) at once. When the period is drawn the seed is revealed; anyone can
check the commitment and recompute the winner:

    candidates = numbers of the round's shares that have not won yet, ascending
    counter = 0
    loop:
        digest = HMAC-SHA256(key = seed as ASCII, message = f"{period}:{counter}" as ASCII)
        x = digest read as a 256-bit big-endian integer
        if x < 2**256 - (2**256 % len(candidates)):   # rejection sampling: no modulo bias
            winner = candidates[x % len(candidates)]
            stop
        counter += 1

The rejection step discards the few top values that would make low indexes more likely, so every
remaining share is exactly equally likely for a uniformly random seed."""
import hashlib
import hmac
import secrets
from dataclasses import dataclass

SPACE = 2**256

# Shown on the dashboard so anyone can recompute a draw with nothing but Python's standard library.
VERIFY_SNIPPET = '''import hashlib, hmac

def winner(seed, period, candidates):
    """seed: the revealed seed; candidates: share numbers not yet won, ascending."""
    n, counter = len(candidates), 0
    while True:
        digest = hmac.new(seed.encode(), f"{period}:{counter}".encode(), hashlib.sha256).digest()
        x = int.from_bytes(digest, "big")
        if x < 2**256 - (2**256 % n):
            return candidates[x % n]
        counter += 1

assert hashlib.sha256(seed.encode()).hexdigest() == published_hash'''


def new_seed() -> str:
    return secrets.token_hex(32)


def commitment(seed: str) -> str:
    return hashlib.sha256(seed.encode("ascii")).hexdigest()


@dataclass(frozen=True)
class Attempt:
    """One HMAC of the draw: its message, its digest and whether the value fell below the limit."""
    counter: int
    message: str
    digest: str  # hex
    value: int
    accepted: bool


@dataclass(frozen=True)
class Verification:
    """Every step of checking a drawn period, as the draw's page shows them (and its script redoes
    them in the browser with WebCrypto)."""
    seed: str
    commitment: str  # as published
    computed: str  # SHA-256 of the seed
    period: int
    candidates: list[int]  # ascending
    limit: int
    attempts: list[Attempt]
    index: int
    winner: int

    @property
    def commitment_ok(self) -> bool:
        return self.computed == self.commitment


def attempts(seed: str, period: int, count: int):
    """The HMACs of the draw in order, until the first one accepted (rejection sampling)."""
    if count < 1:
        raise ValueError("nothing to draw from")
    limit = SPACE - (SPACE % count)
    counter = 0
    while True:
        message = f"{period}:{counter}"
        digest = hmac.new(seed.encode("ascii"), message.encode("ascii"), hashlib.sha256).digest()
        value = int.from_bytes(digest, "big")
        yield Attempt(counter, message, digest.hex(), value, value < limit)
        if value < limit:
            return
        counter += 1


def draw_index(seed: str, period: int, count: int) -> int:
    """An index in range(count), uniform over seeds, reproducible from (seed, period, count)."""
    *_, accepted = attempts(seed, period, count)
    return accepted.value % count


def draw_winner(seed: str, period: int, candidates: list[int]) -> int:
    """The winning share number among candidates (share numbers not yet won)."""
    ordered = sorted(candidates)
    return ordered[draw_index(seed, period, len(ordered))]


def verify(seed: str, published: str, period: int, candidates: list[int]) -> Verification:
    """Every step from the revealed seed to the winner (the commitment check included)."""
    ordered = sorted(candidates)
    tried = list(attempts(seed, period, len(ordered)))
    index = tried[-1].value % len(ordered)
    return Verification(seed, published, commitment(seed), period, ordered,
                        SPACE - (SPACE % len(ordered)), tried, index, ordered[index])
