"""Providers turn a source (bundled files, a public API) into `models.series`.

`base.MarketData` is the one interface sections use; which implementation serves a
run (bundled or live) is chosen by `cli` from `--offline` and the configuration.
"""
