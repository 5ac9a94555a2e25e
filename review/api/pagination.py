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
