"""The dashboards: /admin/analytics for admins (404 to anyone else) and /boxes/<id>/analytics, a tab
of every box for its managers (a member or a stranger gets 404). Each figure is shown as a chart and
in a table; every table downloads as CSV (?table=<id>), amounts in major units with their currency."""
import csv
import io
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from flask import Blueprint, Response, abort, request
from flask_babel import gettext as _
from flask_login import current_user, login_required

from hamyan import money
from hamyan.analytics import figures
from hamyan.blueprints.admin.queries import kind_name
from hamyan.dues.calendar import day_text, format_day
from hamyan.i18n import digits, display_locale, number, page_box, percent, persian_digits
from hamyan.boxes.access import authorize
from hamyan.hamyar import referrals
from hamyan.web import render
from hamyan.web.charts import bars, lines
from hamyan.web.nav import box_nav

bp = Blueprint("analytics", __name__)


@dataclass(frozen=True)
class Money:
    amount: int
    currency: str


@dataclass(frozen=True)
class Percent:
    value: float | None


@dataclass(frozen=True)
class Day:
    day: object  # a date, shown in the box's calendar; ISO in the CSV
    calendar: str = "gregorian"


@dataclass(frozen=True)
class Kind:
    kind: str  # a box kind: its product's name on the page, the kind itself in the CSV


@dataclass
class Table:
    id: str
    title: str
    headers: list[str]
    rows: list[list]


def shown(cell) -> str:
    """A cell as the page shows it: in the page's language and digits."""
    box = page_box()
    if isinstance(cell, Money):
        return _money(cell.amount, cell.currency)
    if isinstance(cell, Percent):
        return "–" if cell.value is None else percent(cell.value, box)
    if isinstance(cell, Day):
        return digits(format_day(cell.day, cell.calendar, display_locale(box)), box)
    if isinstance(cell, Kind):
        return kind_name(cell.kind)
    return number(cell, box) if isinstance(cell, int) else digits(cell, box)


def _count(n: int) -> str:
    return number(n, page_box())


def _money(amount: int, currency: str) -> str:
    """An amount of any currency (the admin's figures add up many boxes) as the page writes it."""
    box = page_box()
    return money.format_money(amount, currency, display_locale(box), latin_digits=not persian_digits(box))


def _unit(currency: str) -> str:
    """A currency as the page names it in a chart's title (ریال on a Persian page, IRR on an English one)."""
    return money.unit_name(currency, display_locale(page_box()))


def raw(cell) -> str:
    """A cell as the CSV holds it: amounts in major units (the currency is in the header or a column)."""
    if isinstance(cell, Money):
        return str(money.to_major(cell.amount, cell.currency))
    if isinstance(cell, Percent):
        return "" if cell.value is None else f"{cell.value:.4f}"
    if isinstance(cell, Day):
        return cell.day.isoformat()
    if isinstance(cell, Kind):
        return cell.kind
    return str(cell)


def _csv(tables: list[Table], name: str, filename: str) -> Response:
    table = next((t for t in tables if t.id == name), None)
    if table is None:
        abort(404)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(table.headers)
    writer.writerows([raw(cell) for cell in row] for row in table.rows)
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}-{table.id}.csv"'})


def _fmt(currency: str):
    return lambda amount: _money(amount, currency)


def _rate(value: float | None) -> int:
    """A rate as a chart's value: tenths of a percent."""
    return round(value * 1000) if value is not None else 0


def _per_mille(value: int) -> str:
    return percent(value / 1000, page_box())


def _short_day(day, calendar: str) -> str:
    """A chart's day as its month and day (09/17 in a Persian-calendar box)."""
    return day_text(day, calendar)[5:]


def _trend_charts(trend: dict, currencies: list[str], days: list, calendar: str = "gregorian") -> list:
    charts = []
    for currency in currencies:
        points = [(day, trend[(day, currency)]) for day in days if (day, currency) in trend]
        if not points:
            continue
        labels = [_short_day(day, calendar) for day, _figures in points]
        charts.append(lines(_("Arrears, last %(days)s days (%(currency)s)", days=_count(figures.TREND_DAYS),
                              currency=_unit(currency)),
                            labels, [(_("Arrears"), [f.arrears for _day, f in points])], _fmt(currency)))
        charts.append(lines(_("Collection rate, last %(days)s days (%(currency)s)", days=_count(figures.TREND_DAYS),
                              currency=_unit(currency)), labels,
                            [(_("Collection rate"), [_rate(f.collection_rate) for _day, f in points])], _per_mille))
    return charts


def _funnel_stages(funnel: figures.Funnel) -> list[tuple[str, int]]:
    return [(_("invited"), funnel.invited), (_("joined"), funnel.joined), (_("paid in"), funnel.paid)]


