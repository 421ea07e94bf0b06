"""Columns every rotation product's holdings share: a member's part of a share or seat, as a
fraction (1/1 for a whole one), and `position`, the order of the holders that shares.split gives
the rounding remainder by (ties to the lowest position). The product's table adds its id and the
foreign key to its own share or seat."""
from fractions import Fraction

from sqlalchemy.orm import declared_attr

from hamyan.extensions import db


class PartColumns:
    @declared_attr
    def membership_id(cls):
        return db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False, index=True)

    numerator = db.Column(db.Integer, nullable=False)
    denominator = db.Column(db.Integer, nullable=False)
    position = db.Column(db.Integer, nullable=False, default=0)

    @declared_attr
    def membership(cls):
        return db.relationship("Membership")

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)


class HeldColumns:
    """A share or seat with `holdings` (PartColumns rows)."""

    @property
    def held(self) -> Fraction:
        return sum((h.fraction for h in self.holdings), Fraction(0))
