"""On a phone (375 px), with and without script: the site menu opens, every tab of every
product's box opens by a tap, and no page is wider than the screen."""
import pytest
from playwright.sync_api import expect

from hamyan import demo
from tests.e2e.test_platform import scroll_width, sign_in

WIDTH = 375


@pytest.mark.parametrize("javascript", [True, False])
def test_the_box_tabs_work_on_a_phone_and_no_page_scrolls_sideways(browser, live_server, demo_users, javascript):
    context = browser.new_context(base_url=live_server, viewport={"width": WIDTH, "height": 740},
                                  java_script_enabled=javascript)
    page = context.new_page()
    try:
        sign_in(page, "manager@demo.hamyan", demo.DEMO_PASSWORD)
        my_boxes = page.get_by_role("link", name="My boxes", exact=True)
        expect(my_boxes).to_be_hidden()
        page.get_by_role("button", name="Menu").click()  # the site menu opens with or without script
        expect(my_boxes).to_be_visible()
        boxes = page.locator("main a.box-card")
        expect(boxes.first).to_be_visible()
        walked = []
        for href in sorted({boxes.nth(i).get_attribute("href") for i in range(boxes.count())}):
            page.goto(href)
            tabs = page.locator("nav.box-nav a")
            labels = tabs.all_inner_texts()
            assert labels, href
            for label in labels:
                tab = page.locator("nav.box-nav").get_by_role("link", name=label, exact=True)
                with page.expect_navigation(wait_until="load"):  # measured once the new page has its styles
                    tab.click()  # scrolled into view inside the tab bar when it is off screen
                expect(page.locator("nav.box-nav [aria-current=page]")).to_have_text(label)
                width = scroll_width(page)
                assert width <= WIDTH, f"{page.url} is {width} px wide"
                walked.append(page.url)
        assert len(walked) >= 10, walked
    finally:
        context.close()
