"""The admin Backups page: admins list, download and start backups; anyone else gets 404."""
import json
import time

import pytest

from hamyan.audit.models import AuditEvent
from hamyan.backup import service


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_only_admins_reach_backups(client, user_client, backups, who):
    viewer = client if who == "anonymous" else user_client("member@example.com")
    name = service.create().name
    assert viewer.get("/admin/backups").status_code == 404
    assert viewer.get(f"/admin/backups/{name}").status_code == 404
    assert viewer.post("/admin/backups").status_code == 404


def test_admin_starts_lists_and_downloads_a_backup(admin_client, backups):
    assert "No backups yet." in admin_client.get("/admin/backups").get_data(as_text=True)
    assert admin_client.post("/admin/backups").status_code == 302
    [event] = AuditEvent.query.filter_by(action="admin.create_backup").all()  # who started it, from where
    assert (event.user_id, json.loads(event.changes)[0]["table"]) == (admin_client.user.id, "backup")
    deadline = time.monotonic() + 30
    while not service.all_backups() and time.monotonic() < deadline:
        time.sleep(0.2)
    [backup] = service.all_backups()
    page = admin_client.get("/admin/backups").get_data(as_text=True)
    assert backup.name in page and backup.manifest["sha256"][:16] in page
    download = admin_client.get(f"/admin/backups/{backup.name}")
    assert download.status_code == 200 and download.data == backup.path.read_bytes()
    assert admin_client.get("/admin/backups/..%2Fsecret_key").status_code == 404
