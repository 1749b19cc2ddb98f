"""The operator console: ``/operator`` behind ``/operator/login``.

Every route of this blueprint but the login page refuses anonymous users
(a redirect to the login page, or 401 for ``/operator/api/*``).  Every
state-changing request carries a CSRF token (Flask-WTF, checked only here so
the Twilio webhook and the chat API keep their own protections).  The
session cookie is Secure, HttpOnly and SameSite=Lax.  Search, record
editing and live handoff routes live in the ``operator_*`` modules.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_wtf.csrf import CSRFError, CSRFProtect

from ..users import RateLimited, User, Users

log = logging.getLogger(__name__)
bp = Blueprint("operator", __name__, url_prefix="/operator")
csrf = CSRFProtect()
SESSION_HOURS = 12
_PUBLIC = {"operator.login"}
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
F = TypeVar("F", bound=Callable[..., Any])


def users() -> Users:
    """Return the account store of the app's state database."""
    found = current_app.extensions.get("navigator_users")
    if found is None:
        found = Users(current_app.config["NAVIGATOR_STATE_DB"])
        current_app.extensions["navigator_users"] = found
    return found


def current_user() -> User | None:
    """Return the logged-in user of this request, or None."""
    return getattr(g, "operator_user", None)


def wants_json() -> bool:
    """Tell whether this request is the console's script rather than a page load."""
    return request.path.startswith("/operator/api/") or request.accept_mimetypes.best == "application/json"


def refuse(status: int, message: str) -> ResponseReturnValue:
    """Return a JSON error for the console's script, or an error page."""
    if wants_json():
        response = jsonify(error={"code": status, "message": message})
        response.status_code = status
        return response
    return render_template("operator/error.html", message=message, status=status), status


def _role_required(allowed: Callable[[User], bool], message: str) -> Callable[[F], F]:
    def decorate(view: F) -> F:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = current_user()
            if user is None or not allowed(user):
                return refuse(403, message)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorate


editor_required = _role_required(lambda user: user.can_edit, "Only editors can change directory records.")
admin_required = _role_required(lambda user: user.role == "admin", "Only administrators can see accounts.")


@bp.before_request
def _guard() -> ResponseReturnValue | None:
    g.operator_user = _session_user()
    if request.endpoint not in _PUBLIC and g.operator_user is None:
        if wants_json():
            return refuse(401, "Log in first.")
        return redirect(url_for("operator.login", next=request.full_path.rstrip("?")))
    if request.method in _UNSAFE:
        csrf.protect()
    return None


def _session_user() -> User | None:
    name, since = session.get("operator"), session.get("login_at")
    if not isinstance(name, str) or not isinstance(since, str):
        return None
    try:
        started = datetime.fromisoformat(since)
    except ValueError:
        return None
    if datetime.now(UTC) - started > timedelta(hours=SESSION_HOURS):
        return None
    # Read the account each time: a removed account or a changed role applies at once.
    return users().get(name)


def _safe_next(target: str | None) -> str:
    # Only a path inside the console: an open redirect would make the login page a phishing aid.
    if target and target.startswith("/operator") and not urlsplit(target).netloc and "\\" not in target:
        return target
    return url_for("operator.console")


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the login form; on POST, check the password and start a session."""
    error, status = None, 200
    if request.method == "POST":
        name = request.form.get("name", "")
        password = request.form.get("password", "")
        try:
            user = users().authenticate(name, password, request.remote_addr or "-")
        except RateLimited as limited:
            minutes = max(1, int(limited.retry_after.total_seconds() // 60) + 1)
            error, status = f"Too many failed attempts. Try again in {minutes} minutes.", 429
        else:
            if user is not None:
                session.clear()
                session["operator"] = user.name
                session["login_at"] = datetime.now(UTC).isoformat()
                log.info("operator %s logged in", user.name)
                return redirect(_safe_next(request.args.get("next")))
            log.info("failed operator login from %s", request.remote_addr)
            error, status = "That name and password do not match.", 401
    html = render_template("operator/login.html", error=error, next=request.args.get("next", ""))
    return Response(html, status=status, mimetype="text/html")


@bp.get("/users")
@admin_required
def accounts() -> ResponseReturnValue:
    """List the console's accounts and their roles (created with ``navigator users add``)."""
    return render_template("operator/users.html", accounts=users().all())


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    """End the session."""
    session.clear()
    return redirect(url_for("operator.login"))


@bp.errorhandler(CSRFError)
def _csrf_error(error: CSRFError) -> ResponseReturnValue:
    return refuse(400, "The form expired or was not sent from the console. Reload the page and try again.")


@bp.after_request
def _headers(response: Response) -> Response:
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    # Callers' details are on these pages: never keep them in a shared cache or the back button.
    response.headers["Cache-Control"] = "no-store"
    return response


def init_app(app: Flask) -> None:
    """Register the console with its cookie and CSRF settings."""
    app.config["SESSION_COOKIE_SECURE"] = True
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    # CSRF is checked by this blueprint's guard only: /sms and /api/chat have their own protections.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", SESSION_HOURS * 3600)
    csrf.init_app(app)
    app.register_blueprint(bp)
    operator_live.init_app(app)


# The console's other routes join the blueprint before any app registers it.
from . import operator_edit, operator_live, operator_search, operator_send  # noqa: F401

__all__ = ["admin_required", "bp", "current_user", "editor_required", "init_app", "refuse", "users"]
