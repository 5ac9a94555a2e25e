"""factory_boy factories. Users get their role through the groups the migration creates."""

import factory
from django.contrib.auth.models import Group

from review.models import Enterprise, Office, User
from review.validators import credit_code_check_char

ROLE = {
    "acceptance": "受理员 Acceptance officer",
    "reviewer": "审评员 Reviewer",
    "inspector": "核查员 Inspector",
    "tester": "检验所 Testing centre",
    "approver": "审批人 Approver",
    "supervisor": "科室负责人 Supervisor",
    "director": "处局领导 Director",
    "enterprise": "企业注册专员 Enterprise user",
    "officer": "产业部门 Industry officer",
    "sysadmin": "系统管理员 System administrator",
}


def credit_code(n: int) -> str:
    """A valid unified social credit code, different for each n."""
    first17 = f"91500000MA{n:07d}"
    return first17 + credit_code_check_char(first17)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"企业{n}医疗器械有限公司")
    credit_code = factory.Sequence(credit_code)
    district = "两江新区"
    park = "水土园区"
    contact_email = factory.Sequence(lambda n: f"contact{n}@example.com")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=ROLE[extracted]))
            self.is_staff = extracted not in ("enterprise", "officer")
        self.save()


def user_with_role(role: str, **kwargs) -> User:
    """A fresh user of that role, re-read so no permission cache is stale."""
    if role == "enterprise" and "enterprise" not in kwargs:
        kwargs["enterprise"] = EnterpriseFactory()
    user = UserFactory(role=role, **kwargs)
    return User.objects.get(pk=user.pk)


def second_office() -> Office:
    """A second office (Shanghai) beside the default one, as a multi-office deployment has."""
    office, _ = Office.objects.get_or_create(code="SH", defaults={
        "name": "上海市药品监督管理局", "jurisdiction": "SH", "division_codes": "31",
        "notice_number_pattern": "沪药监械{code}〔{year}〕{seq:04d}号", "reconsideration_body": "上海市人民政府",
        "contact_department": "上海受理窗口"})
    return office


def shanghai_credit_code(n: int) -> str:
    """A valid credit code registered in Shanghai (division code 31...), different for each n."""
    first17 = f"91310115MA{n:07d}"
    return first17 + credit_code_check_char(first17)
