"""The shared members page: roster with role and account status, add, invite, scoping."""
import pytest
import sqlalchemy as sa
from sqlalchemy import select

from hamyan.blueprints.members.services import PER_PAGE
from hamyan.notify.models import OutboxMessage
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Invitation, Membership
from hamyan.extensions import db
from tests.conftest import login


def text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def setup(app, make_user):
    """A cashbox with a manager, a member with an account and one added without; a second box."""
    manager = make_user("manager@example.com", "Manager")
    member = make_user("member@example.com", "Member")
    outsider = make_user("outsider@example.com", "Outsider")
    box = boxes.create_box(manager, "cashbox", "Family fund", "IRR")
    other = boxes.create_box(outsider, "cashbox", "Other fund", "IRR")
    boxes.add_member(manager, box.id, "Member", "member@example.com")
    added = boxes.add_member(manager, box.id, "Uncle Reza", "reza@example.com")
    db.session.commit()
    clients = {}
    for user in (manager, member, outsider):
        clients[user.name.lower()] = login(app.test_client(), user.email)
        clients[user.name.lower()].user = user
    return box, other, added, clients


def url(box, tail=""):
    return f"/boxes/{box.id}/members{tail}"


def test_roster_shows_roles_and_account_status(setup):
    box, _, added, clients = setup
    page = text(clients["manager"].get(url(box)))
    assert "Family fund" in page and ">Members</h2>" in page
    assert page.count("Has an account") == 2 and page.count("No account") == 1
    assert "reza@example.com" in page and "Send invite" in page and "Add member" in page
    member_view = clients["member"].get(url(box))
    assert member_view.status_code == 200
    page = text(member_view)
    assert "Uncle Reza" in page and "(you)" in page
    # members see names and roles, not emails or manager forms
    assert "reza@example.com" not in page and "Add member" not in page and "Send invite" not in page


def test_outsider_gets_404_and_member_403(setup):
    box, other, added, clients = setup
    assert clients["outsider"].get(url(box)).status_code == 404
    assert clients["manager"].get(url(other)).status_code == 404
    assert clients["manager"].get("/boxes/999999/members").status_code == 404
    assert clients["outsider"].post(url(box, "/add"), data={"add-display_name": "X", "add-role": "member"}).status_code == 404
    member = clients["member"]
    assert member.post(url(box, "/add"), data={"add-display_name": "X", "add-role": "member"}).status_code == 403
    assert member.post(url(box, "/invite"), data={"invite-email": "x@example.com", "invite-role": "member"}).status_code == 403
    assert member.post(url(box, f"/{added.id}/invite")).status_code == 403
    assert db.session.execute(select(sa.func.count()).select_from(Invitation)).scalar_one() == 0


def test_manager_cannot_invite_a_member_of_another_box(setup, make_user):
    box, other, _, clients = setup
    stranger = boxes.add_member(clients["outsider"].user, other.id, "Stranger", "stranger@example.com")
    db.session.commit()
    assert clients["manager"].post(url(box, f"/{stranger.id}/invite")).status_code == 404
    assert db.session.execute(select(sa.func.count()).select_from(Invitation)).scalar_one() == 0


def test_add_member(setup):
    box, _, _, clients = setup
    response = clients["manager"].post(url(box, "/add"), data={
        "add-display_name": " خاله مریم ", "add-email": "", "add-role": "member"})
    assert response.status_code == 302 and response.headers["Location"] == url(box)
    added = db.session.execute(select(Membership).filter_by(display_name="خاله مریم")).scalar_one()
    assert added.email is None and added.user_id is None and added.role == "member"
    page = clients["manager"].get(url(box)).get_data(as_text=True)
    assert "<bdi>خاله مریم</bdi> is added." in page  # a typed name set apart, so bidi keeps it whole


