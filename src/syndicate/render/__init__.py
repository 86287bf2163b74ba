"""Stage 3: bytes for people and readers: the format-neutral view (entry), each feed's files
(feed), the formats (writers/), and the HTML pages with their templates."""
