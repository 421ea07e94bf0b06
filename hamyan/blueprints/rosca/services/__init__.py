"""ROSCA rules: the only code that writes ROSCA tables or posts ROSCA money to the ledger.

A ROSCA is a cashbox whose order is sold before the round: N seats each pay c every period for N
periods; seat k collects its own payout at period k. Early seats borrow (a lower payout), late seats
save (a higher one); rotation.pricing prices the seats (manual, linear, or fair at a rate r), and
the payouts add up to everything collected less the operator's fee. Contributions are dues
(hamyan.dues); seats with sub-seats and payouts are a rotation (hamyan.rotation). The chart of
accounts is in common.py, the entries in round.py and market.py.

Modules: common (who may act, accounts), setup (create, price, seat sale, deposits due, start),
state (derived state, summaries, reconcile), round (payments, deposits, payouts, defaults,
release), late (late fees through hamyan.dues.late), market (seat swaps), reads (what pages show),
statements."""
from hamyan.blueprints.rosca.models import Rosca  # noqa: F401
from hamyan.blueprints.rosca.services.common import (  # noqa: F401
    KIND, active_members, available, box_cash, deposits_by_member, managing, member_in_sight, roscas_of, viewing)
from hamyan.blueprints.rosca.services.late import (  # noqa: F401
    assess_late_fees, charge_late_fees, late_fees_of, set_late_fee, waive_late_fee)
from hamyan.blueprints.rosca.services.market import (  # noqa: F401
    approve_swap, quote, rate, refuse_swap, request_swap, swaps_of)
from hamyan.blueprints.rosca.services.reads import (  # noqa: F401
    PricingView, consequences, grid_cells, periods_of, pricing_view, records, seats_of, summaries_page, summary_of, totals,
    window)
from hamyan.blueprints.rosca.services.round import (  # noqa: F401
    cover_default, pay_out, record_deposit, record_payment, release_deposits, reverse_payment)
from hamyan.blueprints.rosca.services.setup import (  # noqa: F401
    add_member, assign_seat, create_rosca, deposit_due, leave_seat, price, reprice, reserve_seat, start, take_seat)
from hamyan.blueprints.rosca.services.state import fresh, member_states, reconcile, refresh  # noqa: F401
from hamyan.blueprints.rosca.services.statements import manager_report, member_statement  # noqa: F401
