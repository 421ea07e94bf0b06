"""Cashbox rules: the only code that writes cashbox tables or posts cashbox money to the ledger.

A cashbox is a fixed group saving together: each period every share pays its contribution into
the pot and one share wins the whole pot (shares x contribution). A round has as many periods as
shares, so every share wins exactly once. Contributions are dues (hamyan.dues: due dates, status,
arrears, late fines); shares, the order and the payouts are a rotation (hamyan.rotation).

Chart of accounts (per box, ledger codes):
    cash            asset      money the box holds (the manager's till or bank account)
    member:<m>      liability  member m's contributions paid minus payouts received: the
                               member's net position (positive = the box owes them)
    fines:<m>       asset      late fines charged to member m and not paid yet
    payout_owed:<m> liability  payouts won by member m that the box's cash could not cover yet
    fine_income     income     the box's income from late fines

Entries (entry code: legs):
    contribution    Dr cash; Cr member:<m> (contribution part); Cr fines:<m> (fine part)
    fine            Dr fines:<m>; Cr fine_income
    payout          Dr member:<h> (h's part of the pot); Cr member:<h> (dues netted);
                    Cr fines:<h> (fines netted); Cr cash (handed over); Cr payout_owed:<h> (the rest)
    payout_owed     Dr payout_owed:<h>; Cr cash: a payout owed, paid as contributions come in
    reversal        the mirror image of a contribution (a payment undone) or of a fine (waived)

Every write is one unit of work (core.uow.box_write): the box's lock first, one commit, emails
after it. A payout never takes the cash below zero: what is not collected yet is owed to the
winner (payout_owed:<h>) and paid, oldest first, by the next payments into the box.

Modules: setup (boxes, rounds, shares, members), state (the round's derived state and the member
summaries pages read), payments, draws (and payouts), fines, reminders, statements."""
from hamyan.blueprints.cashbox.services.common import (  # noqa: F401
    KIND,
    cashboxes_of,
    active_members,
    member_count,
    people,
    box_cash,
    chosen_round,
    current_round,
    member_in_sight,
    member_of,
    round_in_box,
    rounds_of,
)
from hamyan.blueprints.cashbox.services.draws import draw, draw_check, payouts_owed, release_payout  # noqa: F401
from hamyan.blueprints.cashbox.services.fines import (  # noqa: F401
    assess_fines, fines_of, fines_to_charge, period_of, waive_fine)
from hamyan.blueprints.cashbox.services.payments import (  # noqa: F401
    payments_in_sight,
    payments_page,
    period_lines,
    record_payment,
    payment_of,
    reverse_payment,
)
from hamyan.blueprints.cashbox.services.setup import (  # noqa: F401
    MAX_DAYS,
    MAX_SHARES,
    add_member,
    create_cashbox,
    due_dates,
    one_share_each,
    parse_round_settings,
    set_holders,
    set_order,
    start_next_round,
    start_round,
    update_round,
    rules_text,
    update_rules,
    with_holders,
)
from hamyan.blueprints.cashbox.services.state import (  # noqa: F401
    Cell,
    MemberState,
    MemberView,
    RoundState,
    Totals,
    attention,
    cells_in,
    draws_of,
    payouts_still_owed,
    fresh,
    member_summaries,
    member_view,
    periods_in,
    periods_in_windows,
    progress,
    reconcile,
    round_state,
    round_totals,
    split,
    totals,
    window,
)
from hamyan.blueprints.cashbox.services.statements import manager_report, member_statement, report_grid  # noqa: F401
