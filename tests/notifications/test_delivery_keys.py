"""Deliveries keep their links without database-level foreign keys.

``Delivery.alert`` and ``Delivery.user`` carry no FOREIGN KEY constraint (the cold sweep inserts
deliveries by the hundred thousand and PostgreSQL's per-row checks were most of that insert).
What the constraints guaranteed must still hold: every delivery the sweep writes points at an
alert and a user that exist, and removing an alert or a user through the ORM takes its
deliveries along (CASCADE) or unlinks them (SET_NULL).
"""

import datetime as dt

from django.db import connection

from notifications.models import Alert, Delivery
from notifications.sweep import deadlines_sweep
from review.models import User
from tests.conftest import stage_of


def test_swept_deliveries_point_at_existing_alerts_and_users(users, reviewing):
    review = stage_of(reviewing(), "technical_review")
    deadlines_sweep(today=review.statutory_due + dt.timedelta(days=1))
    assert Delivery.objects.count() >= 3
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM notifications_delivery d LEFT JOIN notifications_alert a "
                    "ON a.id = d.alert_id WHERE a.id IS NULL")
        assert cur.fetchone()[0] == 0
        cur.execute("SELECT count(*) FROM notifications_delivery d LEFT JOIN review_user u "
                    "ON u.id = d.user_id WHERE d.user_id IS NOT NULL AND u.id IS NULL")
        assert cur.fetchone()[0] == 0


def test_removing_an_alert_or_a_user_reaches_the_deliveries(users, reviewing):
    review = stage_of(reviewing(), "technical_review")
    deadlines_sweep(today=review.statutory_due + dt.timedelta(days=1))
    director = Delivery.objects.filter(user=users.director).first()
    assert director is not None
    User.objects.filter(pk=users.director.pk).delete()  # SET_NULL, done by the ORM
    director.refresh_from_db()
    assert director.user_id is None
    alert = Alert.objects.filter(deliveries__isnull=False).first()
    ids = list(alert.deliveries.values_list("pk", flat=True))
    alert.delete()  # CASCADE, done by the ORM
    assert not Delivery.objects.filter(pk__in=ids).exists()


def test_the_delivery_table_has_no_foreign_key_checks(db):
    with connection.cursor() as cur:
        constraints = connection.introspection.get_constraints(cur, "notifications_delivery")
    assert not [name for name, c in constraints.items() if c["foreign_key"]], constraints
