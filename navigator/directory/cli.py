"""``navigator directory``: build the directory database and check its records."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import click

from .. import settings
from .build import BuildError
from .build import build as build_directory
from .search import DirectoryError, open_directory

STALE_AFTER = timedelta(days=365)


@click.group()
def directory() -> None:
    """Build, check, import and export the HSDS service directory.

    Example: navigator directory build --out directory.db
    """


@directory.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=settings.SHIPPED_DIRECTORY,
              show_default=True, help="Database file to write.")
@click.option("--data", "data_dir", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=settings.DATA_DIR, show_default=True, help="Folder of *services*.csv and needs.yaml.")
def build(out: Path, data_dir: Path) -> None:
    """Rebuild the directory database from the service CSVs (same input, same content).

    Example: navigator directory build --out /tmp/directory.db
    """
    try:
        report = build_directory(out, data_dir)
    except BuildError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"{report.out}: {report.services} services from {', '.join(report.sources)}; built {report.built}")


@directory.command()
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=settings.SHIPPED_DIRECTORY,
              show_default=True, help="Directory database to check.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Date to judge staleness against (default: today).")
@click.option("--strict", is_flag=True, help="Exit with status 1 when any record needs attention.")
def check(db: Path, today: datetime | None, strict: bool) -> None:
    """Report records not verified in 12 months, or missing a phone or a service area.

    Example: navigator directory check --strict
    """
    try:
        opened = open_directory(db)
    except DirectoryError as exc:
        raise click.ClickException(str(exc)) from None
    as_of = today.date() if today else date.today()
    problems = 0
    for service in opened.services():
        reasons = []
        if service.last_verified is None or as_of - service.last_verified > STALE_AFTER:
            reasons.append(f"not verified since {service.last_verified or 'ever'}")
        if not service.phones:
            reasons.append("no phone")
        if not service.service_areas:
            reasons.append("no service area")
        if reasons:
            problems += 1
            click.echo(f"{service.name} [{service.id}]: {'; '.join(reasons)}")
    click.echo(f"{problems} of {opened.info().services} records need attention")
    if strict and problems:
        raise SystemExit(1)
