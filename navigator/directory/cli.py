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


@directory.command("export")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True,
              help="json: a list of HSDS 3.0 service documents; csv: an HSDS 3.0 Tabular Data Package folder.")
@click.option("--db", type=click.Path(dir_okay=False, path_type=Path), default=settings.SHIPPED_DIRECTORY,
              show_default=True, help="Directory database to export.")
@click.argument("out", type=click.Path(path_type=Path))
def export(fmt: str, db: Path, out: Path) -> None:
    """Export the directory as HSDS 3.0: JSON service documents or a CSV data package.

    Example: navigator directory export --format csv /tmp/hsds
    """
    # Imported here so the other directory commands start without the HSDS machinery.
    from .interchange import export_csv, export_json

    try:
        if fmt == "json":
            click.echo(f"{out}: {export_json(db, out)} service documents")
        else:
            click.echo(f"{out}: {export_csv(db, out)} rows in an HSDS 3.0 data package")
    except (DirectoryError, OSError) as exc:
        raise click.ClickException(str(exc)) from None


@directory.command("import")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--into", type=click.Path(dir_okay=False, path_type=Path), default=settings.SHIPPED_DIRECTORY,
              show_default=True, help="Directory database to replace (only if the whole import succeeds).")
def import_(path: Path, into: Path) -> None:
    """Import an HSDS 3.0 CSV package folder or a JSON file of service documents.

    Example: navigator directory import /tmp/hsds --into /tmp/directory.db
    """
    from .interchange import import_path

    try:
        report = import_path(path, into)
    except (DirectoryError, OSError) as exc:
        raise click.ClickException(str(exc)) from None
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"{report.into}: {report.services} services, {report.rows} HSDS records, "
               f"{report.needs_linked} need links added from matching taxonomy terms")
