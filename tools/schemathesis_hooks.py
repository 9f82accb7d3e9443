"""schemathesis hooks of the API fuzzing run (e2e/api-fuzz.int-spec.ts; loaded by tools/schemathesis.toml).

A valid Idempotency-Key is made unique per request. The gateway answers a key it has already
seen, with the same body, with the first answer (Idempotent-Replayed: true): that is the
contract (tested in apps/gateway/test and e2e/orders), but generated keys repeat across
scenarios, and a replayed creation then names a resource a later scenario may have deleted
already; schemathesis took that for a created resource it could not find (ST302).

Only cases generated to fit the schema are changed. A negative case is sent as generated: a key
the schema refuses keeps its 400 under test, and a case missing a required header stays one
(schemathesis checks a changed case again, and a negative case that fits the schema then is
sent as a positive one, with the header it was meant to lack). A negative case creates nothing,
so its key is never replayed.
"""

import re
import uuid

import schemathesis

# the pattern of the Idempotency-Key header in the gateway's OpenAPI document
_KEY = re.compile(r"^[A-Za-z0-9_.:-]{8,200}$")


@schemathesis.hook
def before_call(context, case, kwargs):
    if case.meta is not None and not case.meta.generation.mode.is_positive:
        return
    headers = case.headers or {}
    for name, value in list(headers.items()):
        if name.lower() == "idempotency-key" and isinstance(value, str) and _KEY.fullmatch(value):
            headers[name] = f"{value[:160]}.{uuid.uuid4()}"
