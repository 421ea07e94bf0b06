"""Aptbox rules: the only code that writes aptbox tables or posts a building's money.

Chart of accounts (ledger account codes, per building box; balances signed, debit positive)
    apt:unit:<id>               A unit's receivable (subject unit)   asset    debit: owed, credit: the unit's credit
    apt:fund:operating          Operating fund                       asset
    apt:fund:reserve            Reserve fund                         asset
    apt:income:charges          Monthly charges                      income
    apt:income:assessments      Special assessments                  income
    apt:income:late_fees        Late fees                            income
    apt:expense:<category>      Expenses by category                 expense

Entries (idempotency keys derived from the business action, so a retry writes nothing)
    charge      Dr each unit / Cr income:charges or income:assessments        apt:<box>:run:<reference>
    payment     Dr fund:operating / Cr unit                                    apt:<box>:payment:<key>
    late_fee    Dr unit / Cr income:late_fees (hamyan.dues.late, once a charge) apt:<box>:late:charge:<id>
    expense     Dr expense:<category> / Cr fund (once approved)                apt:<box>:expense:<id>
    transfer    Dr fund / Cr other fund                                        apt:<box>:transfer:<key>

So  operating + reserve + receivables  ==  income - expenses, at every date.
Charges are income when issued (dated their due date); payments always go into the operating fund,
the board moves money to the reserve by transfers.
"""
from .common import (  # noqa: F401 (re-exported: callers use services.<name>)
    KIND, PAGE_SIZE, Access, access, manage, unit_of, unit_numbered, money, fund_balances, month_of, parse_month,
)
from .buildings import buildings_of, create_building, update_rules, floor_factors_text  # noqa: F401
from .units import (  # noqa: F401
    CSV_COLUMNS, ImportError_, add_unit, update_unit, import_units, add_person, units_of, people_of, units_page,
)
from .plan import (  # noqa: F401
    add_component, update_component, remove_component, set_rule, clear_rule, components, rules_of, unit_rules, preview,
    describe,
)
from .charges import (  # noqa: F401
    issue_month, issue_due_month, next_month, create_assessment, runs, charges_of, latest_charge,
)
from .payments import (  # noqa: F401
    record_payment, charge_late_fees, assess_late_fees, waive_late_fee, reverse_payment, part_for,
)
from .summary import position, owed_by, refresh, fresh, reconcile, period_lines  # noqa: F401
from .buildings import major, late_fee_text, remainder_number  # noqa: F401
from .ledgers import unit_statement, unit_ledger, totals, arrears_list  # noqa: F401
from .funds import (  # noqa: F401
    add_expense, approve_expense, expense_of, reject_expense, transfer, expenses, transfers, receipt_file,
    pending_expenses,
)
from hamyan.core.uploads import Receipt  # noqa: F401
from .notices import announce, announcements, create_poll, vote, close_poll, result, results, polls, open_polls  # noqa: F401