@pytest.mark.parametrize("name", ["Uncle Reza", " uncle reza ", "UNCLE REZA"])
def test_a_second_active_member_with_the_same_name_is_refused(setup, name):
    """One rule in boxes: the members page refuses what the products refuse (names compared
    case-insensitively after trimming), and says how to tell them apart."""
    box, _, added, clients = setup
    response = clients["manager"].post(url(box, "/add"), data={"add-display_name": name, "add-role": "member"},
                                       headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "Uncle Reza is already a member of this box" in text(response)
    assert "tells them apart" in text(response) and "is-invalid" in text(response)
    assert db.session.scalar(select(sa.func.count()).select_from(Membership)
                             .where(Membership.box_id == box.id, Membership.display_name.ilike("%reza%"))) == 1
    # Someone who left no longer holds the name; another box is another roster.
    added.left_at = added.created_at
    db.session.commit()
    assert clients["manager"].post(url(box, "/add"), data={"add-display_name": name, "add-role": "member"}).status_code == 302


def test_adding_someone_with_an_account_links_it(setup, make_user):
    box, _, _, clients = setup
    mina = make_user("mina@example.com", "Mina")
    clients["manager"].post(url(box, "/add"), data={"add-display_name": "Mina", "add-email": "MINA@example.com",
                                                     "add-role": "manager"})
    assert boxes.membership_of(mina, box.id).role == "manager"


@pytest.mark.parametrize("data, message", [
    ({"add-display_name": "", "add-role": "member"}, "This field is required."),
    ({"add-display_name": "X", "add-email": "not-an-email", "add-role": "member"}, "Invalid email address."),
    ({"add-display_name": "X", "add-role": "resident"}, "Not a valid choice."),
    ({"add-display_name": "X", "add-email": "member@example.com", "add-role": "member"},
     "member@example.com is already a member of this box."),
])
def test_add_member_errors_inline_over_htmx(setup, data, message):
    box, _, _, clients = setup
    before = db.session.execute(select(sa.func.count()).select_from(Membership)).scalar_one()
    response = clients["manager"].post(url(box, "/add"), data=data, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = text(response).strip()
    assert body.startswith('<form') and 'id="add-member-form"' in body
    assert message in body and "is-invalid" in body
    assert db.session.execute(select(sa.func.count()).select_from(Membership)).scalar_one() == before


def test_add_member_over_htmx_redirects(setup):
    box, _, _, clients = setup
    response = clients["manager"].post(url(box, "/add"), data={"add-display_name": "Sara", "add-role": "member"},
                                       headers={"HX-Request": "true"})
    assert response.status_code == 204 and response.headers["HX-Redirect"] == url(box)


def test_invite_by_email_then_join(app, setup):
    box, _, _, clients = setup
    response = clients["manager"].post(url(box, "/invite"), data={
        "invite-email": "New@Example.com", "invite-role": "member", "invite-member": ""})
    assert response.status_code == 302
    message = db.session.execute(select(OutboxMessage)).scalar_one()
    assert message.recipient == "new@example.com" and "Family fund" in message.subject
    page = text(clients["manager"].get(url(box)))
    assert 'Invitation sent to <bdi dir="ltr">new@example.com</bdi>.' in page and "Invitations not yet accepted" in page
    # the invitee follows the link
    link = message.body.split("http://localhost", 1)[1].split()[0]
    newcomer = app.test_client()
    newcomer.post(f"/signup?next={link}", data={"name": "Newcomer", "email": "new@example.com",
                                                "password": "correct-horse-42", "confirm": "correct-horse-42"})
    newcomer.post(link)  # not signed in yet: joins nothing
    assert "Invitations not yet accepted" in text(clients["manager"].get(url(box)))
    verify = db.session.execute(select(OutboxMessage.body).where(OutboxMessage.subject.like("Confirm%"))).scalar_one()
    newcomer.get(verify.split("http://localhost", 1)[1].split()[0])
    login(newcomer, "new@example.com")
    newcomer.post(link)
    page = text(clients["manager"].get(url(box)))
    assert "Newcomer" in page and "Invitations not yet accepted" not in page


@pytest.mark.parametrize("data, field_message", [
    ({"invite-email": "bad", "invite-role": "member"}, "Invalid email address."),
    ({"invite-email": "member@example.com", "invite-role": "member"}, "already a member of this box"),
    ({"invite-email": "x@example.com", "invite-role": "board"}, "Not a valid choice."),
])
def test_invite_errors_inline(setup, data, field_message):
    box, _, _, clients = setup
    response = clients["manager"].post(url(box, "/invite"), data=data)
    assert response.status_code == 200 and field_message in text(response)
    assert db.session.execute(select(sa.func.count()).select_from(Invitation)).scalar_one() == 0


def test_send_and_resend_invite_to_added_member(app, setup, make_user):
    box, _, added, clients = setup
    manager = clients["manager"]
    assert manager.post(url(box, f"/{added.id}/invite")).status_code == 302
    page = text(manager.get(url(box)))
    assert 'Invitation sent to <bdi dir="ltr">reza@example.com</bdi>.' in page and "Resend invite" in page and "Invited" in page
    manager.post(url(box, f"/{added.id}/invite"))
    messages = db.session.execute(select(OutboxMessage)).scalars().all()
    assert [m.recipient for m in messages] == ["reza@example.com"] * 2
    # accepting links the account to the added membership, keeping name and role
    reza = make_user("reza@example.com", "Reza")
    link = messages[-1].body.split("http://localhost", 1)[1].split()[0]
    login(app.test_client(), "reza@example.com").post(link)
    assert boxes.membership_of(reza, box.id).id == added.id
    page = text(manager.get(url(box)))
    assert page.count("Has an account") == 3 and "Send invite" not in page


def test_invite_for_added_member_without_email(setup):
    box, _, _, clients = setup
    nameless = boxes.add_member(clients["manager"].user, box.id, "Grandpa")
    db.session.commit()
    manager = clients["manager"]
    page = text(manager.get(url(box)))
    assert 'id="invite-member"' in page and "Grandpa" in page  # named by typing, offered from members.names
    names = manager.get(url(box, "/names?invite-member=grand&field=invite-member&block=names"),
                        headers={"HX-Request": "true"})
    assert text(names) == '<option value="Grandpa"></option>'
    response = manager.post(url(box, "/invite"), data={"invite-email": "grandpa@example.com", "invite-role": "member",
                                                       "invite-member": "Manager"})
    assert "No member added without an account here is called “Manager”" in text(response)
    assert db.session.execute(select(Invitation)).first() is None
    response = manager.post(url(box, f"/{nameless.id}/invite"), follow_redirects=True)
    assert "Add an email for this member first" in text(response)
    manager.post(url(box, "/invite"), data={"invite-email": "grandpa@example.com", "invite-role": "manager",
                                            "invite-member": "grandpa"})
    invitation = db.session.execute(select(Invitation)).scalar_one()
    # the invitation keeps the added member's role; their row remembers the email
    assert invitation.membership_id == nameless.id and invitation.role == "member"
    assert db.session.get(Membership, nameless.id).email == "grandpa@example.com"


def test_roster_paginates_with_constant_queries(setup):
    box, _, _, clients = setup
    manager_user = clients["manager"].user

    def count_queries(path):
        db.session.expire_all()  # requests share the test's session: count as if nothing were cached
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert clients["manager"].get(path).status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    few, few_names = count_queries(url(box)), count_queries(url(box, "/names?q=person"))
    for i in range(PER_PAGE + 5):
        boxes.add_member(manager_user, box.id, f"Person {i:03}", f"p{i}@example.com" if i % 2 else None)
        if i % 3 == 0:
            boxes.invite(manager_user, box.id, f"x{i}@example.com")
    db.session.commit()
    many = count_queries(url(box))
    assert many == few == count_queries(url(box, "?q=person+01"))
    assert count_queries(url(box, "/names?q=person")) == few_names
    first = text(clients["manager"].get(url(box)))
    assert first.count('<tr id="member-') == PER_PAGE and 'aria-label="Member pages"' in first
    second = clients["manager"].get(url(box, "?page=2"), headers={"HX-Request": "true"})
    assert text(second).strip().startswith('<div id="roster">')
    assert text(second).count('<tr id="member-') == 3 + PER_PAGE + 5 - PER_PAGE
    found = text(clients["manager"].get(url(box, "?q=PERSON+01")))  # any case
    assert found.count('<tr id="member-') == 10 and "Person 010" in found and "Person 009" not in found
    assert found[found.index('id="invite-form"'):].split("</form>")[0].count("<option") == 2  # the roles
    assert clients["manager"].get(url(box, "?page=99")).status_code == 200
    assert clients["manager"].get(url(box, "?page=abc")).status_code == 200


def test_roster_filters_and_csv(setup):
    """Find and export (issue 8): the roster filters by status and joined date, and exports the same
    rows as CSV (UTF-8 with BOM; emails only for managers); an outsider gets 404."""
    import csv
    import io
    from datetime import datetime

    box, other, added, clients = setup
    persian = boxes.add_member(clients["manager"].user, box.id, "زهرا کریمی")
    gone = boxes.add_member(clients["manager"].user, box.id, "Left Person")
    gone.left_at = datetime(2026, 1, 1)
    added.created_at = datetime(2020, 5, 1)
    db.session.commit()

    def csv_rows(client, query):
        body = client.get(url(box, "?export=csv&" + query)).get_data(as_text=True)
        assert body.startswith("\ufeff")
        return list(csv.reader(io.StringIO(body[1:])))

    manager = clients["manager"]
    rows = csv_rows(manager, "")
    assert rows[0] == ["Name", "Role", "Joined", "Left", "Has an account", "Email"]
    assert [r[0] for r in rows[1:]] == ["Manager", "Member", "Uncle Reza", "زهرا کریمی"]
    assert [r[0] for r in csv_rows(manager, "status=left")[1:]] == ["Left Person"]
    assert [r[0] for r in csv_rows(manager, "status=without+an+account")[1:]] == ["Uncle Reza", "زهرا کریمی"]
    assert [r[0] for r in csv_rows(manager, "end=2021-01-01")[1:]] == ["Uncle Reza"]
    assert [r[0] for r in csv_rows(manager, "q=زهرا")[1:]] == ["زهرا کریمی"]
    assert "Email" not in csv_rows(clients["member"], "")[0] and persian.id
    page = text(manager.get(url(box, "?start=2026-02-30")))
    assert "no such day" in page and "4 members" in page  # a bad date is shown, the list not filtered by it
    assert clients["outsider"].get(url(box, "?export=csv")).status_code == 404


def test_an_invitation_has_a_link_to_copy_and_signing_up_from_it_fills_the_email(app, setup, clock):
    from datetime import timedelta

    from hamyan.core import clock as one_clock

    box, _, _, clients = setup
    clients["manager"].post(url(box, "/invite"), data={
        "invite-email": "neda@example.com", "invite-role": "member", "invite-member": ""})
    page = text(clients["manager"].get(url(box)))
    invitation = db.session.scalar(select(Invitation).filter_by(email="neda@example.com"))
    field = page.split(f'id="invite-link-{invitation.id}" value="', 1)[1].split('"', 1)[0]
    assert field.startswith("http://localhost/invite/") and "readonly" in page
    assert f'data-copy="invite-link-{invitation.id}" hidden' in page  # the script shows the button
    link = field.removeprefix("http://localhost")
    assert "neda@example.com" in text(app.test_client().get(link))
    signup = text(app.test_client().get(f"/signup?next={link}"))
    assert 'value="neda@example.com"' in signup
    assert 'type="email" value=""' in text(app.test_client().get("/signup?next=/invite/forged"))
    assert "Neda" not in text(clients["member"].get(url(box)))  # members see no links
    assert "invite-link-" not in text(clients["member"].get(url(box)))
    # a link made again later still ends with the invitation
    clock.set(one_clock.now() + timedelta(seconds=app.config["INVITATION_MAX_AGE"] + 60))
    with pytest.raises(Exception, match="expired"):
        boxes.invitation_from_token(boxes.invitation_token(invitation))
