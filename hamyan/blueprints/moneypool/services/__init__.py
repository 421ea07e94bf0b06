"""Moneypool rules: the only code that writes moneypool tables or posts a pool's money.

Chart of accounts (ledger account codes, per pool box; balances are signed, debit positive)
    mp:cash                      Pool cash                           asset      (debit)
    mp:member:<id>:savings       A member's savings                  liability  (credit)
    mp:member:<id>:pledged       Savings held as a guarantor pledge  liability  (credit)
    mp:member:<id>:fees          Late contribution fees owed         asset      (debit)
    mp:loan:<id>:principal       Principal owed on one loan          asset      (debit)
    mp:loan:<id>:penalty         Late penalties owed on one loan     asset      (debit)
    mp:income:interest           Interest earned                     income     (credit)
    mp:income:fees               One-time loan service fees          income     (credit)
    mp:income:penalties          Late fees and loan penalties        income     (credit)
    mp:expense:writeoff          Loans written off                   expense    (debit)

Entries (each idempotency key is derived from the business action, so a retry writes nothing)
    contribution   Dr cash / Cr member fees (late fees first) / Cr member savings     mp:<box>:contribution:<key>
    late_fee       Dr member fees / Cr income:penalties                               mp:<box>:late_fee:<member>:<due>
    disbursement   Dr loan principal / Cr cash / Cr income:fees (fee kept)            mp:<box>:loan:<id>:disburse
                   + Dr guarantor savings / Cr guarantor pledged (pledges)
    penalty        Dr loan penalty / Cr income:penalties                              mp:<box>:penalty:<loan>:<n>
    repayment      Dr cash / Cr loan principal / Cr income:interest / Cr loan penalty mp:<box>:repay:<loan>:<key>
                   + Dr pledged / Cr savings (pledges released pro rata to principal repaid)
    write_off      Dr pledged (guarantors cover what they pledged) + Dr expense / Cr loan accounts
    settlement     a leaving member: their savings repay what they owe, the rest is paid out in cash
    waive          reversal of an unpaid late_fee or penalty entry, dated today      <charge key>:waive:<request key>
                   (the charge's key stays taken, so the hourly job never charges it again)
    loan_adjustment  what replaying a loan moved between its earlier entries (an undo,  mp:<box>:loan:<id>:adjust:<why>
                   a back-dated repayment): principal / interest / penalty, pledges held or released

Loans are replayed (hamyan.lending.state) from their plan and events: repayments not undone,
reschedules (mp_loan_reschedule) and penalties (dues_late_charge); installment rows hold the result.

Interest, fees and penalties are income when charged (fees, penalties) or when paid (interest):
interest not yet paid is only a plan in the schedule, so prepaying or writing off never has to
undo income. The balance sheet therefore reads
    cash + loans + fees and penalties owed  ==  savings + pledged + (income - write-offs).

Contributions are recorded as paid (cash basis); what a member owes is computed from the share
history, so arrears = owed to date - contributed, never a ledger balance.
"""
from .common import (  # noqa: F401 (re-exported: callers use services.<name>)
    KIND, PAGE_SIZE, PREPAY_MODES, FORECAST_PERIODS, MAX_TERM, MAX_SHARES, MAX_GUARANTORS, YEARS_AHEAD, _accounts, _account,
    _natural, _by, _post, _valid_id, _offset, _not_future, _plan_day, _pool_start, _key, _request_hash,
    _same_request, _tell, _event, Access, access, pools_of, _member, _loan, loan_for, _amount, money, major, loan_status,
    member_for, loan_state,
)
from .pools import (  # noqa: F401 (re-exported: callers use services.<name>)
    _policy, POLICY_FIELDS, _settled_policy, create_pool, update_policy, set_share_amount,
)
from .members import (  # noqa: F401 (re-exported: callers use services.<name>)
    _join, add_member, set_shares, settlement, leave, rejoin, active_members, not_saving, members_page,
    savers,
)
from .owed import (  # noqa: F401 (re-exported: callers use services.<name>)
    _in_force, due_dates, share_amounts, share_amounts_of, dues, contributed, next_due,
)
from .savings import (  # noqa: F401 (re-exported: callers use services.<name>)
    MemberPosition, positions, record_contribution, reverse_contribution, contribution_of, contributions,
    share_amount_on, member_dues,
)
from .loans import (  # noqa: F401 (re-exported: callers use services.<name>)
    loan_limit, months_between, eligibility, open_loan, request_loan, _guarantors, approve, reject, cancel, disburse,
    loans_page, requests_waiting, LISTED, guaranteed_by, loans_of, service_fee, Quote, quote,
)
from .queue import (  # noqa: F401 (re-exported: callers use services.<name>)
    queue_order, waiting, cash, draw,
)
from .repaying import (  # noqa: F401 (re-exported: callers use services.<name>)
    _terms, _events, _reschedules, _next_seq, outstanding_principal, payoff, _replay,
    _record_repayment, repay, undo_repayment, _split_of, _post_adjustment, write_off, reschedule, loan_events,
    repayments, repayment_of, LoanSummary, loan_summary, installment_statuses,
)
from .fees import (  # noqa: F401 (re-exported: callers use services.<name>)
    LateFee, late_fees, waive_late_fee, waive_penalty, assess,
)
from .checks import (  # noqa: F401 (re-exported: callers use services.<name>)
    reconcile, _line_tuple,
)
