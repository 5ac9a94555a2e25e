"""Page-number pagination for the API's lists: ``?page=2&page_size=50`` (at most 100)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination

from review.exceptions import NotFound as PageNotFound


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100

    def paginate_queryset(self, queryset, request, view=None):
        """A number past the last page is a 404 (the page does not exist) that names ``page`` and
        says how many pages there are, in the caller's language; DRF's own says "无效页面。"."""
        try:
            return super().paginate_queryset(queryset, request, view)
        except NotFound:
            pages = self._paginator.num_pages
            raise PageNotFound(ngettext(
                "page: there is no page %(page)s; the list has %(pages)d page of %(size)d. Ask for a "
                "page from 1 to %(pages)d (or “last”).",
                "page: there is no page %(page)s; the list has %(pages)d pages of %(size)d. Ask for a "
                "page from 1 to %(pages)d (or “last”).", pages)
                % {"page": request.query_params.get(self.page_query_param), "pages": pages,
                   "size": self._paginator.per_page},
                {"field": self.page_query_param, "pages": pages}) from None

    def get_page_number(self, request, paginator):
        """A page that is not a number is a mistake in the request (400 naming ``page``); a number
        past the last page is a 404 (``paginate_queryset``)."""
        self._paginator = paginator
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
