"""Give the application's PostgreSQL role what it needs, and no more.

Production runs web, worker and beat as a role that owns no table: it cannot TRUNCATE, ALTER
(``DISABLE TRIGGER``) or drop anything, and on the transition log it may only read and append
(the trigger refuses UPDATE and DELETE anyway; without the privilege they fail earlier). Run by
the owner right after ``migrate`` (docker-compose.yml's ``migrate`` service does), so tables a
migration added are granted too. The role itself is created once (docs/security.md).
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from psycopg import sql

from review.partitions import partitions

APPEND_ONLY = ["review_transitionlog"]


class Command(BaseCommand):
    help = "Grant the application's database role read/write on every table, append-only on the log."

    def add_arguments(self, parser):
        parser.add_argument("role", help="the application's PostgreSQL role (it must exist, and own nothing)")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("grant_app_role is for PostgreSQL (production); SQLite has no roles.")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cursor.fetchone() is None:
                raise CommandError(f"No PostgreSQL role {role!r}: create it first (docs/security.md).")
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() "
                           "AND tableowner = %s", [role])
            owned = [r[0] for r in cursor.fetchall()]
            if owned:
                raise CommandError(f"Role {role!r} owns tables ({', '.join(owned[:5])}…): the application "
                                   "must not own what it writes. Migrate as another role.")
            r = sql.Identifier(role)
            cursor.execute(sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(r).as_string(cursor.connection))
            cursor.execute(sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}")
                           .format(r).as_string(cursor.connection))
            cursor.execute(sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}")
                           .format(r).as_string(cursor.connection))
            # The deadline sweep writes its deliveries through a temporary table (notifications.sweep):
            # granted by name, so a database that revoked PUBLIC's TEMPORARY still runs it.
            cursor.execute("SELECT current_database()")
            cursor.execute(sql.SQL("GRANT TEMPORARY ON DATABASE {} TO {}")
                           .format(sql.Identifier(cursor.fetchone()[0]), r).as_string(cursor.connection))
            for table in APPEND_ONLY:
                # with its yearly partitions (review/partitions.py), which the grant above reached too
                for name in [table, *partitions(cursor, table)]:
                    cursor.execute(sql.SQL("REVOKE UPDATE, DELETE, TRUNCATE ON {} FROM {}")
                                   .format(sql.Identifier(name), r).as_string(cursor.connection))
        self.stdout.write(f"Granted {role}: read and write on every table, read and append on "
                          f"{', '.join(APPEND_ONLY)}.")
