"""`syndicate serve`: a live preview. site.py builds the served copy, server.py serves it over
HTTP, live.py adds the reload script to its pages, watch.py rebuilds it when a file changes."""
