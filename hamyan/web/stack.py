"""Tables that turn into cards on a phone. app.css stacks a wide table's rows into cards below 576 px,
each cell led by its column's heading; that heading comes from the `data-label` this module writes
on every body cell of an HTML response, from the table's own <thead>. So no template repeats its
headings, and a list swapped in by htmx gets its labels the same way as the full page."""
import re
from html import escape, unescape

# A start or end tag; quoted attribute values may hold '>' (hx-vals JSON).
TAG = re.compile(r"""<(/?)([a-zA-Z][a-zA-Z0-9]*)((?:[^>"']|"[^"]*"|'[^']*')*)>""")
COLSPAN = re.compile(r"""\bcolspan\s*=\s*["']?(\d+)""", re.I)
STRUCTURE = {"table", "thead", "tbody", "tfoot", "tr", "th", "td"}


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]*>", " ", html)).split())


class _Table:
    def __init__(self):
        self.labels: list[str] = []
        self.in_head = False
        self.column = 0
        self.heading_at: tuple[int, int] | None = None  # (start of the heading's text, its colspan)


def label_cells(html: str) -> str:
    """`html` with data-label="<column heading>" on each <td> under a table's <thead>."""
    if "<table" not in html:
        return html
    out, tables, last = [], [], 0
    for match in TAG.finditer(html):
        closing, name, attributes = match.group(1), match.group(2).lower(), match.group(3)
        if name not in STRUCTURE:
            continue
        if name == "table":
            if not closing:
                tables.append(_Table())
            elif tables:
                tables.pop()
            continue
        if not tables:
            continue
        table = tables[-1]
        span = int(m.group(1)) if (m := COLSPAN.search(attributes)) else 1
        if name == "thead":
            table.in_head = not closing
        elif name == "tr" and not closing:
            table.column = 0
            if table.in_head:
                table.labels = []
        elif table.in_head and name == "th":
            if not closing:
                table.heading_at = (match.end(), span)
            elif table.heading_at:
                start, span = table.heading_at
                table.labels += [_text(html[start:match.start()])] * span
                table.heading_at = None
        elif not table.in_head and not closing and name in ("td", "th"):
            under = set(table.labels[table.column:table.column + span])
            label = under.pop() if len(under) == 1 else ""  # a cell across several columns says itself
            table.column += span
            if name == "td" and label and "data-label" not in attributes:
                out.append(html[last:match.end() - 1])
                out.append(f' data-label="{escape(label)}">')
                last = match.end()
    if not out:
        return html
    out.append(html[last:])
    return "".join(out)


def init_app(app) -> None:
    @app.after_request
    def stack_tables(response):
        if response.mimetype == "text/html" and not response.direct_passthrough and not response.is_streamed:
            body = response.get_data(as_text=True)
            labelled = label_cells(body)
            if labelled is not body:  # set_data only when a label was written
                response.set_data(labelled)
        return response

