"""Experiments as data: replications and their seeds, where they run (serially, local processes,
Dask), the tables of a run and their aggregation, and run / compare / sweep, each returning a typed
result of tidy DataFrames."""
