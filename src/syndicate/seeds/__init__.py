"""Stage 1: find seed files and read each into a Seed (or Problems): front matter, YAML with
lines, repairs, the Seed model, URLs, and the small Candidate that selection keeps."""
