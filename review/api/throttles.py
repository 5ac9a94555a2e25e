"""API request rates (issue 10): DRF's throttles, with their rates read from settings at each
request (``API_THROTTLE_RATES``), so a deployment or a test can change them without a restart."""

from django.conf import settings
from rest_framework import throttling


class _FromSettings:
    def get_rate(self):
        return settings.API_THROTTLE_RATES.get(self.scope)


class AnonymousRateThrottle(_FromSettings, throttling.AnonRateThrottle):
    pass


class UserRateThrottle(_FromSettings, throttling.UserRateThrottle):
    pass
