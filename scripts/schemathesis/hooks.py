"""Schemathesis hooks for Trellis: who the run acts as, and the checks of Trellis's own API contract.

Loaded with `SCHEMATHESIS_HOOKS=scripts/schemathesis/hooks.py` (README.md in this folder tells how to
run it by hand; Tests/AppTests/SchemathesisTests.swift runs it in `make test`). Two seeded
organizations take part:

- Acme's owner is the identity of the run: every generated request carries Acme's access token
  (`TRELLIS_ACME_TOKEN`). The run may end that session itself (`DELETE /api/v1/auth/logout` and
  `POST /api/v1/auth/logout-all` are operations like any other); the API then answers 401 where a
  live session is needed, schemathesis asks `AcmeOwner` for a new token and replays the request,
  and `AcmeOwner` signs in again.
- Globex's owner (`TRELLIS_GLOBEX_TOKEN`) is the other tenant, used only by `tenant_isolation`.

Without a token variable the hooks sign in themselves as `TRELLIS_ACME_EMAIL` / `TRELLIS_GLOBEX_EMAIL`
(default: the seeded owners) with `TRELLIS_DEMO_PASSWORD` (default: the seeded demo password).

The checks below hold the API to its documented contract where schemathesis's built-in checks do not
look (README.md in this folder says why each exists). A check fails by raising `AssertionError`
with what was sent, what came back, what was expected and a command that reproduces it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

import requests

import schemathesis

PASSWORD = os.environ.get("TRELLIS_DEMO_PASSWORD", "trellis demo password")
# An id no row has: what Globex gets for it is what "does not exist" looks like.
GHOST_ID = "00000000-0000-7000-8000-00000000dead"
TIMEOUT = 10.0
# How many rows of each list Acme reads `tenant_isolation` asks for as Globex.
LISTED_ROWS_PROBED = 3
# When set, every request `tenant_isolation` sends is appended to this file (to look into a run).
PROBE_LOG = os.environ.get("TRELLIS_SCHEMATHESIS_PROBE_LOG")
SESSION = requests.Session()


class Identity:
    """A seeded user's access token: the one given in the environment, then fresh sign-ins."""

    def __init__(self, name: str, prefix: str, default_email: str) -> None:
        self.name = name
        self.token_variable = f"TRELLIS_{prefix}_TOKEN"
        self.email = os.environ.get(f"TRELLIS_{prefix}_EMAIL", default_email)
        self._given = os.environ.get(self.token_variable) or None
        self._current: str | None = None
        self._issued: set[str] = set()
        self._lock = threading.Lock()

    def token(self, base_url: str) -> str:
        """The current token (signing in when there is none yet)."""
        with self._lock:
            if self._current is None:
                self._current = self._given or self._sign_in(base_url)
                self._issued.add(self._current)
            return self._current

    def renew(self, base_url: str) -> str:
        """The token of a new session, for when the API refused the current one."""
        with self._lock:
            self._current = self._sign_in(base_url)
            self._issued.add(self._current)
            return self._current

    def sent(self, response: schemathesis.Response) -> bool:
        """Whether `response` answers a request that carried one of this identity's tokens."""
        header = response.request.headers.get("Authorization", "")
        with self._lock:
            return header.startswith("Bearer ") and header[len("Bearer ") :] in self._issued

    def _sign_in(self, base_url: str) -> str:
        url = base_url.rstrip("/") + "/api/v1/auth/login"
        reply = SESSION.post(url, json={"email": self.email, "password": PASSWORD}, timeout=TIMEOUT)
        if reply.status_code != 200:
            raise RuntimeError(f"signing in as {self.email} at {url} answered {reply.status_code}: {reply.text[:300]}")
        return reply.json()["data"]["access_token"]


ACME = Identity("Acme's owner", "ACME", "owner@acme.test")
GLOBEX = Identity("Globex's owner", "GLOBEX", "owner@globex.test")


