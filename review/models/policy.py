"""SLA policy packs: versioned rules that give each stage its statutory limit and target.

A pack may have a parent (regional packs sit on the national statutory pack): a rule's empty
numbers are taken from the parent's best rule, so a regional pack only states what it shortens.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from .enums import Anchor, ApplicationType, Category, DeviceClass, Pathway, StageKind


class PolicyPack(models.Model):
    code = models.SlugField(_("code"), max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    jurisdiction = models.CharField(
        _("jurisdiction"),
        max_length=10,
        help_text=_("CN for the national statutory pack; a region code (CQ, SH, LS...) otherwise."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent pack"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    effective_from = models.DateField(_("in force from"))
    effective_until = models.DateField(_("in force until"), null=True, blank=True)
    active = models.BooleanField(_("active"), default=True)
    source = models.TextField(_("source"), blank=True)
    reference_total_days = models.PositiveIntegerField(
        _("reference total (WD)"), null=True, blank=True,
        help_text=_("A case-level figure the plan reports (e.g. one best case from intent to licence), "
                    "shown beside the case's own total; never split into stage targets."),
    )
    reference_total_label = models.CharField(_("what the reference total measures"), max_length=300, blank=True)
    extendable_kinds = models.JSONField(
        _("stage kinds that may be extended"), default=list, blank=True,
        help_text=_("Order 47 Art. 96: technical review, verification and the like. Empty: the "
                    "national default (technical review, QMS verification, merged inspection)."),
    )

    class Meta:
        verbose_name = _("policy pack")
        verbose_name_plural = _("policy packs")
        ordering = ["jurisdiction", "-effective_from"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def clean(self):
        kinds = self.extendable_kinds
        if not isinstance(kinds, list) or not all(isinstance(k, str) for k in kinds):
            raise ValidationError({"extendable_kinds": unknown_stage_kinds_error([str(kinds)])})
        unknown = [k for k in kinds if k not in StageKind.values]
        if unknown:
            raise ValidationError({"extendable_kinds": unknown_stage_kinds_error(unknown)})


def unknown_stage_kinds_error(unknown) -> ValidationError:
    """What was given that is not a stage kind, and every stage kind that is (code and label)."""
    sep = pgettext("enumeration separator", ", ")
    return ValidationError(
        gettext("Not a stage kind: %(unknown)s. Choose from: %(allowed)s.") % {
            "unknown": sep.join(f"“{k}”" for k in unknown),
            "allowed": sep.join(gettext("%(code)s (%(label)s)") % {"code": value, "label": label}
                                for value, label in StageKind.choices)},
        code="invalid_choice")


class PolicyRule(models.Model):
    """Numbers for one stage kind; blank keys match anything, the most specific rule wins."""

    pack = models.ForeignKey(PolicyPack, on_delete=models.CASCADE, related_name="rules")
    stage_kind = models.CharField(_("stage kind"), max_length=30, choices=StageKind.choices)
    device_class = models.CharField(
        _("device class"), max_length=3, choices=DeviceClass.choices, blank=True
    )
    category = models.CharField(_("category"), max_length=10, choices=Category.choices, blank=True)
    pathway = models.CharField(_("pathway"), max_length=30, choices=Pathway.choices, blank=True)
    application_type = models.CharField(
        _("application type"), max_length=10, choices=ApplicationType.choices, blank=True
    )
    complex_product = models.BooleanField(
        _("complex product"), null=True, blank=True, help_text=_("Empty matches both.")
    )
    statutory_days = models.PositiveIntegerField(
        _("statutory limit (WD)"), null=True, blank=True
    )
    target_days = models.PositiveIntegerField(_("target (WD)"), null=True, blank=True)
    target_is_default = models.BooleanField(
        _("target is a default"), default=False,
        help_text=_("No law or plan gives this number: it is a configurable default, labelled as such."),
    )
    baseline_days = models.PositiveIntegerField(
        _("plan baseline (WD)"), null=True, blank=True,
        help_text=_("The figure the plan shortens (e.g. testing 60 → 45): shown, never a deadline."),
    )
    after_supplement_days = models.PositiveIntegerField(
        _("budget after a supplement (WD)"), null=True, blank=True
    )
    after_rectification_days = models.PositiveIntegerField(
        _("re-check after rectification (WD)"), null=True, blank=True
    )
    rectification_months = models.PositiveIntegerField(
        _("applicant's time to rectify (months)"), null=True, blank=True
    )
    warning_days = models.PositiveIntegerField(_("warning lead time (WD)"), null=True, blank=True)
    anchor = models.CharField(
        _("counted from"), max_length=20, choices=Anchor.choices, blank=True
    )
    statutory_reference = models.BooleanField(
        _("statutory limit is a reference only"),
        default=False,
        help_text=_("The limit runs outside this administration (national review): shown, never alerted."),
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        verbose_name = _("policy rule")
        verbose_name_plural = _("policy rules")
        ordering = ["pack_id", "stage_kind", "id"]

    def __str__(self) -> str:
        return f"{self.pack.code}: {self.get_stage_kind_display()}"
