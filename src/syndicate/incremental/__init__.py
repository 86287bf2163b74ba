"""The seam that makes rebuilds fast: the parse cache, the build memo, the incremental update
and the forked cache writer. A full build is the same pipeline with this switched off."""