@schemathesis.auth(refresh_interval=600, retry_on=[401])
class AcmeOwner:
    """Acme's owner, on every generated request; a 401 makes schemathesis call `get` again and replay."""

    def __init__(self) -> None:
        self.calls = 0

    def get(self, case: schemathesis.Case, context: schemathesis.AuthContext) -> str:
        # The first call takes the token given; a later one follows a refusal (or `refresh_interval`).
        self.calls += 1
        base_url = case.operation.schema.get_base_url()
        return ACME.token(base_url) if self.calls == 1 else ACME.renew(base_url)

    def set(self, case: schemathesis.Case, data: str, context: schemathesis.AuthContext) -> None:
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


VALID_IDEMPOTENCY_KEY = re.compile(r"^[\x21-\x7E]{1,255}$")


@schemathesis.hook
def before_call(ctx: Any, case: schemathesis.Case, **kwargs: Any) -> None:
    """A client sends a new `Idempotency-Key` with each new request. Schemathesis fills the header
    from the document's one example, which would make every mutation after the first a reuse
    (422 idempotency_key_reused), so a valid key is made unique per call; a malformed one, sent
    to test the refusal, is kept."""
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() == "idempotency-key" and isinstance(headers[name], str) and VALID_IDEMPOTENCY_KEY.match(headers[name]):
            headers[name] = str(uuid.uuid4())


# --- reading the document ------------------------------------------------------------------------


def parts_of(path: str) -> list[str]:
    return path.strip("/").split("/")


def definition_of(schema: Any, path: str, method: str) -> dict[str, Any]:
    return (schema.raw_schema.get("paths", {}).get(path) or {}).get(method.lower()) or {}


def resolved(schema: Any, value: Any) -> Any:
    """`value`, or what its local `$ref` points to."""
    while isinstance(value, dict) and isinstance(value.get("$ref"), str) and value["$ref"].startswith("#/"):
        target: Any = schema.raw_schema
        for key in value["$ref"][2:].split("/"):
            target = target[key]
        value = target
    return value


def is_public(schema: Any, path: str, method: str) -> bool:
    """An operation with `security: []` answers anyone."""
    return definition_of(schema, path, method).get("security") == []


def query_parameters(schema: Any, path: str, method: str) -> set[str]:
    item = schema.raw_schema.get("paths", {}).get(path) or {}
    declared = [*item.get("parameters", []), *definition_of(schema, path, method).get("parameters", [])]
    return {p["name"] for p in (resolved(schema, p) for p in declared) if p.get("in") == "query"}


def body_media_types(schema: Any, path: str, method: str) -> set[str]:
    body = resolved(schema, definition_of(schema, path, method).get("requestBody")) or {}
    return {media.lower() for media in body.get("content", {})}


def example_body(schema: Any, path: str, method: str) -> Any:
    """The documented example of an operation's JSON body, or an empty object."""
    body = resolved(schema, definition_of(schema, path, method).get("requestBody")) or {}
    body_schema = resolved(schema, body.get("content", {}).get("application/json", {}).get("schema")) or {}
    examples = body_schema.get("examples")
    return examples[0] if isinstance(examples, list) and examples else {}


def item_operations(schema: Any, template: str) -> Iterator[tuple[str, str]]:
    """(method, path) of each secured operation on the item `template` or a fixed sub-path (`.../restore`)."""
    parts = parts_of(template)
    for path, item in schema.raw_schema.get("paths", {}).items():
        other = parts_of(path)
        if other[: len(parts)] != parts or any(part.startswith("{") for part in other[len(parts) :]):
            continue
        for method in item:
            if method in {"get", "put", "post", "patch", "delete"} and not is_public(schema, path, method):
                yield method.upper(), path


def item_template_of(schema: Any, collection: str) -> str | None:
    """`/things/{id}` for the collection `/things`."""
    for path in schema.raw_schema.get("paths", {}):
        parts = parts_of(path)
        if parts[:-1] == parts_of(collection) and parts[-1].startswith("{"):
            return path
    return None


# --- reading an exchange -------------------------------------------------------------------------


def json_of(response: schemathesis.Response) -> Any:
    try:
        return json.loads(response.content)
    except ValueError:
        return None


def data_of(response: schemathesis.Response) -> Any:
    body = json_of(response)
    return body.get("data") if isinstance(body, dict) else None


