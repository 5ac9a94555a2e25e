"""API request rates: DRF's throttles, with their rates read from settings at each
request (``API_THROTTLE_RATES``), so a deployment or a test can change them without a restart.

The counts live in the cache (Redis when ``REDIS_URL`` is set, each command bounded by
``REDIS_SOCKET_TIMEOUT``). When the cache cannot be reached (docs/security.md#when-redis-is-down):

- the signed-in callers' and the calendar's limits **fail open**: the request is let through and
  the outage logged (an error per request, so monitoring sees it). Those callers hold a 160-bit
  token or a session, and the calendar is public data; refusing them would turn a cache outage
  into an API outage;
- the public look-up's limit **fails closed** (``fail_open = False``): it is the only guard against
  walking acceptance numbers for a credit code (which is public), so without its count the look-up
  answers 503 "unavailable for a moment" until Redis is back."""

import logging

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import status, throttling
from rest_framework.exceptions import APIException
from rest_framework.throttling import SimpleRateThrottle

from web.client_ip import client_ip

log = logging.getLogger(__name__)

try:  # the client Django's RedisCache uses; absent when no Redis is configured
    from redis.exceptions import RedisError
except ImportError:  # pragma: no cover - redis is in requirements.txt
    RedisError = OSError

CACHE_ERRORS = (RedisError, OSError)


class LimitUnavailable(APIException):
    """A limit that fails closed could not read its count."""

    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_code = "unavailable"
    default_detail = _("The look-up is unavailable for a moment: the limit per address cannot be checked. "
                       "Try again in a few minutes.")


class CacheOutageSafe:
    fail_open = True

    def allow_request(self, request, view):
        try:
            return super().allow_request(request, view)
        except CACHE_ERRORS as exc:
            scope = getattr(self, "scope", type(self).__name__)
            if not self.fail_open:
                log.error("rate limit %s could not be checked, the cache is unreachable: %s; refused", scope, exc)
                raise LimitUnavailable() from None
            log.error("rate limit %s not applied, the cache is unreachable: %s", scope, exc)
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
    If the cache is unreachable the look-up is refused with 503 (``fail_open = False``, above)."""

    scope = "lookup"
    fail_open = False

    def get_rate(self):
        return settings.LOOKUP_RATE

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class VerifyThrottle(LookupThrottle):
    """``settings.VERIFY_RATE`` verifications per client address (page and API together), counted
    apart from the look-up's; closed like it when the cache is down (a public endpoint whose only
    guard against brute-forcing verification codes is this limit)."""

    scope = "verify"

    def get_rate(self):
        return settings.VERIFY_RATE
