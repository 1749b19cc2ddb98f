"""The Flask app factory: settings, blueprints, nothing else."""
from __future__ import annotations

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
    return app
