"""The help centre's API (SPEC §12): public reads without auth, cached with ETag and
Cache-Control; supervisors write; Markdown rendered to sanitised HTML; suggestions for
anyone, similar resolved tickets for agents; drafts from solved tickets without the
requester's personal data."""

from datetime import timedelta

import pytest
from django.utils import timezone

from helpcentre import services
from helpcentre.models import Announcement, Article, State
from tests.factories import TicketFactory, UserFactory, ticket_in
from tests.tickets.api.support import assert_error
from tickets import services as ticket_services
from tickets.models import Status

pytestmark = pytest.mark.django_db

ARTICLES = "/api/v1/help/articles/"
ANNOUNCEMENTS = "/api/v1/help/announcements/"
SUGGEST = "/api/v1/help/suggest/"


def article(slug="withdrawal-delays", state=State.PUBLISHED, **fields):
    data = {
        "slug": slug,
        "category": "deposits",
        "state": state,
        "title_en": "Why is my withdrawal delayed?",
        "body_en": "Withdrawals wait for **network confirmations**.",
        "title_zh_hans": "提现为什么延迟？",
        "body_zh_hans": "提现需要等待区块确认。",
        **fields,
    }
    return services.article_save(data=data)


class TestPublicReads:
    def test_anyone_reads_published_articles_and_never_drafts(self, client_for):
        article()
        article("secret-draft", state=State.DRAFT, title_en="Draft")
        client = client_for()

        listed = client.get(ARTICLES)
        one = client.get(f"{ARTICLES}withdrawal-delays/")

        assert [a["slug"] for a in listed.json()["results"]] == ["withdrawal-delays"]
        assert one.json()["title"] == {
            "en": "Why is my withdrawal delayed?",
            "zh-hans": "提现为什么延迟？",
        }
        assert one.json()["body_html"]["en"] == (
            "<p>Withdrawals wait for <strong>network confirmations</strong>.</p>\n"
        )
        assert_error(client.get(f"{ARTICLES}secret-draft/"), 404, "not_found")
        # what cannot be a slug is no article either, in the API's error shape
        assert_error(client.get(f"{ARTICLES}no%20such%3F/"), 404, "not_found")

    def test_search_in_english_and_chinese(self, client_for):
        article()
        article(
            "kyc",
            title_en="Identity verification",
            body_en="Upload your passport.",
            title_zh_hans="身份认证",
            body_zh_hans="上传护照。",
        )
        client = client_for()

        english = client.get(ARTICLES, {"q": "withdrawal delayed"}).json()["results"]
        chinese = client.get(ARTICLES, {"q": "提现延迟了怎么办"}).json()["results"]

        assert english[0]["slug"] == "withdrawal-delays"
        assert chinese[0]["slug"] == "withdrawal-delays"

    def test_markdown_is_sanitised(self, client_for):
        article(body_en="<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=1>")

        html = client_for().get(f"{ARTICLES}withdrawal-delays/").json()["body_html"]["en"]

        assert "<script" not in html and "<img" not in html and 'href="javascript' not in html
        assert "&lt;script&gt;" in html  # shown as text

    def test_cached_with_etag_and_cache_control(
        self, client_for, django_capture_on_commit_callbacks
    ):
        article()
        client = client_for()

        first = client.get(ARTICLES)
        again = client.get(ARTICLES, HTTP_IF_NONE_MATCH=first["ETag"])

        assert first["Cache-Control"] == "public, max-age=60"
        assert again.status_code == 304
        with django_capture_on_commit_callbacks(execute=True):
            services.article_save(article=Article.objects.get(), data={"title_en": "Changed"})
        changed = client.get(ARTICLES, HTTP_IF_NONE_MATCH=first["ETag"])
        assert changed.status_code == 200
        assert changed.json()["results"][0]["title"]["en"] == "Changed"

    def test_announcements_current_and_pinned_first(self, client_for):
        now = timezone.now()
        services.announcement_save(
            data={
                "title_en": "Old",
                "published_at": now - timedelta(days=9),
                "expires_at": now - timedelta(days=1),
            }
        )
        services.announcement_save(
            data={"title_en": "Listing", "published_at": now - timedelta(hours=1)}
        )
        services.announcement_save(
            data={
                "title_en": "Never share your seed phrase",
                "published_at": now - timedelta(days=3),
                "pinned": True,
            }
        )
        services.announcement_save(
            data={"title_en": "Later", "published_at": now + timedelta(days=1)}
        )

        body = client_for().get(ANNOUNCEMENTS).json()

        assert [a["title"]["en"] for a in body] == ["Never share your seed phrase", "Listing"]

    def test_bad_filters_are_a_clear_error(self, client_for):
        response = client_for().get(ARTICLES, {"kind": "video", "page_size": 1000})

        body = assert_error(response, 400, "validation_error")
        assert set(body["errors"]) == {"kind", "page_size"}


