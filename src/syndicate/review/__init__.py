"""What a build would do, with nothing written: check, explain, the feeds overview."""
