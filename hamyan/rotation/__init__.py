"""Rotation: a group pays in each period and one position collects, until every position has.
Used by Cashbox (one share wins each period's pot) and ROSCA (seats, some sold before the round).

    shares.py   shares (seats) with sub-shares: a share's amount split between its holders by
                largest remainder
    models.py   the columns a product's holdings table shares (a member's fraction, its position)
    pricing.py  what each position collects when the order is sold in advance (ROSCA): a manual
                table, a linear spread, or fair at a rate (every seat the same NPV); a trade's price
    order.py    who collects in a period: a predefined order, or a commit-reveal draw
    draws.py    the commit-reveal draw itself (pure; anyone can rerun it from the published data)
    payouts.py  one position's payout: its amount (per position, not always the whole pot) split
                between the holders, netted against what each owes, paid from the cash there is
                and the rest owed to the holder until the money comes in"""
