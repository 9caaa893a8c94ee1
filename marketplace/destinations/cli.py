"""`flask destinations snapshot`: the secretariat's dated snapshot from the command line (or a scheduled job)."""

import click
from flask.cli import AppGroup

from marketplace.extensions import db

destinations_cli = AppGroup("destinations", help="Graduate destinations: snapshots of the rates.")


@destinations_cli.command("snapshot")
@click.option("--alliance", "alliance_id", type=int, required=True, help="The alliance's id.")
@click.option("--year", type=int, required=True, help="The cohort's graduation year.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]), help="Snapshot date (default: today).")
def snapshot(alliance_id: int, year: int, as_of):
    """Take the snapshot of one cohort on one date (default 1 September and 31 December: run it on those days)."""
    from marketplace.alliances.models import Alliance
    from marketplace.destinations.snapshots import SnapshotError, take
    from marketplace.timeutil import local_today

    if db.session.get(Alliance, alliance_id) is None:
        raise click.ClickException(f"no alliance {alliance_id}")
    day = as_of.date() if as_of else local_today()
    try:
        taken = take(alliance_id, year, day, actor=None)
    except SnapshotError as exc:
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"snapshot {taken.id}: {taken.graduates} graduates of {year} as of {day.isoformat()}")
