"""GET/PATCH /api/v1/me/: who the caller is, and the preferences they choose (SPEC §4)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from notifications.models import Preferences
from tests.factories import TicketFactory

from .support import ME_URL, TICKETS_URL, assert_error, ticket_url


def test_a_requester_sees_their_role_and_default_preferences(requester, client_for):
    response = client_for(requester).get(ME_URL)

    assert response.status_code == 200
    assert response.json() == {
        "id": requester.pk,
        "username": requester.username,
        "email": requester.email,
        "role": "requester",
        "language": "en",
        "anti_phishing_code": "",
        "notifications": {"email": True, "in_site": True},
    }


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_staff_see_their_desk_role(role, agent, supervisor, client_for):
    user = {"agent": agent, "supervisor": supervisor}[role]

    assert client_for(user).get(ME_URL).json()["role"] == role


def test_the_caller_switches_to_simplified_chinese(requester, client_for):
    client = client_for(requester)

    response = client.patch(ME_URL, {"language": "zh-hans"}, format="json")

    assert response.status_code == 200
    assert response.json()["language"] == "zh-hans"
    assert client.get(ME_URL).json()["language"] == "zh-hans"
    assert Preferences.objects.get(user=requester).language == "zh-hans"


def test_the_caller_sets_and_clears_an_anti_phishing_code(requester, client_for):
    client = client_for(requester)

    set_code = client.patch(ME_URL, {"anti_phishing_code": "Blue-Otter_42"}, format="json")
    shown = client.get(ME_URL).json()["anti_phishing_code"]
    cleared = client.patch(ME_URL, {"anti_phishing_code": ""}, format="json")

    assert set_code.status_code == 200 and shown == "Blue-Otter_42"
    assert cleared.status_code == 200 and cleared.json()["anti_phishing_code"] == ""


def test_the_caller_chooses_notification_channels_one_at_a_time(requester, client_for):
    client = client_for(requester)

    response = client.patch(ME_URL, {"notifications": {"email": False}}, format="json")

    assert response.status_code == 200
    assert response.json()["notifications"] == {"email": False, "in_site": True}
    preferences = Preferences.objects.get(user=requester)
    assert (preferences.email_enabled, preferences.in_site_enabled) == (False, True)

    client.patch(ME_URL, {"notifications": {"in_site": False, "email": True}}, format="json")
    assert client.get(ME_URL).json()["notifications"] == {"email": True, "in_site": False}


@pytest.mark.parametrize("language", ["fr", "zh", "zh-hant", ""])
def test_a_language_we_do_not_offer_is_refused(language, requester, client_for):
    response = client_for(requester).patch(ME_URL, {"language": language}, format="json")

    assert list(assert_error(response, 400, "validation_error")["errors"]) == ["language"]
    assert client_for(requester).get(ME_URL).json()["language"] == "en"


@pytest.mark.parametrize(
    "code", ["abc", "x" * 21, "two words", "<b>hi</b>", "代码代码", "bad\ncode"]
)
def test_an_anti_phishing_code_outside_the_rules_is_refused(code, requester, client_for):
    client = client_for(requester)
    client.patch(ME_URL, {"anti_phishing_code": "Kept-1234"}, format="json")

    response = client.patch(ME_URL, {"anti_phishing_code": code}, format="json")

    assert list(assert_error(response, 400, "validation_error")["errors"]) == ["anti_phishing_code"]
    assert client.get(ME_URL).json()["anti_phishing_code"] == "Kept-1234"


def test_who_the_caller_is_cannot_be_patched(requester, client_for):
    client = client_for(requester)
    before = client.get(ME_URL).json()

    response = client.patch(
        ME_URL,
        {"role": "supervisor", "username": "root", "email": "root@example.com", "id": 1},
        format="json",
    )

    body = assert_error(response, 400, "validation_error")
    assert sorted(body["errors"]) == ["email", "id", "role", "username"]
    assert client.get(ME_URL).json() == before
    requester.refresh_from_db()
    assert (requester.username, requester.is_staff) == (before["username"], False)


# --- errors in the caller's language --------------------------------------------------------


def test_after_choosing_chinese_error_details_come_in_chinese(
    requester, other_requester, client_for
):
    client = client_for(requester)
    client.patch(ME_URL, {"language": "zh-hans"}, format="json")
    someone_elses = TicketFactory(requester=other_requester)

    missing = client.get(ticket_url(987_654_321))
    hidden = client.get(ticket_url(someone_elses))
    invalid = client.post(TICKETS_URL, {"subject": ""}, format="json")

    # DRF ships "Not found." translated; the codes stay the same in every language.
    assert assert_error(missing, 404, "not_found")["detail"] == "未找到。"
    assert assert_error(hidden, 404, "not_found")["detail"] == "未找到。"
    with translation.override("zh-hans"):
        invalid_input = gettext("Invalid input.")
    assert invalid_input != "Invalid input."
    assert assert_error(invalid, 400, "validation_error")["detail"] == invalid_input


def test_an_english_caller_is_answered_in_english_right_after_a_chinese_one(
    requester, other_requester, client_for
):
    client_for(requester).patch(ME_URL, {"language": "zh-hans"}, format="json")
    client_for(requester).get(ticket_url(987_654_321))

    response = client_for(other_requester).get(ticket_url(987_654_321))

    assert assert_error(response, 404, "not_found")["detail"] == "Not found."
