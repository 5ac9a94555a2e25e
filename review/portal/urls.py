from django.contrib.auth.decorators import login_required
from django.urls import path

from kpi.views import officer_dashboard
from notices import views as notice_views

from . import lookup, views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("guide/", views.guide, name="guide"),
    path("lookup/", lookup.lookup, name="lookup"),  # Public, no login
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/submit/", views.application_submit, name="application-submit"),
    path("applications/<int:pk>/edit/", views.intent_edit, name="intent-edit"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="application-withdraw"),
    path("applications/<int:pk>/requests/<int:stop_id>/", views.supplement, name="supplement"),
    path("documents/<int:pk>/", views.document_download, name="document"),
    # docs/notices.md#official-notices-文书
    path("notices/<int:pk>/", login_required(notice_views.portal_download), name="notice"),
    path("intents/new/", views.intent_create, name="intent-create"),
    path("api-token/", views.api_token, name="api-token"),
    path("dashboard/", officer_dashboard, name="dashboard"),  # Industry officers' figures
]
