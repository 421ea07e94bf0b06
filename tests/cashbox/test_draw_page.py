"""A draw's page: every step from the revealed seed to the winner, worked out on the server (the page
reads without script) and handed to static/js/verify-draw.js; another box's round is 404."""
import re
from datetime import timedelta

import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Period
from hamyan.extensions import db
from hamyan.rotation import draws
from tests.cashbox.helpers import fill_shares, first_round, utc_today
from tests.conftest import login

NAMES = ["زهرا محمدی", "علی‌رضا حسینی", "فاطمه کریمی", "محمدحسین عبدالرحیم‌زاده", "مریم رضایی"]


def drawn_box(manager, drawn=3):
    """Five shares of a random round, one a week, the last due today; the first `drawn` periods drawn."""
    box = cb.create_cashbox(manager, "صندوق خانوادگی", "IRR", "1000000", 5, "weekly", utc_today() - timedelta(days=28),
                            "random")
    fill_shares(manager, box, NAMES)
    r = first_round(box)
    cb.start_round(manager, box.id, r.id)
    for _ in range(drawn):
        cb.draw(manager, box.id, override_reason="نقدی جمع شد")
    return box, r


@pytest.fixture
def box(make_user):
    manager = make_user("manager@example.com", "Manager")
    return drawn_box(manager)


def test_each_drawn_period_recomputes_its_recorded_winner(app, box):
    box, r = box
    client = login(app.test_client(), "manager@example.com")
    dashboard = client.get(f"/cashbox/{box.id}").get_data(as_text=True)
    periods = db.session.query(Period).filter_by(round_id=r.id).order_by(Period.number).all()
    won = []
    for period in periods[:3]:
        url = f"/cashbox/{box.id}/rounds/{r.id}/periods/{period.number}/draw"
        assert f'href="{url}"' in dashboard
        page = client.get(url).get_data(as_text=True)
        assert re.search(r'id="server-winner">share (\d+)<', page).group(1) == str(period.winner.number)
        steps = page.split('id="server-steps"')[1].split("</ol>")[0]  # the page's own steps (not the script's words)
        assert "they match" in steps and "the share recorded as the winner" in steps and "NOT" not in steps
        candidates = [n for n in range(1, 6) if n not in won]
        assert f'data-candidates="{" ".join(map(str, candidates))}"' in page
        assert f'value="{period.seed}"' in page and f'data-commitment="{period.seed_hash}"' in page
        assert draws.draw_winner(period.seed, period.number, candidates) == period.winner.number
        assert '<script src="/static/js/verify-draw.js" defer></script>' in page and "<script>" not in page
        won.append(period.winner.number)


def test_a_period_not_drawn_shows_its_commitment_only(app, box):
    box, r = box
    client = login(app.test_client(), "manager@example.com")
    period = db.session.query(Period).filter_by(round_id=r.id, number=4).one()
    page = client.get(f"/cashbox/{box.id}/rounds/{r.id}/periods/4/draw").get_data(as_text=True)
    assert period.seed_hash in page and period.seed not in page and "revealed once this period is drawn" in page


def test_members_see_it_and_others_get_404(app, box, make_user):
    box, r = box
    make_user("outsider@example.com", "Outsider")
    other, other_round = drawn_box(make_user("other@example.com", "Other"), drawn=1)
    client = login(app.test_client(), "manager@example.com")
    for url in (f"/cashbox/{box.id}/rounds/{r.id}/periods/9/draw", f"/cashbox/{box.id}/rounds/{r.id}/periods/0/draw",
                f"/cashbox/{box.id}/rounds/{other_round.id}/periods/1/draw",
                f"/cashbox/{other.id}/rounds/{other_round.id}/periods/1/draw"):
        assert client.get(url).status_code == 404, url
    outsider = login(app.test_client(), "outsider@example.com")
    assert outsider.get(f"/cashbox/{box.id}/rounds/{r.id}/periods/1/draw").status_code == 404