class TestWrites:
    def test_a_supervisor_writes_articles_and_announcements(self, client_for, supervisor):
        client = client_for(supervisor)

        made = client.post(
            ARTICLES,
            {
                "slug": "fees",
                "category": "deposits",
                "state": "published",
                "title": {"en": "Fees", "zh-hans": "手续费"},
                "body": {"en": "Free deposits."},
            },
            format="json",
        )
        changed = client.patch(f"{ARTICLES}fees/", {"title": {"en": "Our fees"}}, format="json")
        announced = client.post(
            ANNOUNCEMENTS, {"title": {"en": "Maintenance"}, "pinned": True}, format="json"
        )

        assert made.status_code == 201, made.content
        assert changed.json()["title"] == {"en": "Our fees", "zh-hans": "手续费"}
        assert announced.status_code == 201, announced.content
        assert client_for().get(ANNOUNCEMENTS).json()[0]["title"]["en"] == "Maintenance"

    def test_agents_requesters_and_strangers_may_not(self, client_for, agent, requester):
        for user in (agent, requester):
            response = client_for(user).post(ARTICLES, {"slug": "x"}, format="json")
            assert_error(response, 403, "permission_denied")
        assert_error(
            client_for().post(ARTICLES, {"slug": "x"}, format="json"), 401, "not_authenticated"
        )
        assert not Article.objects.exists() and not Announcement.objects.exists()

    def test_an_article_needs_a_title(self, client_for, supervisor):
        response = client_for(supervisor).post(
            ARTICLES, {"slug": "x", "category": "other", "body": {"en": "text"}}, format="json"
        )

        assert_error(response, 400, "validation_error")
        assert not Article.objects.exists()


class TestSuggestions:
    def test_articles_for_anyone_and_resolved_tickets_for_agents(self, client_for, agent):
        article()
        solved = ticket_in(Status.RESOLVED, agent=agent, subject="Withdrawal delayed 5 hours")
        ticket_in(Status.OPEN, agent=agent, subject="Withdrawal delayed again")
        services.index_resolved_tickets()

        anyone = client_for().get(SUGGEST, {"q": "my withdrawal is delayed"}).json()
        desk = client_for(agent).get(SUGGEST, {"q": "my withdrawal is delayed"})

        assert [a["slug"] for a in anyone["articles"]] == ["withdrawal-delays"]
        assert "tickets" not in anyone
        assert [t["id"] for t in desk.json()["tickets"]] == [solved.pk]
        assert desk["Cache-Control"] == "private, no-store"

    def test_a_reopened_ticket_is_no_longer_suggested(self, client_for, agent):
        solved = ticket_in(Status.RESOLVED, agent=agent, subject="KYC selfie rejected")
        services.index_resolved_tickets()
        ticket_services.ticket_transition(ticket=solved, to=Status.OPEN, actor=agent)

        desk = client_for(agent).get(SUGGEST, {"q": "selfie rejected"}).json()

        assert desk["tickets"] == []

    def test_similar_tickets_come_from_the_newest_resolutions(self, client_for, agent, monkeypatch):
        old = ticket_in(Status.RESOLVED, agent=agent, subject="Futures liquidated at night")
        ticket_in(Status.RESOLVED, agent=agent, subject="Card payment refused")
        services.index_resolved_tickets()
        monkeypatch.setattr("helpcentre.search.TICKET_WINDOW", 1)

        desk = client_for(agent).get(SUGGEST, {"q": "futures liquidated"}).json()

        assert desk["tickets"] == []  # only the newest resolution was looked at
        monkeypatch.setattr("helpcentre.search.TICKET_WINDOW", 2)
        desk = client_for(agent).get(SUGGEST, {"q": "futures liquidated"}).json()
        assert [t["id"] for t in desk["tickets"]] == [old.pk]

    def test_q_is_required(self, client_for):
        assert_error(client_for().get(SUGGEST), 400, "validation_error")


def test_a_draft_from_a_solved_ticket_leaves_the_requester_out(agent):
    requester = UserFactory(username="whale88", email="whale88@mail.example", first_name="Zhang")
    ticket = TicketFactory(
        requester=requester,
        subject="Withdrawal to 0x5c504ed432cb51138bcf09aa5e8a410dd4a1e204 missing",
        transaction_ids=["9f2c6a1e0b7d4c3a8e5f1d2b3c4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d"],
        contact_phone="+86 138 0013 8000",
    )
    ticket_services.message_add(
        ticket=ticket,
        author=agent,
        body="Hi Zhang (UID 12345678, whale88@mail.example), your transfer "
        "9f2c6a1e0b7d4c3a8e5f1d2b3c4a5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d waited for "
        "network confirmations. We called +86 138 0013 8000.",
    )
    ticket_services.message_add(ticket=ticket, author=agent, body="whale88 is VIP", internal=True)
    ticket_services.ticket_transition(ticket=ticket, to=Status.RESOLVED, actor=agent)

    draft = services.article_draft_from_ticket(ticket=ticket)

    text = draft.title_en + draft.body_en
    assert draft.state == State.DRAFT
    assert "network confirmations" in draft.body_en
    for secret in ("Zhang", "12345678", "whale88", "9f2c6a1e", "0x5c504ed4", "138 0013", "VIP"):
        assert secret not in text, secret
