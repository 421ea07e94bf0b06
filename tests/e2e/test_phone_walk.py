"""Every page a manager, a member and an admin can reach by links, walked on a 390x844 phone with
long Persian names in the boxes: no page scrolls sideways, the console stays clean (also after the
htmx swaps the walk makes), and each page has a title of its own."""
from collections import Counter
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Error as PlaywrightError, expect
from sqlalchemy import update

from hamyan import demo
from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from tests.conftest import PASSWORD
from tests.e2e.test_platform import scroll_width, sign_in

WIDTH, HEIGHT = 390, 844
LONG_NAME = "محمدحسین عبدالرحیم‌زاده‌ی اصفهانی‌نژاد خوش‌نویس"
LONG_BOX = "صندوق قرض‌الحسنه‌ی خانوادگی بزرگ عبدالرحیم‌زاده‌ها و دوستان"
# Not pages: files, actions and lookups reached by a link, and places that sign the walker out.
SKIP = ("/readyz", "/healthz", ".pdf", ".csv", "/export", "/api/", "/static/", "/logout", "/names", "/lookup", "/download", "/receipt")
PAGES_PER_WALK = 120


def persian_names() -> None:
    """The demo boxes and a member of each (not one the walkers sign in as), renamed as long Persian
    names (directly: a builder)."""
    walkers = db.select(User.id).where(User.email.in_([email for email, *_ in demo.DEMO_USERS]))
    for box in db.session.scalars(db.select(Box)):
        db.session.execute(update(Box).where(Box.id == box.id).values(name=f"{LONG_BOX} {box.id}"))
        first = db.session.scalar(db.select(Membership).where(Membership.box_id == box.id,
                                                              Membership.user_id.not_in(walkers))
                                  .order_by(Membership.id).limit(1))
        if first is not None:
            first.display_name = LONG_NAME
    db.session.commit()


CULPRITS = """w => {
  const clipped = e => { for (let a = e.parentElement; a; a = a.parentElement)
    if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
  return [...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > w + 1 && !clipped(e)
      && ![...e.children].some(c => c.getBoundingClientRect().right > w + 1)).slice(0, 3)
    .map(e => e.tagName + '.' + e.className + ': ' + e.innerText.slice(0, 60));
}"""


# Table cells a phone does not show: off the screen's edge (in a box that scrolls sideways) or hidden
# (a column dropped on a small screen). A wide table stacks into cards instead (app.css, the templates' data-label).
UNSEEN_CELLS = """w => [...document.querySelectorAll('tbody td, tbody th, tfoot td, tfoot th')].filter(c => {
    if (!c.closest('table').checkVisibility() || !c.textContent.trim()) return false;
    const r = c.getBoundingClientRect();
    return !c.checkVisibility() || r.right > w + 1 || r.left < -1;
  }).slice(0, 3).map(c => (c.dataset.label || c.tagName) + ': ' + c.innerText.slice(0, 40))"""


def walk(page, start_urls, width=WIDTH):
    """Follow same-site links breadth-first from `start_urls`; returns {path: (title, scroll width,
    cells not seen)}."""
    seen, queue, found = set(), list(start_urls), {}
    while queue and len(found) < PAGES_PER_WALK:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            response = page.goto(url)
        except PlaywrightError as error:  # a link to a file (a PDF statement) downloads it
            if "Download is starting" in str(error):
                continue
            raise
        assert response.status < 400, f"{url} answered {response.status}"
        width_now = scroll_width(page)
        if width_now > width:  # name the widest culprits, to say what to fix
            width_now = (width_now, page.evaluate(CULPRITS, width))
        found[url] = (page.title(), width_now, page.evaluate(UNSEEN_CELLS, width))
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))"):
            parts = urlsplit(href)
            if parts.netloc or not href.startswith("/") or href.startswith("//"):
                continue
            if any(s in parts.path for s in SKIP) or parts.path == "/":
                continue
            if parts.path not in seen:
                queue.append(parts.path)
    return found


@pytest.mark.parametrize("who", ["manager", "member", "admin"])
def test_every_page_fits_a_phone_with_persian_names(browser, live_server, demo_users, who):
    persian_names()
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    console = []
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    try:
        sign_in(page, f"{who}@demo.hamyan", demo.DEMO_PASSWORD)
        page.wait_for_url(f"{live_server}/")
        found = walk(page, ["/", "/profile"])
    finally:
        context.close()
    titles = Counter(title for title, _, _ in found.values())
    problems = {
        "wider than the phone": {url: w for url, (_, w, _) in found.items() if not isinstance(w, int)},
        "table cells off the screen": {url: cells for url, (_, _, cells) in found.items() if cells},
        "console": console,
        # One title per page: a box's pages say which page of the box they are.
        "same title": {t: [u for u, (tt, _, _) in found.items() if tt == t] for t, n in titles.items() if n > 1},
    }
    assert not any(problems.values()), problems
    assert len(found) >= (20 if who != "member" else 10), sorted(found)


