"""The ``dedupe-kit`` command: a thin shell over the library."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path

import click

from .config import Config
from .errors import DedupeKitError, InputError
from .files import write_csv, write_figure, write_text
from .load import load
from .normalize import normalize
from .evaluate import blocking_recall, pair_scores
from .profile import profile as build_profile
from .review.store import stored_decisions
from .run import run as run_pipeline


def _library_errors(command):
    """Turn a library error into a clean CLI error (exit code 1, no traceback)."""

    @functools.wraps(command)
    def wrapper(*args, **kwargs):
        try:
            return command(*args, **kwargs)
        except DedupeKitError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


def _config(path: Path | None, region: str | None) -> Config:
    config = Config.from_toml(path) if path else Config()
    if region:
        config = dataclasses.replace(config, normalize=dataclasses.replace(config.normalize, default_region=region))
    return config


input_options = [
    click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=Path),
                 help="TOML config (column roles, normalization, thresholds)."),
    click.option("--region", help="Default phone region, e.g. US, FR, GB (overrides the config)."),
    click.option("--encoding", help="Input encoding (detected when not given)."),
    click.option("--delimiter", help="CSV delimiter (detected when not given); use '\\t' for tab."),
    click.option("--sheet", help="Sheet of an .xlsx workbook (the first when not given)."),
]


def with_input_options(command):
    for option in reversed(input_options):
        command = option(command)
    return command


@click.group()
@click.version_option(package_name="dedupe_kit")
def main() -> None:
    """Find, review and merge duplicate contacts in CRM exports."""


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_input_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the report, its tables, the chart and the config used.")
@_library_errors
def profile(file: Path, config_path: Path | None, region: str | None, encoding: str | None,
            delimiter: str | None, sheet: str | None, out: Path | None) -> None:
    """Report the data quality of FILE before deduplicating it."""
    config = _config(config_path, region)
    delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
    contacts = load(file, config, encoding=encoding, delimiter=delimiter, sheet=sheet)
    report = build_profile(contacts, normalize(contacts, config, progress=None), config)
    click.echo(str(report))
    if out is None:
        return
    protect = (file,)
    used = dataclasses.replace(config, fields=contacts.field_map.to_dict(contacts.columns))
    write_text(out / "config.toml", used.to_toml(), protect=protect)
    write_text(out / "profile.txt", str(report) + "\n", protect=protect)
    for name in ("mapping", "invalid", "shared", "taken", "exact_duplicates"):
        write_csv(out / f"profile_{name}.csv", getattr(report, name), protect=protect)
    write_figure(out / "profile.png", report.plot(), protect=protect)
    click.echo(f"\nwrote the profile, its tables, profile.png and config.toml to {out}/")


@main.command()
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@with_input_options
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True,
              help="Folder for profile.txt, crosswalk.csv, pairs.csv, summary.txt, scores.png and the config used.")
@click.option("--truth", type=click.Path(dir_okay=False, path_type=Path),
              help="Labelled data (record ID, entity ID) to report blocking recall, precision and recall.")
@_library_errors
def run(file: Path, config_path: Path | None, region: str | None, encoding: str | None,
        delimiter: str | None, sheet: str | None, out: Path, truth: Path | None) -> None:
    """Find the duplicates of FILE automatically and write the crosswalk."""
    config = _config(config_path, region)
    delimiter = "\t" if delimiter in ("\\t", "tab") else delimiter
    contacts = load(file, config, encoding=encoding, delimiter=delimiter, sheet=sheet)
    result = run_pipeline(contacts, config, decisions=stored_decisions(out, contacts), progress=None)
    result.write(out)
    click.echo(result.summary())
    if truth is not None:
        entities = _truth_entities(truth, result.crosswalk["record_id"])
        click.echo(f"blocking recall           {blocking_recall(result.candidates.pairs, entities):>10.3f}")
        click.echo(f"groups vs truth           {pair_scores(result.crosswalk['cluster_id'], entities)}")
    click.echo(f"wrote profile.txt, crosswalk.csv, pairs.csv, summary.txt, scores.png, config.toml and run.json to {out}/")


def _truth_entities(path: Path, record_ids) -> list[str]:
    """The entity of each record, from a CSV whose first two columns are record ID and entity ID."""
    truth = load(path).frame
    entity_of = dict(zip(truth.iloc[:, 0], truth.iloc[:, 1]))
    missing = [r for r in record_ids if r not in entity_of]
    if missing:
        raise InputError(f"{path}: no entity for record ID {missing[0]!r} ({len(missing)} missing)")
    return [entity_of[r] for r in record_ids]


@main.command()
@click.argument("out_dir", metavar="DIR", type=click.Path(file_okay=False, path_type=Path))
@click.option("--voila/--lab", "voila", default=True,
              help="Serve a Voila page (default) or open the review notebook in JupyterLab.")
@click.option("--ip", default="127.0.0.1", show_default=True, help="Address to listen on (0.0.0.0: every network).")
@click.option("--port", type=int, help="Port to listen on (a free one when not given).")
@click.option("--token", help="Token the page asks for (random when not given; '' turns it off).")
@click.option("--no-browser", is_flag=True, help="Print the address without opening a browser.")
@_library_errors
def review(out_dir: Path, voila: bool, ip: str, port: int | None, token: str | None, no_browser: bool) -> None:
    """Review the doubtful pairs of a run's output folder DIR in the browser.

    Decisions are saved at once in DIR/review.sqlite; `dedupe-kit run ... --out DIR`
    and the next review reuse them.
    """
    from .review.serve import serve

    serve(out_dir, lab=not voila, ip=ip, port=port, token=token, browser=not no_browser, echo=click.echo)
