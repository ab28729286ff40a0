"""marketshock: one trustworthy snapshot of a market shock, for a terminal, a script or a cron job."""

__version__ = "0.1.0"