def admin_tables(p: figures.Platform, referred: tuple[int, int, int]) -> tuple[list[Table], list]:
    """The admin dashboard's tables, titles and headers in the page's language (the CSV's too, in
    the same column order); the page names products, the CSV keeps their kinds, currencies their ISO codes."""
    days = sorted({day for day, _currency in p.trend})
    trend_title = _("Arrears and collection, last %(days)s days", days=_count(figures.TREND_DAYS))
    at_risk = _("at risk (%(days)s+ days overdue)", days=_count(figures.AT_RISK_DAYS))
    return [
        Table("users", _("Active users and sign-ups per month"), [_("month"), _("active users"), _("sign-ups")],
              [[m, p.active_by_month.get(m, 0), p.signups_by_month.get(m, 0)] for m in p.months]),
        Table("boxes", _("Boxes per product"), [_("product"), _("boxes")],
              [[Kind(k), n] for k, n in sorted(p.boxes.items())]),
        Table("money", _("Money moved per month"), [_("month")] + [_("money moved %(currency)s", currency=c) for c in p.currencies],
              [[m] + [Money(p.moved.get((m, c), 0), c) for c in p.currencies] for m in p.months]),
        Table("collection", _("Collection and arrears per product"),
              [_("product"), _("currency"), _("boxes"), _("due"), _("arrears"), _("collection rate")],
              [[Kind(kind), c, n, Money(f.due, c), Money(f.arrears, c), Percent(f.collection_rate)]
               for (kind, c), (n, f) in p.by_product.items()]),
        Table("loans", _("Loan book and portfolio at risk"),
              [_("currency"), _("principal outstanding"), at_risk, _("PAR30")],
              [[c, Money(f.loans_out, c), Money(f.loans_at_risk, c), Percent(f.par)]
               for c, f in sorted(p.by_currency.items()) if f.loans_out]),
        Table("trend", trend_title, [_("day"), _("currency"), _("due"), _("arrears"), _("collection rate")],
              [[Day(day), c, Money(f.due, c), Money(f.arrears, c), Percent(f.collection_rate)]
               for (day, c), f in sorted(p.trend.items())]),
        Table("funnel", _("From invitation to first payment (invitations of the last %(days)s days)",
                          days=_count(figures.FUNNEL_DAYS)), [_("stage"), _("people"), _("share of invited")],
              [[stage, n, Percent(n / p.funnel.invited if p.funnel.invited else None)]
               for stage, n in _funnel_stages(p.funnel)]),
        Table("referrals", _("Who brought whom (the last %(days)s days)", days=_count(figures.FUNNEL_DAYS)),
              [_("way in"), _("people"), _("active now")],
              [[_("referral link"), referred[0], referred[1]], [_("box invitation accepted"), referred[2], ""]]),
    ], days


def _admin():
    if not (current_user.is_authenticated and current_user.is_admin):
        abort(404)


@bp.route("/admin/analytics")
@login_required
def admin():
    _admin()
    p = figures.platform()
    tables, days = admin_tables(p, referrals.referral_counts(
        datetime.combine(p.today - timedelta(days=figures.FUNNEL_DAYS), time())))
    if request.args.get("table"):
        return _csv(tables, request.args["table"], f"hamyan-{p.today.isoformat()}")
    charts = [bars(_("Active users per month"), [(m[2:], p.active_by_month.get(m, 0)) for m in p.months]),
              bars(_("Boxes per product"), [(kind_name(k), n) for k, n in sorted(p.boxes.items())], over_time=False)]
    charts += [bars(_("Money moved per month (%(currency)s)", currency=_unit(c)),
                    [(m[2:], p.moved.get((m, c), 0)) for m in p.months], _fmt(c)) for c in p.currencies]
    charts += _trend_charts(p.trend, p.currencies, days)
    charts.append(bars(_("From invitation to first payment"), _funnel_stages(p.funnel), over_time=False))
    return render("analytics/admin.html", p=p, tables=tables, charts=charts, shown=shown, percent=Percent)


def box_tables(b: figures.OneBox) -> list[Table]:
    c, f = b.box.currency, b.figures
    rows = [[_("due so far"), Money(f.due, c)], [_("arrears (late and unpaid)"), Money(f.arrears, c)],
            [_("collection rate"), Percent(f.collection_rate)]]
    if f.loans_out:
        rows += [[_("loan principal outstanding"), Money(f.loans_out, c)],
                 [_("at risk (%(days)s+ days overdue)", days=_count(figures.AT_RISK_DAYS)), Money(f.loans_at_risk, c)],
                 [_("PAR30"), Percent(f.par)]]
    return [
        Table("now", _("Today"), [_("figure"), _("value")], rows),
        Table("months", _("Per month"), [_("month (Persian calendar)") if b.box.calendar == "persian" else _("month"),
                                         _("money moved %(currency)s", currency=c), _("payments in")],
              [[m, Money(b.moved.get(m, 0), c), b.payments.get(m, 0)] for m in b.months]),
        Table("trend", _("Arrears and collection, last %(days)s days", days=_count(figures.TREND_DAYS)),
              [_("day"), _("due"), _("arrears"), _("collection rate")],
              [[Day(day, b.box.calendar), Money(t.due, c), Money(t.arrears, c), Percent(t.collection_rate)]
               for day, t in sorted(b.trend.items())]),
    ]


@bp.route("/boxes/<int:box_id>/analytics")
@login_required
def box(box_id):
    access = authorize(current_user, box_id)
    if not access.can_manage:
        abort(404)  # a member's own figures are on their pages; the box's are its managers'
    b = figures.one_box(access.box)
    tables = box_tables(b)
    if request.args.get("table"):
        return _csv(tables, request.args["table"], f"box-{box_id}")
    c = b.box.currency
    charts = [bars(_("Money moved per month (%(currency)s)", currency=_unit(c)), [(m[2:], b.moved.get(m, 0)) for m in b.months],
                   _fmt(c)),
              bars(_("Payments in per month"), [(m[2:], b.payments.get(m, 0)) for m in b.months])]
    charts += _trend_charts({(day, c): t for day, t in b.trend.items()}, [c], sorted(b.trend), b.box.calendar)
    return render("analytics/box.html", b=b, tables=tables, charts=charts, shown=shown, percent=Percent,
                  nav=box_nav(access.box, access.membership, access.can_manage))
