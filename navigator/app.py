"""The Flask app factory: settings, blueprints, nothing else."""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask

from . import settings


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the navigator web app; ``config`` wins over the environment."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(settings.from_environment())
    app.config["SECRET_KEY"] = app.config["NAVIGATOR_SECRET_KEY"]
    if config:
        app.config.update(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    if not app.config["NAVIGATOR_STATE_DB"]:
        app.config["NAVIGATOR_STATE_DB"] = str(Path(app.instance_path) / "state.db")

    from .channels import health

    health.init_app(app)

    from .channels import sms

    sms.init_app(app)

    from .channels import hsds_api

    hsds_api.init_app(app)

    from .channels import web

    web.init_app(app)

    from .channels import operator

    operator.init_app(app)

    from .directory import DirectoryError, open_directory

    # Load the search facts now so the first resident does not wait for them; a missing
    # or unreadable directory is reported by the requests that need it, not at start-up.
    try:
        open_directory(app.config["NAVIGATOR_DIRECTORY"]).facets()
    except (DirectoryError, OSError, sqlite3.Error) as exc:
        app.logger.warning("directory not loaded at start-up: %s", exc)
    return app