CONTRAST = """() => {
  const rgb = s => s.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map(v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
                                       .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const nav = document.querySelector('nav.navbar');
  const back = rgb(getComputedStyle(nav).backgroundColor);
  return [...nav.querySelectorAll('a, button, label')].filter(e => e.offsetParent !== null).map(e => {
    const [r, g, b, a = 1] = rgb(getComputedStyle(e).color);
    const fore = [r, g, b].map((v, i) => v * a + back[i] * (1 - a));
    const [hi, lo] = [lum(fore), lum(back)].sort((x, y) => y - x);
    return [e.innerText.trim(), Math.round((hi + 0.05) / (lo + 0.05) * 100) / 100];
  });
}"""


def test_navbar_text_meets_wcag_aa_and_the_skip_link_leads_to_the_content(page, make_user):
    make_user("mina@example.com", "مینا محمدی")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/")
    ratios = page.evaluate(CONTRAST)
    sign_in(page, "mina@example.com", PASSWORD)
    page.wait_for_url("**/")
    ratios += page.evaluate(CONTRAST)
    assert len(ratios) >= 5 and all(ratio >= 4.5 for _, ratio in ratios), ratios
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"


def test_the_menu_and_new_box_work_without_javascript(browser, live_server, make_user):
    make_user("mina@example.com", "مینا محمدی")
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT},
                                  java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in(page, "mina@example.com", PASSWORD)
        page.wait_for_url(f"{live_server}/")
        profile = page.get_by_role("link", name="مینا محمدی")
        expect(profile).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(profile).to_be_visible()
        cashboxes = page.get_by_role("link", name="Cashboxes")
        expect(cashboxes).to_be_hidden()
        page.get_by_text("New box").click()
        expect(cashboxes).to_be_visible()
        assert scroll_width(page) <= WIDTH
        cashboxes.click()
        page.wait_for_url("**/cashbox/new")
    finally:
        context.close()


def test_what_a_manager_looks_for_shows_on_a_phone(browser, live_server, demo_users):
    """The cells a manager reads on a phone, by their column: each visible on the screen (a table row
    is a card there), not in a column scrolled or hidden away."""
    persian_names()
    boxes = {box.kind: box.id for box in db.session.scalars(db.select(Box))}
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    try:
        sign_in(page, "manager@demo.hamyan", demo.DEMO_PASSWORD)
        page.wait_for_url(f"{live_server}/")
        for path, labels in ((f"/cashbox/{boxes['cashbox']}", ["Owes now"]),
                             (f"/cashbox/{boxes['cashbox']}/payments", ["Method", "Contribution"]),
                             (f"/pools/{boxes['moneypool']}/loans", ["Next due", "Principal owed"]),
                             (f"/buildings/{boxes['aptbox']}/units", ["Resident", "Balance"])):
            page.goto(path)
            for label in labels:
                cell = page.locator(f'td[data-label="{label}"]').first
                cell.scroll_into_view_if_needed()
                expect(cell).to_be_in_viewport(ratio=1)
            assert scroll_width(page) <= WIDTH, path
        page.goto(f"/cashbox/{boxes['cashbox']}/payments")
        undo = page.locator("summary", has_text="Undo").first
        undo.scroll_into_view_if_needed()
        expect(undo).to_be_in_viewport(ratio=1)
        page.goto(f"/cashbox/{boxes['cashbox']}")
        name = page.locator("#grid").get_by_text(LONG_NAME).first  # a long Persian name wraps inside its card
        name.scroll_into_view_if_needed()
        expect(name).to_be_in_viewport(ratio=1)
    finally:
        context.close()


# Each stacked cell's label (its ::before, the data-label the template wrote) and where it floats.
STACKED_LABELS = """() => [...document.querySelectorAll('.table-responsive tbody td[data-label]')]
  .filter(c => c.textContent.trim() && c.checkVisibility())
  .map(c => [c.dataset.label, getComputedStyle(c, '::before').content, getComputedStyle(c, '::before').float])"""


def test_a_stacked_table_reads_label_then_value_from_the_pages_side(browser, live_server, demo_users):
    """On a phone each cell of a table's card is its column's heading on the page's leading side (the
    right in Persian) and the value on the other, also in a cell of Latin text on a Persian page (a
    borrower's name, dir="auto")."""
    pool = db.session.scalar(db.select(Box.id).where(Box.kind == "moneypool"))
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    try:
        sign_in(page, "manager@demo.hamyan", demo.DEMO_PASSWORD)
        page.wait_for_url(f"{live_server}/")
        for language, side, borrower in (("en", "left", "Borrower"), ("fa", "right", "وام‌گیرنده")):
            page.set_extra_http_headers({"Accept-Language": language})
            page.goto(f"/pools/{pool}/loans")
            cells = page.evaluate(STACKED_LABELS)
            assert any(label == borrower for label, _, _ in cells)
            assert all(content == f'"{label}"' and float_ == side for label, content, float_ in cells), (
                language, [c for c in cells if c[1] != f'"{c[0]}"' or c[2] != side][:3])
    finally:
        context.close()
