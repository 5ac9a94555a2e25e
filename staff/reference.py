"""Admin for reference data: calendar, policy packs, routes, enterprises, departments, users."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from review.models import (
    CalendarDay,
    CalendarYear,
    Certificate,
    Department,
    Enterprise,
    Office,
    PolicyPack,
    PolicyRule,
    Route,
    RouteStep,
    User,
)
from review.models.enums import StageKind
from review.models.policy import unknown_stage_kinds_error
from services import calendar_data

from .history import HistoryInReadersLanguage
from .readonly import OfficeScoped, ReadOnlyAdmin


class ReprojectingAdmin(HistoryInReadersLanguage, admin.ModelAdmin):
    """Calendar edits go through services.calendar_data, which re-projects open deadlines."""

    save_service = delete_service = None  # (obj, actor) -> number of deadlines moved

    def _report(self, request, moved: int) -> None:
        messages.info(request, _("%(n)d open deadlines were re-projected.") % {"n": moved})

    def save_model(self, request, obj, form, change):
        self._report(request, type(self).save_service(obj, request.user))

    def delete_model(self, request, obj):
        self._report(request, type(self).delete_service(obj, request.user))

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class CalendarYearForm(forms.ModelForm):
    class Meta:
        model = CalendarYear
        fields = ("year", "source")
        help_texts = {
            "year": _("A year whose official holiday schedule, published by the General Office of the State "
                      "Council, is loaded in full: that is what “official” means. A year without a row is "
                      "provisional: only Saturdays and Sundays are days off, and every deadline falling in it "
                      "is marked provisional until the schedule is loaded."),
            "source": _("Where the schedule comes from: the title of the State Council General Office's notice "
                        "on the year's holidays and its web address, so that anyone can check it."),
        }


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ("date", "kind", "name")
        help_texts = {
            "date": _("Only the days that break the weekday rule are listed: Monday to Friday are working "
                      "days and Saturday and Sunday are days off unless a row here says otherwise."),
            "kind": _("Holiday: a day off in the official schedule (its weekend days may be listed too). "
                      "Adjusted working day: a Saturday or Sunday worked in exchange for a day off; only a "
                      "weekend day can be one."),
            "name": _("The holiday the day belongs to, as the official notice names it (e.g. Spring "
                      "Festival, National Day)."),
        }


@admin.register(CalendarYear)
class CalendarYearAdmin(ReprojectingAdmin):
    form = CalendarYearForm
    list_display = ("year", "source", "loaded_at")
    search_fields = ("year",)
    save_service = staticmethod(lambda obj, actor: calendar_data.calendar_year_save(year=obj, actor=actor))
    delete_service = staticmethod(lambda obj, actor: calendar_data.calendar_year_delete(year=obj, actor=actor))

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("review.change_calendaryear")


@admin.register(CalendarDay)
class CalendarDayAdmin(ReprojectingAdmin):
    form = CalendarDayForm
    list_display = ("date", "kind", "name")
    list_filter = ("kind", ("date", admin.DateFieldListFilter))
    search_fields = ("name", "date")
    date_hierarchy = "date"
    save_service = staticmethod(lambda obj, actor: calendar_data.calendar_day_save(day=obj, actor=actor))
    delete_service = staticmethod(lambda obj, actor: calendar_data.calendar_day_delete(day=obj, actor=actor))


class PolicyRuleInline(admin.StackedInline):
    """A rule per block: what it applies to on one line, its days on the next, then its source.
    Thirteen columns of a table made the page 2,040 px wide (the admin must fit 1366 px)."""

    model = PolicyRule
    extra = 0
    fields = (("stage_kind", "device_class", "category", "pathway", "application_type", "complex_product"),
              ("statutory_days", "target_days", "after_supplement_days", "warning_days", "anchor",
               "statutory_reference"),
              "source")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "source":  # a citation is read whole, not scrolled in a one-line box
            kwargs["widget"] = forms.Textarea(attrs={"rows": 3, "cols": 100})
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class StageKindsField(forms.MultipleChoiceField):
    """Checkboxes of the stage kinds' labels; anything else is refused naming the allowed kinds."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=StageKind.choices, **kwargs)

    def validate(self, value):
        unknown = [v for v in value if v not in StageKind.values]
        if unknown:
            raise unknown_stage_kinds_error(unknown)
        super().validate(value)


class PolicyPackForm(forms.ModelForm):
    # The label is also what the change history stores (in English, translated when shown).
    extendable_kinds = StageKindsField(
        label=_("Stage kinds that may be extended"), required=False,
        help_text=PolicyPack._meta.get_field("extendable_kinds").help_text)

    class Meta:
        model = PolicyPack
        fields = ("code", "name", "jurisdiction", "parent", "version", "effective_from", "effective_until",
                  "active", "source", "reference_total_days", "reference_total_label", "extendable_kinds")


@admin.register(PolicyPack)
class PolicyPackAdmin(HistoryInReadersLanguage, admin.ModelAdmin):
    form = PolicyPackForm
    list_display = ("name", "code", "jurisdiction", "version", "effective_from", "effective_until",
                    "active", "parent")
    list_filter = ("jurisdiction", "active")
    list_select_related = ("parent",)
    inlines = [PolicyRuleInline]

    class Media:
        css = {"all": ("staff/admin.css",)}  # the rules' sources grow to their text


class RouteStepInline(admin.TabularInline):
    model = RouteStep
    extra = 0
    fields = ("phase", "kind", "condition", "department")


@admin.register(Route)
class RouteAdmin(HistoryInReadersLanguage, admin.ModelAdmin):
    list_display = ("name", "code", "device_class", "application_type", "active")
    list_filter = ("active",)
    inlines = [RouteStepInline]


@admin.register(Department)
class DepartmentAdmin(HistoryInReadersLanguage, admin.ModelAdmin):
    list_display = ("name", "code")


@admin.register(Enterprise)
class EnterpriseAdmin(HistoryInReadersLanguage, admin.ModelAdmin):
    list_display = ("name", "credit_code", "district", "park", "contact_email")
    list_filter = ("district", "park")
    search_fields = ("name", "credit_code")


@admin.register(Office)
class OfficeAdmin(HistoryInReadersLanguage, admin.ModelAdmin):
    """A deployment's offices (docs/offices.md): what each prints on its documents and which
    region's enterprises it serves. Never deleted: its cases and staff keep pointing at it."""

    list_display = ("code", "name", "jurisdiction", "division_codes", "is_default", "active")
    list_filter = ("active",)

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(User)
class UserAdmin(HistoryInReadersLanguage, BaseUserAdmin):
    list_display = ("username", "get_full_name", "email", "office", "enterprise", "department", "is_staff")
    list_filter = ("is_staff", "is_active", "office", "groups", "department")
    list_select_related = ("office", "enterprise", "department")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Scope"), {"fields": ("office", "enterprise", "department", "district", "park", "language")}),
    )


@admin.register(Certificate)
class CertificateAdmin(OfficeScoped, ReadOnlyAdmin, admin.ModelAdmin):
    """Issued through the workflow only (issuance stage); read here, never edited."""

    list_display = ("number", "kind", "product_name", "enterprise", "issued_on", "expires_on", "renewal")
    list_filter = ("kind", ("expires_on", admin.DateFieldListFilter))
    list_select_related = ("enterprise", "renewal")
    search_fields = ("number", "product_name", "enterprise__name")
    date_hierarchy = "expires_on"
