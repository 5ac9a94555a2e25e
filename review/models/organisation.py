"""Who works on cases: departments, enterprises and users."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from review.validators import validate_credit_code, validate_single_line


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

    def __str__(self) -> str:
        full = self.get_full_name()
        # "科长 刘洋（supervisor）" on Chinese pages: the brackets follow the reader's language.
        return pgettext("user's name and login", "%(name)s (%(login)s)") % {
            "name": full, "login": self.username} if full else self.username
