"""GET /healthz: 200 when the database and the Celery broker answer, 503 otherwise, within seconds.

A Redis that accepts connections and then says nothing (stopped, swapping, a full disk) used to
hold this check for as long as the load balancer waited; the broker's probe is one PING with
``PROBE_SECONDS`` to connect and to answer, and says "unreachable" when it gets none.
"""

import threading

from django.db import connection
from django.http import JsonResponse

PROBE_SECONDS = 1.0


def _within(seconds: float, probe) -> str:
    """``probe()``'s answer, or TimeoutError after ``seconds`` whatever the client library does
    (redis-py's handshake and retries each wait their own timeout); the thread ends on its own
    socket timeout."""
    answer: list = []

    def run():
        try:
            answer.append(probe())
        except Exception as exc:  # noqa: BLE001 - handed back below
            answer.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(seconds)
    if not answer:
        raise TimeoutError(f"no answer within {seconds} s")
    if isinstance(answer[0], Exception):
        raise answer[0]
    return answer[0]


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _broker() -> str:
    from celery import current_app as app  # the project's app (config/__init__.py sets it)

    url = str(app.conf.broker_url)
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        def ping() -> str:
            client = redis.Redis.from_url(url, socket_timeout=PROBE_SECONDS, socket_connect_timeout=PROBE_SECONDS,
                                          retry=None)
            try:
                client.ping()
            finally:
                client.close()
            return "ok"

        return _within(PROBE_SECONDS, ping)
    with app.connection_for_write() as conn:  # the demo's filesystem broker
        conn.ensure_connection(max_retries=1, timeout=PROBE_SECONDS)
    return "ok"


def healthz(request):
    checks = {}
    for name, probe in (("database", _database), ("broker", _broker)):
        try:
            checks[name] = probe()
        except Exception as exc:  # any failure is reported, not raised: this is a probe
            checks[name] = f"unreachable ({exc.__class__.__name__})" if name == "broker" else \
                f"error: {exc.__class__.__name__}"
    healthy = all(v == "ok" for v in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
