"""Analytics: usage events (events.py, recorded by the unit of work), the figures admins and a box's
managers read (figures.py, from the ledger and the products' summary rows), server-side SVG charts
(charts.py) and their pages with a CSV of every table (views.py)."""
