"""Stage 2: which items each feed publishes: rules (a config field and its predicate side by
side) and select (filter, one item per URL, order, limit, archive pages)."""
