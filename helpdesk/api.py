"""Pieces every API view shares: the caller's language, and strict query strings.

Every API view derives from `ApiViewMixin` (docs/api.md, "How an endpoint is described").
Comments rather than docstrings on the classes: drf-spectacular would quote a view's
docstring, inherited ones included, as the operation's description in the public schema.
"""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError
from rest_framework.settings import api_settings

# DRF's renderer switch (`?format=json`, the browsable API's links): read by DRF itself.
FORMAT_PARAMETER = api_settings.URL_FORMAT_OVERRIDE


class UserLanguageMixin:
    # Views answer in the language the caller chose (their preferences), once DRF knows who
    # the caller is; without one, in the language LocaleMiddleware negotiated.

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        try:
            language = request.user.preferences.language
        except (AttributeError, ObjectDoesNotExist):  # anonymous, or no preferences yet
            return
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class StrictQueryMixin:
    # A query string may carry only the parameters the operation reads, each once unless it
    # is a list: anything else is a 400 `validation_error` naming it, never silently
    # ignored (a misspelt filter would otherwise answer with the whole list).
    #
    # What an operation reads: on a GET of one of `list_actions`, its filters (the
    # FilterSet's filters, the ordering parameter) and its page parameters; and the names
    # in `query_parameters[action]` (or [method] for a plain APIView), read by the view
    # itself. A filter that takes a list (MultipleChoiceFilter) may be repeated.
    list_actions: tuple[str, ...] = ("list",)
    query_parameters: dict[str, tuple[str, ...]] = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.check_query_parameters(request)

    def allowed_query_parameters(self) -> dict[str, bool]:
        """{name: may be repeated} for this request."""
        action = getattr(self, "action", None) or self.request.method.lower()
        allowed = dict.fromkeys(self.query_parameters.get(action, ()), False)
        if self.request.method != "GET" or action not in self.list_actions:
            return allowed
        for backend in getattr(self, "filter_backends", ()):
            if isinstance(backend(), DjangoFilterBackend):
                filterset_class = getattr(self, "filterset_class", None)
                for name, filter_ in getattr(filterset_class, "base_filters", {}).items():
                    allowed[name] = getattr(filter_, "repeatable", False)
            else:
                for parameter in backend().get_schema_operation_parameters(self):
                    allowed[parameter["name"]] = False
        paginator = getattr(self, "paginator", None)
        if paginator is not None:
            for parameter in paginator.get_schema_operation_parameters(self):
                allowed[parameter["name"]] = False
        return allowed

    def check_query_parameters(self, request) -> None:
        allowed = self.allowed_query_parameters()
        errors = {}
        for name, values in request.query_params.lists():
            if name == FORMAT_PARAMETER:
                continue
            if name not in allowed:
                errors[name] = [_("Unknown query parameter.")]
            elif len(values) > 1 and not allowed[name]:
                errors[name] = [_("Give this parameter once.")]
        if errors:
            raise ValidationError(errors)


class ApiViewMixin(StrictQueryMixin, UserLanguageMixin):
    pass
