"""Public answers of the help centre, cached: the same data for everyone who may not see
more (drafts, tickets), kept in the cache for CACHE_SECONDS under the help centre's
version (helpcentre.services.content_changed bumps it on every write, so a change shows at
once), sent with an ETag (a hash of the body; If-None-Match -> 304) and
`Cache-Control: public, max-age=CACHE_SECONDS`. Announcements that expire meanwhile stay
up to CACHE_SECONDS longer."""

import hashlib
import json
import logging
from functools import wraps

from django.core.cache import cache
from django.utils import translation
from rest_framework import status
from rest_framework.response import Response

from ..services import VERSION_KEY

CACHE_SECONDS = 60
logger = logging.getLogger(__name__)


def _etag(data) -> str:
    body = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return f'"{hashlib.sha256(body.encode()).hexdigest()[:32]}"'


def _get(key):
    try:
        return cache.get(key)
    except Exception as exc:  # noqa: BLE001 - the cache is an optimisation only
        logger.warning("Help centre cache unavailable: %s", exc)
        return None


def _set(key, value) -> None:
    try:
        cache.set(key, value, CACHE_SECONDS)
    except Exception as exc:  # noqa: BLE001
        logger.warning("Help centre cache unavailable: %s", exc)


def public_cache(is_public):
    """Decorate a view method: when `is_public(request)`, answer from the cache (or fill
    it), with ETag and Cache-Control; otherwise answer privately, never cached."""

    def decorate(method):
        @wraps(method)
        def view(self, request, *args, **kwargs):
            if not is_public(request):
                response = method(self, request, *args, **kwargs)
                response["Cache-Control"] = "private, no-store"
                return response
            version = _get(VERSION_KEY) or 0
            language = translation.get_language()
            path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
            key = f"helpcentre:answer:{version}:{language}:{path}"
            hit = _get(key)
            if hit is None:
                response = method(self, request, *args, **kwargs)
                if response.status_code != status.HTTP_200_OK:
                    return response
                hit = (response.data, _etag(response.data))
                _set(key, hit)
            data, etag = hit
            headers = {
                "ETag": etag,
                "Cache-Control": f"public, max-age={CACHE_SECONDS}",
                "Vary": "Authorization, Cookie",
            }
            if etag in request.headers.get("If-None-Match", ""):
                return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
            return Response(data, headers=headers)

        return view

    return decorate
