"""The shared pager links the first, the last and the pages near the current one: its size does
not grow with the number of members."""
import re

import pytest
from flask import url_for


@pytest.mark.parametrize("page, pages, shown", [
    (1, 1, []), (1, 2, [1, 2]), (1, 7, [1, 2, 3, 7]), (4, 7, [1, 2, 3, 4, 5, 6, 7]),
    (200, 400, [1, 198, 199, 200, 201, 202, 400]), (400, 400, [1, 398, 399, 400]),
])
def test_pager_links_a_window_around_the_page(app, page, pages, shown):
    with app.test_request_context("/"):
        html = str(app.jinja_env.globals["pager"](page, pages, "members.index", "roster", {"box_id": 1}))
        hrefs = [url_for("members.index", page=n, box_id=1) for n in shown]
    assert [int(n) for n in re.findall(r'aria-current="page">(\d+)<', html)] == ([page] if shown else [])
    assert re.findall(r'<a class="page-link" href="([^"]+)"', html) == hrefs
    assert html.count("…") == sum(1 for a, b in zip(shown, shown[1:]) if b > a + 1)
