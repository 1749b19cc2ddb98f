"""``GET /healthz``: is the app up, and which directory is it serving."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, jsonify
from flask.typing import ResponseReturnValue

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> ResponseReturnValue:
    """Answer 200 with the directory's record count and build date."""
    from .. import directory

    info = directory.open_directory(current_app.config["NAVIGATOR_DIRECTORY"]).info()
    return jsonify(status="ok", services=info.services, built=info.built)


def init_app(app: Flask) -> None:
    """Register the health check."""
    app.register_blueprint(bp)
