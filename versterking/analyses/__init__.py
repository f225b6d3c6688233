"""Questions asked of many runs: terug redeneren (the least extra capacity that meets a date) and
which parameters move the end date most."""
