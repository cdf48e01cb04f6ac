"""The help centre's demo articles, FAQ and announcements (helpcentre/demo.py), through the
services. Safe to run twice: what exists already is left alone."""

from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone

from helpcentre import demo, services
from helpcentre.models import Announcement, Article, State


def load_articles() -> int:
    made = 0
    for slug, kind, category, (title_en, body_en), (title_zh, body_zh) in demo.ARTICLES:
        if Article.objects.filter(slug=slug).exists():
            continue
        services.article_save(
            data={
                "slug": slug,
                "kind": kind,
                "category": category,
                "state": State.PUBLISHED,
                "title_en": title_en,
                "body_en": body_en,
                "title_zh_hans": title_zh,
                "body_zh_hans": body_zh,
            }
        )
        made += 1
    return made


def load_announcements() -> int:
    made, now = 0, timezone.now()
    for title_en, body_en, title_zh, body_zh, pinned, days in demo.ANNOUNCEMENTS:
        if Announcement.objects.filter(title_en=title_en).exists():
            continue
        services.announcement_save(
            data={
                "title_en": title_en,
                "body_en": body_en,
                "title_zh_hans": title_zh,
                "body_zh_hans": body_zh,
                "pinned": pinned,
                "published_at": now,
                "expires_at": now + timedelta(days=days) if days else None,
            }
        )
        made += 1
    return made


class Command(BaseCommand):
    help = "Load the help centre's demo articles, FAQ and announcements."

    def handle(self, *args, **options):
        articles, announcements = load_articles(), load_announcements()
        self.stdout.write(
            f"Help centre: {articles} articles and {announcements} announcements added."
        )
