"""``review_user_permissions(user_id)``: every permission a user holds, directly or through a group
(a superuser: every one), as ``app_label.codename``, the set ``review.auth.PermissionsBackend``
keeps for a request. A PL/pgSQL function so that an API token's statement reads it with the
token and its user (``api.authentication``) on a plan kept for the connection: the same set as a
subquery built by the ORM cost more to build and plan than the separate query it replaced
(docs/api.md#the-detail-cache). On SQLite (``make demo``) this step does nothing and the backend
reads the set with the ORM, as before.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION review_user_permissions(user_id bigint) RETURNS text[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN ARRAY(
        SELECT ct.app_label || '.' || p.codename
          FROM auth_permission p JOIN django_content_type ct ON ct.id = p.content_type_id
         WHERE (SELECT u.is_superuser FROM review_user u WHERE u.id = review_user_permissions.user_id)
            OR p.id IN (SELECT up.permission_id FROM review_user_user_permissions up
                         WHERE up.user_id = review_user_permissions.user_id
                        UNION
                        SELECT gp.permission_id FROM auth_group_permissions gp
                          JOIN review_user_groups ug ON ug.group_id = gp.group_id
                         WHERE ug.user_id = review_user_permissions.user_id));
END
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS review_user_permissions(bigint)")


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0039_case_fingerprint_function"),
    ]

    operations = [migrations.RunPython(create, drop)]
