import json
import subprocess
import sys


def test_report_offline_json_runs_end_to_end():
    out = subprocess.run(
        [sys.executable, "-m", "marketshock", "report", "--offline", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    envelope = json.loads(out.stdout)
    assert envelope["command"] == "report"
    assert envelope["errors"] == []
    btc = envelope["data"]["crypto"]["assets"][0]
    assert btc["lowest_since"] == "2024-10-11"
