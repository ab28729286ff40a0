"""One module a command: ask providers (concurrently), run analytics, return a result model."""