def ids_in(value: Any) -> set[str]:
    """Every `id` in a JSON document (rows of a list, nested rows)."""
    found: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            if key == "id" and isinstance(inner, str):
                found.add(inner)
            else:
                found |= ids_in(inner)
    elif isinstance(value, list):
        for inner in value:
            found |= ids_in(inner)
    return found


def declared(case: schemathesis.Case) -> bool:
    """Whether the case uses its operation's own method (schemathesis also sends others, to see them refused)."""
    return case.method.upper() == case.operation.method.upper()


def row_key(row: Any, name: str) -> Any:
    """The value a list row gives the item path's parameter `name`: `name`, `id`, or `user.id` for `user_id`."""
    if not isinstance(row, dict):
        return None
    if name in row:
        return row[name]
    nested = row.get(name.removesuffix("_id")) if name.endswith("_id") else None
    if isinstance(nested, dict) and "id" in nested:
        return nested["id"]
    return row.get("id")


def media_type_sent(response: schemathesis.Response) -> str | None:
    header = response.request.headers.get("Content-Type")
    return header.split(";")[0].strip().lower() if header else None


def exchange(case: schemathesis.Case, response: schemathesis.Response) -> str:
    """`METHOD /path -> status` (schemathesis prints the body and a curl command under the message)."""
    return f"{case.method.upper()} {urlsplit(response.request.url).path} -> {response.status_code}"


def with_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


class Verdicts:
    """A verdict per key, decided once: a replayed or shrunk case gets the same one, without new requests."""

    def __init__(self) -> None:
        self._verdicts: dict[Any, str | None] = {}
        self._lock = threading.Lock()

    def get(self, key: Any, decide: Callable[[], str | None]) -> str | None:
        with self._lock:
            if key in self._verdicts:
                return self._verdicts[key]
        verdict = decide()
        with self._lock:
            return self._verdicts.setdefault(key, verdict)


# --- tenant_isolation ----------------------------------------------------------------------------


class Probe:
    """One request sent as another identity, and its answer."""

    def __init__(self, method: str, url: str, body: Any, identity: Identity, base_url: str) -> None:
        self.method, self.url, self.body, self.identity = method, url, body, identity
        self.response = self._send(identity.token(base_url))
        if self.response.status_code == 401:  # the token expired (15 minutes): once more with a new one
            self.response = self._send(identity.renew(base_url))
        if PROBE_LOG:
            with open(PROBE_LOG, "a", encoding="utf-8") as log:
                log.write(self.summary() + "\n")

    def _send(self, token: str) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"}
        if self.body is not None:
            headers["Content-Type"] = "application/json"
        data = json.dumps(self.body) if self.body is not None else None
        return SESSION.request(self.method, self.url, headers=headers, data=data, timeout=TIMEOUT, allow_redirects=False)

    @property
    def status(self) -> int:
        return self.response.status_code

    @property
    def error(self) -> Any:
        """The error envelope without its request id."""
        try:
            error = self.response.json().get("error") or {}
        except (ValueError, AttributeError):
            return self.response.text
        return (error.get("code"), error.get("message"), error.get("details"))

    def summary(self) -> str:
        return f"{self.method} {urlsplit(self.url).path} -> {self.status} {self.response.text[:300]}"

    def curl(self) -> str:
        command = f'curl -i -X {self.method} -H "Authorization: Bearer ${self.identity.token_variable}"'
        if self.body is not None:
            command += " -H 'Content-Type: application/json' -d " + shlex.quote(json.dumps(self.body))
        return f"{command} {shlex.quote(self.url)}"

    def reproduction(self) -> str:
        return f"Reproduce with ({self.identity.token_variable}: an access token of {self.identity.email}):\n    {self.curl()}"


ISOLATION = Verdicts()


