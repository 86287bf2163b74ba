"""Stage 4: the output tree, written all at once (output), and WebSub pings (websub)."""
