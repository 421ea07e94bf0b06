"""A Persian box's statement PDF, read back: right to left in Vazirmatn, Jalali dates, Persian digits."""
import io
from datetime import date

from pypdf import PdfReader

from hamyan.boxes import services as boxes
from hamyan.core import uow
from hamyan.statements import Movement, Statement, render_pdf


def test_a_persian_statement_has_jalali_dates_and_persian_digits(app, make_user):
    owner = make_user("mina@example.com", "مینا")
    with uow.transaction():
        box = boxes.create_box(owner, "cashbox", "صندوق خانوادگی رضایی", "IRR", "Asia/Tehran", "fa_IR", "persian")
    statement = Statement("صورت‌حساب", box, date(2026, 11, 22), date(2026, 12, 21), 0,
                          [Movement(date(2026, 12, 2), 7, "payment", "قسط آذر", 1250000)])
    pdf = render_pdf("statements/base.html", box=box, statement=statement)  # as a job makes it: no request
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    fonts = {str(font) for page in reader.pages for font in page["/Resources"]["/Font"].values()
             for font in [font.get_object()["/BaseFont"]]}
    assert any("Vazirmatn" in font for font in fonts), fonts
    assert "۱٬۲۵۰٬۰۰۰" in text or "۱۲۵۰۰۰۰" in text.replace("٬", ""), text
    # pypdf may give a right-to-left line in visual order, digits and letters reversed
    assert ("۱۴۰۵" in text or "۵۰۴۱" in text) and ("آذر" in text or "رذآ" in text), text


def test_a_thread_loads_the_fonts_of_its_pdfs_once(app, make_user, monkeypatch):
    """Each PDF named Vazirmatn in @font-face, and each loaded it again into a new font configuration: a thread
    keeps one, and its next PDFs read the same and still write in Vazirmatn."""
    from weasyprint.text import fonts

    made = []
    created = fonts.FontConfiguration.__init__
    monkeypatch.setattr(fonts.FontConfiguration, "__init__", lambda self: made.append(self) or created(self))
    owner = make_user("mina@example.com", "مینا")
    with uow.transaction():
        box = boxes.create_box(owner, "cashbox", "صندوق", "IRR", "Asia/Tehran", "fa_IR", "persian")
    statement = Statement("صورت‌حساب", box, date(2026, 11, 22), date(2026, 12, 21), 0,
                          [Movement(date(2026, 12, 2), 7, "payment", "قسط آذر", 1250000)])
    first, second = (PdfReader(io.BytesIO(render_pdf("statements/base.html", box=box, statement=statement)))
                     for _ in range(2))
    assert len(made) <= 1  # none when an earlier test of this thread made one
    assert [p.extract_text() for p in first.pages] == [p.extract_text() for p in second.pages]
    fonts_used = {str(font.get_object()["/BaseFont"]) for font in second.pages[0]["/Resources"]["/Font"].values()}
    assert any("Vazirmatn" in font for font in fonts_used), fonts_used
