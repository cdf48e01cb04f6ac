"""Refuse oversized request bodies with 413 in the API's error shape, before anything
reads them (Django alone would answer 400, or read a huge JSON body into memory)."""

from django.conf import settings
from django.http import JsonResponse
from django.utils.translation import gettext as _


class RequestSizeLimitMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        multipart = request.content_type == "multipart/form-data"
        limit = settings.MAX_REQUEST_BYTES if multipart else settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if length > limit:
            body = {
                "code": "file_too_large" if multipart else "request_too_large",
                "detail": _("The request is larger than %(limit)d bytes.") % {"limit": limit},
            }
            return JsonResponse(body, status=413)
        return self.get_response(request)
