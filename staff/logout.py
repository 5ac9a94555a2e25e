"""The admin's sign-out address opened with GET (Django 5 signs out on POST only): the admin's
home instead of a bare 405, signing nobody out (web/post_only.py)."""

from django.contrib import admin
from django.urls import reverse

from web.auth import still_signed_in
from web.post_only import post_only


@post_only(lambda request: reverse("admin:index"), still_signed_in)
def admin_logout(request):
    return admin.site.logout(request)
