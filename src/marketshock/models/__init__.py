"""Pydantic models: the contract between providers, analytics, sections and output.

`series` holds what providers return (normalized market data with its source);
`results` holds what sections compute; `envelope` wraps a result for `--json`.
"""
