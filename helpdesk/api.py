"""Pieces every API view shares."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation


class UserLanguageMixin:
    """Views answer in the language the caller chose (their preferences), once DRF knows
    who the caller is; without one, in the language LocaleMiddleware negotiated."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            language = request.user.preferences.language
        except (AttributeError, ObjectDoesNotExist):  # anonymous, or no preferences yet
            return
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
