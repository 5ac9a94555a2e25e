"""The production licence's own citations in the statutory pack.

- The licence's acceptance cites Order 53 Art. 11 (5 WD, one notice of missing items) beside the
  Licensing Law's Art. 32; a licence application's own acceptance gets that rule too (it fell back
  to the registration's, citing Order 47 Art. 53). Same number (5 WD): no clock moves.
- "并联审批时生产许可自注册批准之日起计算" was the Chongqing plan's local mode presented as Order 53
  Art. 13: it now names the plan, and the start the law supports, the certificate's issue (Order 53
  Art. 10(1): the licence application includes the registration certificate).
Running parallel-licence cases are re-counted by ``manage.py reproject_cases`` (logged).
"""

from django.db import migrations

ORDER_53 = "《医疗器械生产监督管理办法》（国家市场监督管理总局令第53号）"
LICENSING_LAW_32 = "《中华人民共和国行政许可法》第32条"
ACCEPTANCE = (f"{ORDER_53}第11条、{LICENSING_LAW_32}：收到生产许可申请材料之日起5个工作日内受理或一次性告知，"
              "逾期不告知的，自收到之日起即为受理")
OLD_PARALLEL = "；并联审批时生产许可自注册批准之日起计算"
NEW_PARALLEL = ("；并联审批（重庆市行动计划第15项，地方安排）时，生产许可申请须附注册证（第10条第（一）项），"
                "自注册证核发之日起计算")


def forwards(apps, schema_editor):
    PolicyPack = apps.get_model("review", "PolicyPack")
    PolicyRule = apps.get_model("review", "PolicyRule")
    pack = PolicyPack.objects.filter(code="cn-statutory").first()
    if pack is None:
        return
    PolicyRule.objects.filter(pack=pack, stage_kind="licence_acceptance").update(source=ACCEPTANCE)
    if not PolicyRule.objects.filter(pack=pack, stage_kind="acceptance", application_type="licence").exists():
        PolicyRule.objects.create(pack=pack, stage_kind="acceptance", application_type="licence",
                                  statutory_days=5, source=ACCEPTANCE)
    for rule in PolicyRule.objects.filter(pack=pack, source__contains=OLD_PARALLEL):
        rule.source = rule.source.replace(OLD_PARALLEL, NEW_PARALLEL)[:300]
        rule.save(update_fields=["source"])


# The shipped source of the licence's acceptance before this migration (0006's data).
OLD_ACCEPTANCE = ("《中华人民共和国行政许可法》第32条：收到生产许可申请材料之日起5个工作日内受理或一次性告知，"
                  "逾期不告知的，自收到之日起即为受理")


def backwards(apps, schema_editor):
    """The shipped texts as they were, so a migration run backwards (and forwards again) finds
    what it expects, not an administrator's edit."""
    PolicyRule = apps.get_model("review", "PolicyRule")
    pack = {"pack__code": "cn-statutory"}  # by code: the reverse's historical models
    PolicyRule.objects.filter(**pack, stage_kind="acceptance", application_type="licence",
                              source=ACCEPTANCE).delete()
    PolicyRule.objects.filter(**pack, stage_kind="licence_acceptance", source=ACCEPTANCE).update(
        source=OLD_ACCEPTANCE)
    for rule in PolicyRule.objects.filter(**pack, source__contains=NEW_PARALLEL):
        rule.source = rule.source.replace(NEW_PARALLEL, OLD_PARALLEL)[:300]
        rule.save(update_fields=["source"])


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0023_qms_procedure_title_law"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
