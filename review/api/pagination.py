"""Page-number pagination for the API's lists: ``?page=2&page_size=50`` (at most 100)."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_number(self, request, paginator):
        """A page that is not a number is a mistake in the request (400 naming ``page``); a number
        past the last page stays DRF's 404."""
        number = super().get_page_number(request, paginator)
        if number in self.last_page_strings or (str(number).isdigit() and int(number) >= 1):
            return number
        raise ValidationError({self.page_query_param: [
            _("Give a page number: a whole number from 1 (or “last”); “%(value)s” is not one.") % {"value": number}]})

    def get_page_size(self, request):
        """A page size that is not a whole number from 1 is a 400 naming ``page_size`` (DRF would
        fall back to 20 in silence); above 100 it is cut to 100, as documented."""
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and raw != "" and not (raw.isdigit() and int(raw) >= 1):
            raise ValidationError({self.page_size_query_param: [
                _("Give a page size: a whole number from 1 to %(max)s; “%(value)s” is not one.")
                % {"max": self.max_page_size, "value": raw}]})
        return super().get_page_size(request)
