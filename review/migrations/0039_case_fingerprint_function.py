"""``review_case_fingerprint(case_id)``: a digest of every row a case's API detail is read from.

The API caches each case's detail payload under this digest (docs/api.md#the-detail-cache): the
case with its enterprise, office, route, pack and the pack's parent; each stage with its
department's name and its assignee's user name; the pauses; the extensions with their approver's
user name; the timeline's length and last row (append-only: migration 0003); the latest forecast
refresh. ``row::text`` is every column, so any write to any of these rows, by a service or in the
admin, changes the digest. A PL/pgSQL function, not the same SELECT sent from Django, because its
plan is kept for the connection: planning that ten-table statement cost more than running it
(1.2 of 1.8 ms). On SQLite (``make demo``) this step does nothing and the detail is not cached.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION review_case_fingerprint(case_id bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT md5(concat_ws('|', a::text,
        (SELECT e::text FROM review_enterprise e WHERE e.id = a.enterprise_id),
        (SELECT o::text FROM review_office o WHERE o.id = a.office_id),
        (SELECT r::text FROM review_route r WHERE r.id = a.route_id),
        (SELECT string_agg(p::text, ';' ORDER BY p.id) FROM review_policypack p
          WHERE p.id = a.policy_pack_id
             OR p.id = (SELECT q.parent_id FROM review_policypack q WHERE q.id = a.policy_pack_id)),
        (SELECT string_agg(concat_ws(',', s::text,
                                     (SELECT d.name FROM review_department d WHERE d.id = s.department_id),
                                     (SELECT u.username FROM review_user u WHERE u.id = s.assignee_id)),
                           ';' ORDER BY s.id)
           FROM review_stage s WHERE s.application_id = a.id),
        (SELECT string_agg(c::text, ';' ORDER BY c.id) FROM review_clockstop c
          WHERE c.stage_id IN (SELECT s.id FROM review_stage s WHERE s.application_id = a.id)),
        (SELECT string_agg(concat_ws(',', x::text,
                                     (SELECT u.username FROM review_user u WHERE u.id = x.approved_by_id)),
                           ';' ORDER BY x.id)
           FROM review_extension x
          WHERE x.stage_id IN (SELECT s.id FROM review_stage s WHERE s.application_id = a.id)),
        (SELECT concat_ws(',', count(*), max(l.id)) FROM review_transitionlog l WHERE l.application_id = a.id),
        (SELECT max(f.version) FROM forecast_refresh f)))
      FROM review_application a WHERE a.id = case_id);
END
$$
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS review_case_fingerprint(bigint)")


class Migration(migrations.Migration):

    dependencies = [
        ("review", "0038_officer_scope_indexes"),
        ("forecast", "0001_forecast"),  # forecast_refresh
    ]

    operations = [migrations.RunPython(create, drop)]
