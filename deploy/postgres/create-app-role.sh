#!/bin/sh
# Run once by the postgres image when the database is first created (docker-entrypoint-initdb.d).
# The application's role can log in and owns nothing; `manage.py grant_app_role review_app`
# (run by the migrate service after every migrate) gives it rights on the tables.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE review_app LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION;
GRANT CONNECT ON DATABASE review TO review_app;
SQL