def probe_item(base_url: str, method: str, url: str, body: Any, ghost_url: str, trigger: str) -> str | None:
    """Globex asks for an Acme row: it must get exactly what it gets for a row that does not exist, a 404."""
    probe = Probe(method, url, body, GLOBEX, base_url)
    ghost = Probe(method, ghost_url, body, GLOBEX, base_url)
    if probe.status == 404 and ghost.status == 404 and probe.error == ghost.error:
        return None
    return (
        f"A row of another organization must look like one that does not exist.\n"
        f"{ACME.name} ({ACME.email}) reached the row with `{trigger}`; {GLOBEX.name} ({GLOBEX.email}) got\n"
        f"    {probe.summary()}\n"
        f"and, for an id no row has,\n"
        f"    {ghost.summary()}\n"
        f"Expected: 404, with the same error for both.\n{probe.reproduction()}"
    )


def probe_list(base_url: str, url: str, acme_ids: set[str], trigger: str) -> str | None:
    """Globex lists the same collection with the same query: none of Acme's rows may be in it."""
    probe = Probe("GET", url, None, GLOBEX, base_url)
    try:
        leaked = sorted(acme_ids & ids_in(probe.response.json().get("data")))
    except (ValueError, AttributeError):
        return None
    if not leaked:
        return None
    return (
        f"A list must not show another organization's rows.\n"
        f"{ACME.name} ({ACME.email}) sent `{trigger}`; {GLOBEX.name} ({GLOBEX.email}) got\n"
        f"    {probe.summary()}\n"
        f"with Acme's rows {', '.join(leaked[:5])}.\n{probe.reproduction()}"
    )


