from syndicate.cli import run

run()
