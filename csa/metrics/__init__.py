"""One module per KPI. Each separates aggregation (counts and sums per group) from statistics."""
