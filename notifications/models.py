"""Who hears about what, and how. Per-user preferences live here."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Language(models.TextChoices):
    EN = "en", _("English")
    ZH_HANS = "zh-hans", _("Simplified Chinese")


class Preferences(models.Model):
    """A user's language, anti-phishing code and notification channels."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    language = models.CharField(max_length=8, choices=Language.choices, default=Language.EN)
    # Shown in every email we send, so the user can tell ours from a phishing copy.
    anti_phishing_code = models.CharField(max_length=32, blank=True)
    email_enabled = models.BooleanField(default=True)
    in_site_enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "preferences"

    def __str__(self) -> str:
        return f"preferences of user {self.user_id}"
