"""Providers turn a source (bundled files, a public API) into the input models
(`models.series`, and `models.sessions`, `models.economic`, `models.capex`).

`base.MarketData` is the one interface sections use; which implementation serves a
run (bundled or live) is chosen by `cli` from `--offline` and the configuration.
"""