@schemathesis.check
def tenant_isolation(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """After Acme's owner reached a row, Globex's owner finds nothing there: a 404 like for an unknown id.

    - an item Acme read or changed (`GET`/`PATCH`/`POST .../{id}...`): Globex sends every operation
      on that item (`GET`, `PATCH`, `DELETE`, `POST .../restore`): each must answer 404, exactly like
      the same request for an id no row has (after Acme's `DELETE`, only `POST .../restore`);
    - a row Acme created (`POST` to a collection answering `data.id`): the same, on its item path,
      and Globex's list of the collection must not hold it;
    - a list Acme read: Globex's list with the same query must hold none of its ids, and its first
      rows are probed like items.
    """
    schema = case.operation.schema
    template, method = case.operation.path, case.method.upper()
    if not declared(case) or not 200 <= response.status_code < 300 or not ACME.sent(response):
        return None
    if is_public(schema, template, method):
        return None
    base_url = schema.get_base_url()
    url = response.request.url
    path = urlsplit(url).path
    trigger = f"{method} {path} -> {response.status_code}"
    data = data_of(response)
    items: list[tuple[str, str]] = []  # (item template, item path)
    parts = parts_of(template)
    parameters = [index for index, part in enumerate(parts) if part.startswith("{")]
    if parameters:
        last = parameters[-1] + 1
        items.append(("/" + "/".join(parts[:last]), "/" + "/".join(parts_of(path)[:last])))
    elif method == "POST" and isinstance(data, dict) and isinstance(data.get("id"), str):
        created = data["id"]
        item_template = item_template_of(schema, template)
        if item_template:
            items.append((item_template, path.rstrip("/") + "/" + created))
        if definition_of(schema, template, "get") and not is_public(schema, template, "get"):
            list_url = with_path(url, path)
            failure = ISOLATION.get(("list", list_url, created), lambda: probe_list(base_url, list_url, {created}, trigger))
            if failure:
                raise AssertionError(failure)
    elif method == "GET":
        acme_ids = ids_in(data)
        if acme_ids:
            failure = ISOLATION.get(("list", url), lambda: probe_list(base_url, url, acme_ids, trigger))
            if failure:
                raise AssertionError(failure)
        # The first rows of a list are rows Acme reaches too (seeded ones among them, and members,
        # whose ids schemathesis has no other way to learn).
        item_template = item_template_of(schema, template)
        if item_template and isinstance(data, list):
            key = parts_of(item_template)[-1].strip("{}")
            for row in data[:LISTED_ROWS_PROBED]:
                value = row_key(row, key)
                if isinstance(value, str):
                    items.append((item_template, path.rstrip("/") + "/" + value))
    for item_template, item_path in items:
        ghost_path = "/" + "/".join([*parts_of(item_path)[:-1], GHOST_ID])
        for probe_method, probe_template in item_operations(schema, item_template):
            suffix = parts_of(probe_template)[len(parts_of(item_template)) :]
            if method == "DELETE" and not suffix:
                continue  # a deleted row is gone for everyone; only `.../restore` can still reach it
            probe_url = with_path(url, "/".join([item_path, *suffix]))
            ghost_url = with_path(url, "/".join([ghost_path, *suffix]))
            body = None
            if body_media_types(schema, probe_template, probe_method):
                # The body Acme sent is one the API accepts; other operations get their documented example.
                same = (probe_method, probe_template) == (method, template) and isinstance(case.body, dict)
                body = case.body if same else example_body(schema, probe_template, probe_method)
            failure = ISOLATION.get(
                (probe_method, probe_url, method == "DELETE"),  # a deleted row is probed again
                lambda: probe_item(base_url, probe_method, probe_url, body, ghost_url, trigger),
            )
            if failure:
                raise AssertionError(failure)
    return None


# --- positive_data_state_rules -------------------------------------------------------------------

# Rules a client can fix but JSON Schema cannot state, because they depend on the database, the
# clock, another field or a list of common passwords. The API answers them 422 `validation_error`
# naming the field (README.md "Accounts and auth", the generated routes); the document cannot
# describe them, so schema-valid data may break them. Every other 422 message is a rule the
# document could state and does not: then the document is wrong.
STATE_RULES = {
    "does not exist",  # a reference to a row that is not there (generated routes)
    "is already taken",  # a `unique` field's value another row holds (ErrorMiddleware)
    "must be a member of this organization",  # Sources/App/TaskAssigneeRule.swift
    "must be in the future",  # an API key's `expires_at` (APIKeyRoutes)
    "is incorrect",  # `current_password` of a password change
    "is too common; choose a longer passphrase",  # PasswordPolicy's list of common passwords
    "must not contain your email address",  # PasswordPolicy
    "is invalid, used or expired; ask for a new link",  # an emailed token (AccountTokens)
}

# Messages that start so depend on the deployment or the network: a webhook endpoint's URL must
# be https outside development and resolve to public addresses (WebhookURLPolicy).
STATE_RULE_PREFIXES = ("must be an https URL", "names a host that does not resolve", "resolves to ")


@schemathesis.check
def positive_data_state_rules(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """Schema-valid data answered 422 only for a rule JSON Schema cannot state (`STATE_RULES`).

    Stands in for `positive_data_acceptance` on 422 (schemathesis.toml lets that check accept 422).
    """
    meta = case.meta
    if not declared(case) or response.status_code != 422 or meta is None or not meta.generation.mode.is_positive:
        return None
    sent = media_type_sent(response)
    accepted = body_media_types(case.operation.schema, case.operation.path, case.method)
    if sent is not None and accepted and sent not in accepted:
        return None  # a probe of an undeclared media type, not data the document allows
    error = (json_of(response) or {}).get("error") or {}
    details = error.get("details") or {}
    others = {
        field: [message for message in messages if message not in STATE_RULES and not message.startswith(STATE_RULE_PREFIXES)]
        for field, messages in details.items()
        if isinstance(messages, list)
    }
    others = {field: messages for field, messages in others.items() if messages}
    if details and not others:
        return None
    raise AssertionError(
        "The document allows this request, but the API refused it with 422 for a rule the document could state:\n"
        f"    {json.dumps(others or details or error, ensure_ascii=False)}\n"
        "Either the document is missing a constraint the API enforces (fix the OpenAPI generator), or the API "
        "refuses data it documents as valid (fix the server)."
    )


@schemathesis.check
def preconditions_follow_if_match(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """412 only answers an `If-Match` the row's version does not meet, and 428 only its absence.

    Stands in for `positive_data_acceptance` on 412 (schemathesis.toml lets that check accept 412).
    """
    sent = {name.lower() for name in (case.headers or {})}
    if response.status_code == 412 and "if-match" not in sent:
        raise AssertionError("The API answered 412 precondition_failed to a request without If-Match.")
    if response.status_code == 428 and "if-match" in sent:
        raise AssertionError("The API answered 428 precondition_required to a request that sent If-Match.")
    return None


# --- created_rows_stay_available -----------------------------------------------------------------


class Rows:
    """Rows Acme created in this run, what each refers to, and which rows a DELETE removed."""

    def __init__(self) -> None:
        self.parents: dict[str, set[str]] = {}
        self.deleted: set[str] = set()
        self.lock = threading.Lock()

    def created(self, row: str, parents: set[str]) -> None:
        with self.lock:
            self.parents.setdefault(row, parents)

    def delete(self, row: str) -> None:
        with self.lock:
            self.deleted.add(row)

    def gone(self, row: str) -> bool | None:
        """None for a row not created in this run; else whether it or a row it refers to was deleted."""
        with self.lock:
            if row not in self.parents:
                return None
            seen: set[str] = set()
            pending = [row]
            while pending:
                current = pending.pop()
                if current in self.deleted:
                    return True
                if current not in seen:
                    seen.add(current)
                    pending.extend(self.parents.get(current, ()))
            return False


ROWS = Rows()


@schemathesis.check
def created_rows_stay_available(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A row Acme created answers on its item path (and sub-paths) until it, or a row it refers to, is deleted.

    `ensure_resource_availability` with cascades: deleting a task deletes its comments
    (`on_delete: cascade` in specs/comments.yaml), which that check takes for a lost row.
    """
    if not declared(case) or not ACME.sent(response):
        return None
    method = case.method.upper()
    if is_public(case.operation.schema, case.operation.path, method):
        return None  # the public invitation operations take the invitation's token where the others take its id
    parts = parts_of(case.operation.path)
    parameters = [index for index, part in enumerate(parts) if part.startswith("{")]
    if not parameters:
        data = data_of(response)
        if method == "POST" and 200 <= response.status_code < 300 and isinstance(data, dict) and isinstance(data.get("id"), str):
            references = {value for key, value in data.items() if key.endswith("_id") and isinstance(value, str)}
            ROWS.created(data["id"], references)
        return None
    row = parts_of(urlsplit(response.request.url).path)[parameters[-1]]
    if method == "DELETE" and 200 <= response.status_code < 300:
        ROWS.delete(row)
        return None
    if response.status_code != 404 or ROWS.gone(row) is not False:
        return None
    raise AssertionError(
        f"A row created in this run answered 404, though neither it nor a row it refers to was deleted:\n"
        f"    {exchange(case, response)}"
    )


# --- unsupported_media_type_rejected -------------------------------------------------------------


@schemathesis.check
def unsupported_media_type_rejected(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case) -> None:
    """A body in a media type the operation does not declare answers 415 (the API must not parse it as JSON).

    Statuses decided before the body is read (401, 403, 404, 405, 413, 429) pass too.
    """
    sent = media_type_sent(response)
    accepted = body_media_types(case.operation.schema, case.operation.path, case.method)
    if not declared(case) or sent is None or not accepted or sent in accepted or not response.request.body:
        return None
    if response.status_code in {401, 403, 404, 405, 413, 415, 429}:
        return None
    raise AssertionError(
        f"A body sent as `{sent}` was processed, but the operation only takes {', '.join(sorted(accepted))}:\n"
        f"    {exchange(case, response)}\n"
        "Expected: 415 Unsupported Media Type."
    )


# --- unknown_query_parameters_rejected -----------------------------------------------------------


@schemathesis.check
def unknown_query_parameters_rejected(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case
) -> None:
    """A query parameter the operation does not declare answers 422 naming it, instead of being ignored.

    Statuses decided before the query is read (401, 403, 404, 405, 429) pass too.
    """
    if not declared(case):
        return None
    sent = {name for name, _ in parse_qsl(urlsplit(response.request.url).query, keep_blank_values=True)}
    unknown = sorted(sent - query_parameters(case.operation.schema, case.operation.path, case.method))
    if not unknown or response.status_code in {401, 403, 404, 405, 422, 429}:
        return None
    raise AssertionError(
        f"Query parameters the operation does not declare were ignored: {', '.join(map(repr, unknown))}\n"
        f"    {exchange(case, response)}\n"
        "Expected: 422 `validation_error` naming each unknown parameter."
    )
