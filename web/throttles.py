"""API request rates: DRF's throttles, with their rates read from settings at each
request (``API_THROTTLE_RATES``), so a deployment or a test can change them without a restart.

The counts live in the cache (Redis when ``REDIS_URL`` is set). A rate limit guards against abuse;
it must not take the service down with it: when the cache cannot be reached the request is let
through and the outage is logged (an error per request, so monitoring sees it), instead of every
API call and the public look-up answering 500 until Redis is back."""

import logging

from django.conf import settings
from rest_framework import throttling
from rest_framework.throttling import SimpleRateThrottle

from web.client_ip import client_ip

log = logging.getLogger(__name__)

try:  # the client Django's RedisCache uses; absent when no Redis is configured
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is in requirements.txt
    RedisError = OSError

CACHE_ERRORS = (RedisError, OSError)


class CacheOutageSafe:
    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            log.error("rate limit %s not applied, the cache is unreachable: %s",
                      getattr(self, "scope", type(self).__name__), exc)
            return True


class ByClientAddress:
    """Key anonymous callers on ``web.client_ip`` (``X-Forwarded-For`` only as far as
    ``TRUSTED_PROXY_COUNT`` trusts it), not on DRF's default: with ``NUM_PROXIES`` unset DRF
    keys on the whole header, which the caller writes, so a new made-up value each time is a
    new caller each time and the limit never bites."""

    def get_ident(self, request):
        return client_ip(request)


class _FromSettings(ByClientAddress, CacheOutageSafe):
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class AnonymousRateThrottle(_FromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FromSettings, throttling.UserRateThrottle):
    pass


class LookupThrottle(ByClientAddress, CacheOutageSafe, SimpleRateThrottle):
    """``settings.LOOKUP_RATE`` look-ups per client address; the page and the API share the count.
    If the cache is unreachable the look-up still answers (the outage is logged)."""

    scope = "lookup"

    def get_rate(self):
        return settings.LOOKUP_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyThrottle(LookupThrottle):
    """``settings.VERIFY_RATE`` verifications per client address (page and API together), counted
    apart from the look-up's."""

    scope = "verify"

    def get_rate(self):
        return settings.VERIFY_RATE
