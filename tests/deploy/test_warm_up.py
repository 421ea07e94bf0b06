"""A serving worker builds its templates and catalogues before its first request (wsgi.py runs
warm_up): a worker's first dashboard took about a second longer than its next, and each new or
recycled worker paid it again."""
from babel import support
from flask_babel import force_locale, get_translations

from hamyan import i18n, warm_up


def test_after_the_warm_up_no_request_compiles_a_template_or_reads_a_catalogue(app, monkeypatch):
    warm_up(app)

    def built_in_a_request(*args, **kwargs):
        raise AssertionError("built after the warm-up")

    monkeypatch.setattr(app.jinja_env, "compile", built_in_a_request)
    monkeypatch.setattr(support.Translations, "load", built_in_a_request)
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
    with app.app_context():
        for language in i18n.LANGUAGES:
            with force_locale(language):
                get_translations()
