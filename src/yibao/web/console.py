"""The clerk console's side of the services: who is logged in, calling a use case in
process, and its refusals as words beside the form's fields.

    who: StaffLogin                                      # a page's dependency
    who.require(CLERK)                                    # Forbidden, before the form
    made = await who.call(persons.register_person, checked(PersonIn, body))

The staff member comes from the HttpOnly cookie's token through
:func:`yibao.http.auth.actor_for`, the check the API makes of a bearer token (one check per
request); :meth:`Staff.call` applies the role requirement the API route applies
(:func:`yibao.http.auth.require`) and runs the use case in a worker thread, so roles,
validation, the audit log and the refusals' words are the API's own without an HTTP call.
A missing or expired token raises :class:`LoginRequired` (answered by a redirect to the
login page); a refused call raises the service's error (``InputError``, ``NotFound``,
``Conflict``, ``Forbidden``, ...), which :func:`field_errors` puts beside the field it
names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar

import anyio.to_thread
from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, TypeAdapter, ValidationError
from starlette.responses import RedirectResponse, Response

from yibao.errors import YibaoError
from yibao.http.auth import ANY_STAFF, AUDIT, CLERK, actor_for, require
from yibao.http.errors import status_of
from yibao.services.common import Actor, Role
from yibao.services.errors import Unauthorized
from yibao.store.db import Database
from yibao.validation import DbId, input_error
from yibao.web.forms import FieldErrors
from yibao.web.plain import error_words

__all__ = [
    "ROLE_COOKIE",
    "TOKEN_COOKIE",
    "LoginRequired",
    "Staff",
    "StaffLogin",
    "checked",
    "current_staff",
    "field_errors",
    "install_login_redirect",
    "row_id",
    "status_of",
]

TOKEN_COOKIE = "yibao_staff"
ROLE_COOKIE = "yibao_role"

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)


class LoginRequired(Exception):
    """No valid staff token: send the browser to ``/clerk/login``."""


@dataclass(frozen=True)
class Staff:
    """Who is logged in to the console, and the registry they act on."""

    actor: Actor
    db: Database

    @property
    def username(self) -> str:
        return self.actor.username

    @property
    def role(self) -> Role:
        return self.actor.role

    @property
    def writes(self) -> bool:
        """Clerks and admins register, record and change; auditors only read."""
        return self.role in CLERK

    @property
    def audits(self) -> bool:
        return self.role in AUDIT

    def require(self, roles: tuple[Role, ...]) -> None:
        """:class:`~yibao.services.errors.Forbidden` (as the API says it) unless the role is
        one of ``roles``; checked before the form, as the API checks before the body."""
        require(self.actor, roles)

    async def call(self, use_case: Callable[..., T], *args: Any,
                   roles: tuple[Role, ...] = ANY_STAFF, **kwargs: Any) -> T:
        """``use_case(db, actor, *args, **kwargs)`` in a worker thread, for a role in
        ``roles``."""
        self.require(roles)
        run = functools.partial(use_case, self.db, self.actor, *args, **kwargs)
        return await anyio.to_thread.run_sync(run)

    async def read(self, query: Callable[..., T], *args: Any,
                   roles: tuple[Role, ...] = ANY_STAFF, **kwargs: Any) -> T:
        """``query(db, *args, **kwargs)`` in a worker thread, for a role in ``roles``: a
        read that names nobody (reconciliation runs, a coverage year's report)."""
        self.require(roles)
        run = functools.partial(query, self.db, *args, **kwargs)
        return await anyio.to_thread.run_sync(run)


async def current_staff(request: Request) -> Staff:
    """The logged-in staff member; :class:`LoginRequired` when there is none.

    Every console page asks this first, so that no form is shown to a visitor who is
    not logged in (what they typed would be lost on submit).
    """
    try:
        actor = await actor_for(request, request.cookies.get(TOKEN_COOKIE))
    except Unauthorized:
        raise LoginRequired from None
    db: Database = request.app.state.db
    return Staff(actor, db)


StaffLogin = Annotated[Staff, Depends(current_staff)]


def checked(model: type[M], body: Mapping[str, Any]) -> M:
    """The form's body as the use case's input, checked as the API checks a JSON body
    (the same codes and words: :func:`yibao.validation.input_error`)."""
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise input_error(exc.errors()) from None


_ROW_ID: TypeAdapter[int] = TypeAdapter(DbId)


def row_id(value: int, field: str) -> int:
    """A row id from an address, checked as the API checks one in a path (1 .. 2^31-1: a
    larger number is ``invalid_value``, not a database error)."""
    try:
        return _ROW_ID.validate_python(value)
    except ValidationError as exc:
        raise input_error([{**e, "loc": (field,)} for e in exc.errors()]) from None


def field_errors(exc: YibaoError,
                 labels: Mapping[str, tuple[str, str]] | set[str] | None = None) -> FieldErrors:
    """``{field: (zh, en)}`` in words naming the form's label; a field the form does not
    have goes to ``_form``. ``labels`` maps the services' field names to the form's labels."""
    known = labels if isinstance(labels, Mapping) else {k: (k, k) for k in labels or ()}
    text = error_words(exc.code, str(exc.field or ""), exc.message, exc.message_en, known)
    return {text.field: (text.zh, text.en)}


async def _to_login(request: Request, _exc: Exception) -> Response:
    target = "/clerk/login"
    if request.method == "GET" and request.url.path != target:
        target += f"?next={request.url.path}"
    response = RedirectResponse(target, status_code=303)
    response.delete_cookie(TOKEN_COOKIE, path="/")
    return response


def install_login_redirect(app: FastAPI) -> None:
    """Answer :class:`LoginRequired` with a redirect to the login page; a console address
    with a value no field can take (``?page=x``) with a page in words, not JSON."""
    app.add_exception_handler(LoginRequired, _to_login)
    app.add_exception_handler(RequestValidationError, _bad_address)


async def _bad_address(request: Request, exc: Exception) -> Response:
    """A console page's address or form with a value of the wrong kind: the words of the
    API's refusal on a page (the API's own addresses keep their JSON error)."""
    from yibao.http.errors import error_response
    from yibao.web.templating import render

    assert isinstance(exc, RequestValidationError)
    err = input_error(exc.errors())
    if not request.url.path.startswith("/clerk"):
        return error_response(422, err.code, err.message, err.message_en, err.field)
    ctx = {"problem": (err.message, err.message_en), "back": request.url.path}
    return render(request, "clerk/bad_address.html", ctx, status_code=422)
