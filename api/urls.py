from django.urls import path

from . import applications, calendar, guide, intents, lookup, notices, product_data, supplements, verify

urlpatterns = [
    path("calendar/add-working-days", calendar.CalendarAddWorkingDaysApi.as_view(),
         name="calendar-add-working-days"),
    path("calendar/working-days", calendar.CalendarWorkingDaysApi.as_view(),
         name="calendar-working-days"),
    path("service-guide/", guide.ServiceGuideApi.as_view(), name="service-guide"),
    # Applications, their stages, timeline, supplements, intents and transitions.
    path("applications/", applications.ApplicationListApi.as_view(), name="api-application-list"),
    path("applications/<int:id>/", applications.ApplicationDetailApi.as_view(), name="api-application-detail"),
    path("applications/<int:id>/stages/", applications.ApplicationStageListApi.as_view(),
         name="api-application-stages"),
    path("applications/<int:id>/log/", applications.ApplicationLogApi.as_view(), name="api-application-log"),
    path("applications/<int:id>/supplements/", supplements.SupplementListApi.as_view(),
         name="api-application-supplements"),
    path("applications/<int:id>/supplements/<int:stop_id>/answer/", supplements.SupplementAnswerApi.as_view(),
         name="api-supplement-answer"),
    path("applications/<int:id>/actions/", applications.ApplicationActionListApi.as_view(),
         name="api-application-actions"),
    path("applications/<int:id>/actions/<str:action>/", applications.ApplicationActionRunApi.as_view(),
         name="api-application-action-run"),
    path("applications/<int:id>/product-data/", product_data.ApplicationProductDataApi.as_view(),
         name="api-application-product-data"),
    path("intents/", intents.IntentCreateApi.as_view(), name="api-intent-create"),
    # Public progress look-up (no login) and official notices.
    path("lookup/", lookup.LookupApi.as_view(), name="api-lookup"),
    path("applications/<int:id>/notices/", notices.ApplicationNoticeListApi.as_view(),
         name="api-application-notices"),
    path("notices/verify/", verify.NoticeVerifyApi.as_view(), name="api-notice-verify"),  # public
    path("notices/<int:id>/", notices.NoticeDownloadApi.as_view(), name="api-notice-download"),
    path("documents/<int:id>/", supplements.DocumentDownloadApi.as_view(), name="api-document-download"),
]
