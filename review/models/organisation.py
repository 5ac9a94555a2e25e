"""Who works on cases: offices, departments, enterprises and users."""

from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from review.validators import validate_credit_code, validate_single_line


class OfficeQuerySet(models.QuerySet):
    def default(self) -> "Office":
        """The office a case or a member of staff belongs to when nothing else says which."""
        office = self.filter(is_default=True).first() or self.order_by("pk").first()
        if office is None:
            raise Office.DoesNotExist("no office: run `manage.py migrate` (it creates the first one)")
        return office

    def for_credit_code(self, credit_code: str) -> "Office":
        """The office of the enterprise's registration region.

        Characters 3 to 8 of the unified social credit code are the administrative division code
        of the registering authority (GB 32100-2015 §4.3); the active office whose division prefix
        matches most of it handles the enterprise's cases, else the default office.
        """
        division = (credit_code or "")[2:8]
        best, best_len = None, -1
        for office in self.filter(active=True):
            for prefix in office.division_prefixes:
                if division.startswith(prefix) and len(prefix) > best_len:
                    best, best_len = office, len(prefix)
        return best or self.default()


class Office(models.Model):
    """A drug administration that decides cases (省/市药品监督管理局): it owns its staff and cases.

    Its code begins every case reference it issues (CQ2026…, SH2026…); its jurisdiction chooses the
    policy packs of its cases; its name, numbering and reconsideration body are printed on its
    documents (docs/offices.md).
    """

    code = models.CharField(
        _("code"), max_length=6, unique=True,
        validators=[RegexValidator(r"^[A-Z]{2,6}$", _("Two to six capital letters, e.g. CQ."))],
        help_text=_("Two to six capital letters; every case reference of this office begins with it."),
    )
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line],
                            help_text=_("The issuing office, as printed on its documents."))
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=10,
        help_text=_("Whose policy packs bind this office's cases (CQ, SH, HZ, LS; CN: the national "
                    "statutory pack only)."),
    )
    division_codes = models.CharField(
        _("administrative division codes"), max_length=200, blank=True,
        validators=[RegexValidator(r"^[0-9]{2,6}(,[0-9]{2,6})*$",
                                   _("Digits, two to six each, separated by commas, e.g. 50 or 31,3201."))],
        help_text=_("Comma-separated prefixes of the division code in characters 3 to 8 of an enterprise's "
                    "credit code: its cases come here."),
    )
    notice_number_pattern = models.CharField(
        _("document number pattern"), max_length=60,
        help_text=_("{code}: the document's code, {year}, {seq}: one sequence per code and year, "
                    "e.g. 渝药监械{code}〔{year}〕{seq:04d}号."),
    )
    reconsideration_body = models.CharField(
        _("reconsideration body"), max_length=100, validators=[validate_single_line],
        help_text=_("Who hears an administrative reconsideration of this office's decisions."),
    )
    contact_department = models.CharField(_("public contact: department"), max_length=100, blank=True,
                                          validators=[validate_single_line])
    contact_phone = models.CharField(_("public contact: telephone"), max_length=60, blank=True,
                                     validators=[validate_single_line])
    address = models.CharField(_("address"), max_length=200, blank=True, validators=[validate_single_line])
    contact_hours = models.CharField(_("public contact: opening hours"), max_length=100, blank=True,
                                     validators=[validate_single_line])
    is_default = models.BooleanField(
        _("default office"), default=False,
        help_text=_("Takes the cases whose region no office serves, and staff created without an office."),
    )
    active = models.BooleanField(_("active"), default=True)

    objects = OfficeQuerySet.as_manager()

    class Meta:
        verbose_name = _("office")
        verbose_name_plural = _("offices")
        ordering = ["code"]
        permissions = [("view_all_offices", _("Can see every office's applications"))]
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=models.Q(is_default=True),
                                               name="office_one_default")]

    def __str__(self) -> str:
        return self.name

    @property
    def division_prefixes(self) -> list[str]:
        return [p.strip() for p in self.division_codes.split(",") if p.strip()]

    def public_contact(self) -> str:
        """The handling department's public contact, as printed on notices and shown in the portal."""
        parts = [self.contact_department, self.contact_phone and f"电话 {self.contact_phone}",
                 self.address and f"地址 {self.address}", self.contact_hours and f"办公时间 {self.contact_hours}"]
        return "；".join(p for p in parts if p)


class Department(models.Model):
    """A department of the administration (科室); its supervisors get its overdue alerts."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100, validators=[validate_single_line])

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class Enterprise(models.Model):
    """The registrant or applicant (注册人/申请人), identified by its unified social credit code."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_single_line])
    credit_code = models.CharField(
        _("unified social credit code"),
        max_length=18,
        unique=True,
        validators=[validate_credit_code],
        help_text=_("18 characters, as printed on the business licence."),
    )
    district = models.CharField(_("district"), max_length=60, blank=True, db_index=True,
                                validators=[validate_single_line])
    park = models.CharField(_("park"), max_length=100, blank=True, db_index=True,
                            validators=[validate_single_line])
    contact_email = models.EmailField(_("contact email"), blank=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.credit_code = self.credit_code.strip().upper()
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A member of staff, an enterprise's registration officer or an industry officer.

    The role is the user's groups (acceptance officer, reviewer, ...), which an administrator can
    change; what a user sees is scoped by ``enterprise`` (enterprise users) or ``district``/``park``
    (industry officers).
    """

    office = models.ForeignKey(
        Office,
        verbose_name=_("office"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
        help_text=_("Staff and industry officers: the office whose cases they see and act on "
                    "(the default office when left empty). Not for enterprise users."),
    )
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("enterprise"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
        help_text=_("Set for enterprise users only: they see this enterprise's cases and nothing else."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    district = models.CharField(
        _("district"), max_length=60, blank=True, help_text=_("Industry officers: the district they follow.")
    )
    park = models.CharField(
        _("park"), max_length=100, blank=True, help_text=_("Industry officers: the park they follow, if any.")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        blank=True,
        default="",
        help_text=_("Empty until the user chooses: until then the portal follows the browser's language."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def save(self, *args, **kwargs):
        # Everyone who is not an enterprise user works in an office: a member of staff created
        # without one joins the default office, so no one ever sees another office's cases by
        # having none (docs/offices.md).
        if self.enterprise_id is None and self.office_id is None:
            self.office = Office.objects.default()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "office"}
        elif self.enterprise_id is not None and self.office_id is not None:
            self.office = None
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "office"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        full = self.get_full_name()
        # "科长 刘洋（supervisor）" on Chinese pages: the brackets follow the reader's language.
        return pgettext("user's name and login", "%(name)s (%(login)s)") % {
            "name": full, "login": self.username} if full else self.username
