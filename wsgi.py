"""Entry point for `flask run` and gunicorn (`gunicorn wsgi:app`)."""
from hamyan import create_app
from hamyan.scheduling import start_in_process

app = create_app()
start_in_process(app)
