"""Receipt files (a building's expenses, payments members report in any box): what they may be,
told by their first bytes and size, and where they are kept (instance/uploads/<area>/<box>/, names
of ours). Serving one is the caller's decision of who may see it."""
import base64
import binascii
import os
import uuid
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from hamyan.core import uow
from hamyan.core.errors import ValidationError

# What a receipt may be, told by its first bytes (never by its name or the browser's word).
SIGNATURES = ((b"\xff\xd8\xff", "image/jpeg", "jpg"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
              (b"%PDF-", "application/pdf", "pdf"))


@dataclass
class Receipt:
    data: bytes
    filename: str


def from_base64(raw: str | None, name: str) -> Receipt | None:
    """A receipt sent in a JSON body as base64 (the API), or None when none was sent."""
    if raw is None:
        return None
    try:
        return Receipt(base64.b64decode(raw, validate=True), name)
    except (binascii.Error, ValueError):
        raise ValidationError(_("Send the receipt as base64."), field="receipt") from None


def receipt_type(receipt: Receipt) -> tuple[str, str]:
    limit = current_app.config["RECEIPT_MAX_BYTES"]
    if not receipt.data:
        raise ValidationError("The receipt file is empty.", field="receipt")
    if len(receipt.data) > limit:
        raise ValidationError(f"A receipt may be at most {limit // (1024 * 1024)} MB.", field="receipt")
    for signature, mimetype, extension in SIGNATURES:
        if receipt.data.startswith(signature):
            return mimetype, extension
    raise ValidationError("A receipt is a photo (JPEG or PNG) or a PDF.", field="receipt")


def store(area: str, box_id: int, receipt: Receipt, extension: str) -> str:
    """Write the receipt under instance/uploads/<area>/<box>/ with a name of ours; the relative path.
    Inside a write, the file goes again if the write rolls back: no file without its row."""
    relative = os.path.join("uploads", area, str(box_id), f"{uuid.uuid4().hex}.{extension}")
    target = os.path.join(current_app.instance_path, relative)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    uow.after_rollback(lambda: _remove(target))
    with open(target, "wb") as out:
        out.write(receipt.data)
    return relative


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:  # the write failed before the file was
        pass
