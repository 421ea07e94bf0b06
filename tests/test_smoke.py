def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.get_json() == {"status": "ok", "database": "ok"}


def test_dashboard_needs_login(client):
    r = client.get("/profile")
    assert r.status_code == 302 and "/login" in r.headers["Location"]


def test_dashboard_after_login(user_client):
    c = user_client()
    r = c.get("/")
    assert r.status_code == 200
    assert "My boxes" in r.get_data(as_text=True)
