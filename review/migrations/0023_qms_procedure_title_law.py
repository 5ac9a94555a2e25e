"""The 2015 QMS procedure is cited under its published title,
《境内第三类医疗器械注册质量管理体系核查工作程序（暂行）》(食药监械管〔2015〕63号), and where a Class II
rule relies on it, as applied by analogy (the procedure is written for domestic Class III devices).
Only the shipped rules' ``source`` strings change (no number moves, so no case is re-projected)."""

from django.db import migrations

OLD = "《境内第三类和进口医疗器械注册质量管理体系核查工作程序（暂行）》"
NEW = "《境内第三类医疗器械注册质量管理体系核查工作程序（暂行）》"
ANALOGY = "（第二类参照适用）"


def retitle(apps, schema_editor):
    PolicyRule = apps.get_model("review", "PolicyRule")
    for rule in PolicyRule.objects.filter(source__contains=OLD):
        source = rule.source.replace(OLD, NEW)
        if rule.device_class == "II" or "第二类" in source.split("整改")[0]:
            source = source.replace("63号）第17条", f"63号）第17条{ANALOGY}", 1)
        rule.source = source[:300]
        rule.save(update_fields=["source"])


def untitle(apps, schema_editor):
    """Back to the old title, so a migration run backwards (and forwards again) finds the shipped
    text it expects, not an administrator's edit."""
    PolicyRule = apps.get_model("review", "PolicyRule")
    for rule in PolicyRule.objects.filter(source__contains=NEW):
        rule.source = rule.source.replace(ANALOGY, "").replace(NEW, OLD)[:300]
        rule.save(update_fields=["source"])


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0022_change_certificates_law"),
    ]

    operations = [
        migrations.RunPython(retitle, untitle),
    ]
