"""Flask commands: reference data and demo data."""

from pathlib import Path

import click
import sqlalchemy as sa
from flask import Flask, current_app
from flask.cli import AppGroup

from marketplace.extensions import db
from marketplace.reference import loaders
from marketplace.reference.models import Major

reference_cli = AppGroup("reference", help="Load reference data: regions, occupations, majors.")
demo_cli = AppGroup("demo", help="Demonstration data.")


@reference_cli.command("load")
def load_reference():
    """Load regions, the 2022 occupational classification and the demo major set (idempotent)."""
    regions = loaders.load_regions(db.session)
    occupations = loaders.load_occupations(db.session)
    majors = 0
    if db.session.scalar(sa.select(sa.func.count()).select_from(Major)) == 0:
        majors = loaders.load_majors(db.session, loaders.DEMO_MAJORS_CSV.read_text(encoding="utf-8"))
    else:
        loaders.link_majors_to_occupations(db.session)  # the links may be missing from a database older than them
    db.session.commit()
    click.echo(f"regions +{regions}, occupations +{occupations}, majors +{majors}")


@reference_cli.command("load-majors")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load_majors(path: Path):
    """Load a major catalogue CSV with columns code, name, level (jigong/zhongzhi/gaozhi), category."""
    try:
        added = loaders.load_majors(db.session, path.read_text(encoding="utf-8-sig"))
    except loaders.ReferenceDataError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from exc
    db.session.commit()
    click.echo(f"majors +{added}")


@demo_cli.command("load")
@click.option("--seed", default=2027, show_default=True, help="Random seed: the same seed gives the same data.")
def load_demo(seed: int):
    """Build the four demo alliances with schools, enterprises and logins, unless data already exists."""
    from marketplace.demo.data import DEMO_PASSWORD, demo_logins, has_demo
    from marketplace.demo.students import demo_student_login

    if has_demo():
        click.echo("Demo data already present; nothing loaded.")
    else:
        # The demo ranks (its allocation runs) what it has just written in its one transaction: a process's kept
        # rows read through a connection of their own, which would not see those rows and, on SQLite, would wait
        # for this transaction's write lock. Rank over this session instead.
        kept = current_app.config.get("RANKING_ROWS_KEPT")
        current_app.config["RANKING_ROWS_KEPT"] = False
        try:
            _build_demo(seed)
        finally:
            current_app.config["RANKING_ROWS_KEPT"] = kept
        db.session.commit()
        click.echo("Demo data loaded.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for role, login in demo_logins():
        click.echo(f"  {role:<16} {login}")
    click.echo(f"  {'student':<16} {demo_student_login()} (学号; signs in at the same login page)")


def _build_demo(seed: int) -> None:
    from marketplace.demo.data import build_demo
    from marketplace.demo.destinations import build_destinations
    from marketplace.demo.governance import build_governance
    from marketplace.demo.grading import build_grading
    from marketplace.demo.history import allocation_run, build_history
    from marketplace.demo.internships import build_internships
    from marketplace.demo.market import build_market
    from marketplace.demo.pools import build_pools
    from marketplace.demo.practice import build_practice
    from marketplace.demo.students import build_students
    from marketplace.demo.submissions import build_reporting

    load_reference.callback()
    build_demo(seed)
    build_market(seed)
    build_practice(seed)
    build_history(seed)
    allocation_run()
    build_governance(seed)
    build_reporting(seed)
    build_pools(seed)
    build_internships(seed)
    build_students(seed)
    build_grading(seed)
    build_destinations(seed)


governance_cli = AppGroup("governance", help="Alliance governance: the daily sweep of charter rules and reminders.")


@governance_cli.command("sweep")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), help="Run as of this day (default: today).")
def governance_sweep(on):
    """Apply lapses, flag absences and send the due reminders for every alliance. The queue's consumers run it daily
    (`governance.jobs.daily_sweep`); this runs it now, here."""
    from marketplace.governance.jobs import sweep_all
    from marketplace.timeutil import local_today

    def report(alliance, lines):
        click.echo(f"{alliance.short_name}: {len(lines)} action(s)")
        for line in lines:
            click.echo(f"  {line}")

    sweep_all(on.date() if on else local_today(), report)


def register(app: Flask) -> None:
    app.cli.add_command(reference_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(governance_cli)
    from marketplace.destinations.cli import destinations_cli

    app.cli.add_command(destinations_cli)
