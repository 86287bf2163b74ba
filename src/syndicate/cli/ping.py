"""`syndicate ping`: tell WebSub hubs which feeds the last build changed."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from syndicate.cli import report
from syndicate.cli.options import (
    config_option,
    flags,
    out_option,
    recover_output,
    user_errors,
    verbosity,
)


@click.command("ping")
@config_option("The feeds config (site.websub_hubs, base_url).")
@out_option("The output folder the last build wrote.")
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1, max=300),
    default=10.0,
    show_default=True,
    metavar="S",
    help="Seconds to wait for each answer.",
)
@click.option(
    "--retries",
    type=click.IntRange(min=0, max=10),
    default=3,
    show_default=True,
    metavar="N",
    help="Retries after a network error, a timeout, 408, 429 or 5xx (backoff 1, 2, 4... s).",
)
@verbosity
def ping_command(
    config_path: Path,
    out_dir: Path,
    timeout: float,
    retries: int,
    quiet: bool,
    verbose: bool,
) -> None:
    """Tell each WebSub hub (site.websub_hubs) which feeds the last build changed.

    One publish notification (hub.mode=publish, hub.url=FEED URL) per hub and changed feed
    file, as recorded by `syndicate build` in OUT/.syndicate-changes.json. Exit status: 0
    every hub accepted every notification (or nothing changed), 1 some notification failed,
    2 usage or config error (no hub configured, no build record).
    """
    from syndicate.config import load as load_config
    from syndicate.publish import websub

    quiet, verbose = flags(quiet, verbose)
    recover_output(out_dir, sweep=False)  # the changes record of a whole build
    with user_errors(verbose):
        config = load_config(config_path)
        topics = websub.changed_topics(config, out_dir)
    hubs = config.site.websub_hubs or []
    if not topics:
        if not quiet:
            click.echo("the last build changed no feed: no hub notified")
        sys.exit(0)
    results = websub.ping(hubs, topics, timeout, retries)
    for line in report.ping_lines(results, quiet):
        click.echo(line)
    sys.exit(0 if all(r.accepted == len(r.deliveries) for r in results) else 1)
