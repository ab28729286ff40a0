# marketshock configuration, written by `marketshock config init` from the built-in defaults.
# Every key is optional: delete a line to get the default back. The MARKETSHOCK_* environment
# variable named beside a key overrides it. `marketshock config show` prints the effective
# settings and where each came from. Keep this file private if you put an API key in it.

[http]
# seconds to wait for a response, per request (MARKETSHOCK_HTTP_TIMEOUT)
timeout = 10.0
# retries on connect/read errors, HTTP 429 and 5xx (MARKETSHOCK_HTTP_RETRIES)
retries = 3
# requests in flight at once to one host (MARKETSHOCK_HTTP_MAX_PER_HOST)
max_per_host = 8
# largest response body, in MiB after decompression (MARKETSHOCK_HTTP_MAX_BODY_MB)
max_body_mb = 64.0
# seconds one request may take in all (default: timeout x (retries + 1) + 8 x retries) (MARKETSHOCK_HTTP_DEADLINE)
# deadline = 64.0

[providers.yahoo]
# scheme and host; the adapter adds the real path (MARKETSHOCK_YAHOO_BASE_URL)
base_url = "https://query1.finance.yahoo.com"

[providers.coingecko]
# scheme and host; the adapter adds the real path (MARKETSHOCK_COINGECKO_BASE_URL)
base_url = "https://api.coingecko.com"

[providers.coinbase]
# scheme and host; the adapter adds the real path (MARKETSHOCK_COINBASE_BASE_URL)
base_url = "https://api.exchange.coinbase.com"

[providers.fred]
# host of fredgraph.csv (MARKETSHOCK_FRED_BASE_URL)
base_url = "https://fred.stlouisfed.org"
# host of the JSON API (default: api.stlouisfed.org) (MARKETSHOCK_FRED_API_BASE_URL)
# api_base_url = "https://api.stlouisfed.org"

[providers.sec]
# host of the XBRL APIs (MARKETSHOCK_SEC_BASE_URL)
base_url = "https://data.sec.gov"
# host of /files/company_tickers.json (default: www.sec.gov) (MARKETSHOCK_SEC_FILES_BASE_URL)
# files_base_url = "https://www.sec.gov"

[providers.stooq]
# scheme and host; the adapter adds the real path (MARKETSHOCK_STOOQ_BASE_URL)
base_url = "https://stooq.com"

[fred]
# FRED API key; without one the keyless fredgraph.csv is used (MARKETSHOCK_FRED_API_KEY)
# api_key = "your-32-character-fred-api-key"

[sec]
# 'Name contact@example.com': the SEC requires a User-Agent with a contact (MARKETSHOCK_SEC_USER_AGENT)
# user_agent = "Your Name you@example.com"

[snapshot]
# where `snapshot` writes; default: the platform's user data directory (MARKETSHOCK_SNAPSHOT_DIR)
# dir = "~/marketshock/snapshots"

[cache]
# HTTP cache directory; default: the platform's user cache directory (MARKETSHOCK_CACHE_DIR)
# dir = "~/.cache/marketshock"
# false: never read or write the cache (MARKETSHOCK_CACHE_ENABLED)
enabled = true

[curated]
# CSV with the columns of the bundled capex_curated.csv
# capex_file = "~/marketshock/my_capex.csv"
# CSV with the columns of challenger_*_curated.csv
# job_cuts_file = "~/marketshock/my_job_cuts.csv"
# CSV with the columns of etf_flow_quotes_curated.csv
# etf_flows_file = "~/marketshock/my_etf_flows.csv"
# CSV with the columns of crypto_market_cap_curated.csv
# market_cap_file = "~/marketshock/my_market_cap.csv"

[datasets]
# BTC/ETH daily bars (UTC days) with lows; fallback order (MARKETSHOCK_DATASETS_CRYPTO_HISTORY)
crypto_history = [
    "yahoo",
    "coinbase",
]
# index levels: KOSPI, S&P 500, Nikkei 225, Hang Seng, VIX; fallback order (MARKETSHOCK_DATASETS_INDEX_HISTORY)
index_history = [
    "yahoo",
    "stooq",
]
# ETF proxies and stock prices; fallback order (MARKETSHOCK_DATASETS_ETF_HISTORY)
etf_history = [
    "yahoo",
    "stooq",
]
# MSCI Asia ex-Japan day moves: the AAXJ ETF, else reported moves; fallback order (MARKETSHOCK_DATASETS_ASIA_MEASURE)
asia_measure = [
    "yahoo",
    "curated",
]
# weekly jobless claims; fallback order (MARKETSHOCK_DATASETS_CLAIMS)
claims = [
    "fred",
]
# last fiscal year's capex actual; fallback order (MARKETSHOCK_DATASETS_CAPEX_ACTUALS)
capex_actuals = [
    "sec",
    "curated",
]
# total crypto market value (peaks are always curated); fallback order (MARKETSHOCK_DATASETS_MARKET_VALUE)
market_value = [
    "coingecko",
    "curated",
]

[watchlist]
# crypto assets (BTC, SOL: Yahoo SOL-USD, Coinbase SOL-USD): the default universe of every command (-s/-t replace it for one run) (MARKETSHOCK_WATCHLIST_CRYPTO)
crypto = [
    "BTC",
    "ETH",
]
# indices (KOSPI, N225, ^FTSE: Yahoo's symbol): the default universe of every command (-s/-t replace it for one run) (MARKETSHOCK_WATCHLIST_INDICES)
indices = [
    "KOSPI",
    "MSCI-APXJ",
    "SPX",
    "IXIC",
    "N225",
    "HSI",
    "VIX",
]
# ETFs, each named as the proxy it is: the default universe of every command (-s/-t replace it for one run) (MARKETSHOCK_WATCHLIST_ETFS)
etfs = [
    "SPY",
    "QQQ",
    "SMH",
    "EEM",
    "GLD",
    "SLV",
]
# companies for earnings-capex (capex actuals from the SEC): the default universe of every command (-s/-t replace it for one run) (MARKETSHOCK_WATCHLIST_COMPANIES)
companies = [
    "AMZN",
    "GOOGL",
    "MSFT",
    "META",
    "QCOM",
]

[bundled]
# a directory laid out like the bundled dataset (instruments.csv and its files) to use instead of the package's own; default: the package's data (MARKETSHOCK_BUNDLED_DIR)
# dir = "~/marketshock/my_dataset"

[report]
# a day's move of at least this many sigma (MARKETSHOCK_REPORT_HEADLINE_ZSCORE)
headline_zscore = 2.0
# a superlative ('lowest since ...') reaching back at least this many months (MARKETSHOCK_REPORT_HEADLINE_SUPERLATIVE_MONTHS)
headline_superlative_months = 12
# at most this many headlines, the most unusual first (MARKETSHOCK_REPORT_HEADLINES)
headlines = 6
