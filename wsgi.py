"""Entry point for `flask run` and gunicorn (`gunicorn wsgi:app`)."""
import gc

import click

from hamyan import create_app, warm_up
from hamyan.scheduling import start_in_process

app = create_app()
if click.get_current_context(silent=True) is None:  # a WSGI server (gunicorn), not a flask command
    warm_up(app)
    # What the app built so far lives as long as the process: out of the collector's way, so no
    # request pays for a full collection over it (the first one after the warm-up paid ~0.3 s).
    gc.collect()
    gc.freeze()
start_in_process(app)
