"""`config init | show | path`, config.example.toml, and broken config files through the CLI."""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest

from harness import PROJECT, home_dir, invoke, process
from marketshock import config

SECRET = "abcdef0123456789abcdef0123456789"


def test_config_example_in_the_repository_is_what_init_writes():
    assert (PROJECT / "config.example.toml").read_text(encoding="utf-8") == config.template(), (
        "regenerate it: python -m marketshock --config config.example.toml config init --force"
    )


def test_template_is_toml_that_loads_as_the_defaults(tmp_path: Path):
    text = config.template()
    assert config.Settings.model_validate(tomllib.loads(text)) == config.Settings()
    lines = text.splitlines()
    keys = [i for i, line in enumerate(lines) if " = " in line and not line.startswith("# ")]
    defaults = config._leaves(config.Settings().model_dump())
    # every key with a default value; the unset ones (API key, directories) and the [[alerts]] rules
    # (none by default) are commented-out examples
    assert len(keys) == sum(value is not None for key, value in defaults.items() if key != "alerts")
    for i in keys:  # each is explained just above, with the environment variable that overrides it
        assert lines[i - 1].startswith("# ") and "(MARKETSHOCK_" in lines[i - 1]


def test_the_unvalidated_defaults_keep_every_rule_of_their_fields():
    # A run without a config file or variable takes Settings.defaults() as they are, unvalidated.
    defaults = config.Settings.defaults()
    assert config.Settings.model_validate(defaults.model_dump()) == defaults == config.Settings()


def test_the_settings_keys_are_the_leaves_of_the_defaults():
    assert config.keys() == list(config._leaves(config.Settings().model_dump()))


def test_a_run_without_a_config_file_or_variable_builds_no_settings_validator(tmp_path: Path):
    # Building the 18 settings models' validators costs ~10 ms; nothing needs them then.
    check = (
        "from marketshock import config\n"
        "loaded = config.load(environ={})\n"
        "assert not loaded.file_exists and set(loaded.origins.values()) == {'default'}\n"
        "built = [m.__name__ for m in (config.Settings, config.HttpSettings, config.ProvidersSettings,"
        " config.ProviderSettings, config.DatasetsSettings) if m.__pydantic_complete__]\n"
        "print(built)\n"
    )
    run = process(argv=[sys.executable, "-c", check], env={"HOME": str(tmp_path), "XDG_CONFIG_HOME": None})
    assert (run.code, run.out) == (0, "[]\n"), run.err


def test_one_variable_validates_the_settings_it_is_part_of(tmp_path: Path):
    loaded = config.load(environ={"MARKETSHOCK_HTTP_TIMEOUT": "2.5"})
    assert loaded.settings.http.timeout == 2.5 and loaded.origins["http.timeout"] == "environment"
    with pytest.raises(config.ConfigError, match="MARKETSHOCK_HTTP_TIMEOUT"):
        config.load(environ={"MARKETSHOCK_HTTP_TIMEOUT": "-1"})


def test_init_writes_the_template_to_the_default_path_and_prints_it():
    home = home_dir()
    result = invoke("config", "init")
    target = home / "config" / "marketshock" / "config.toml"
    assert (result.code, result.out) == (0, f"{target}\n")
    assert target.read_text() == config.template()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_init_makes_the_file_private_because_an_api_key_may_go_there(tmp_path: Path):
    target = tmp_path / "c.toml"
    assert invoke("--config", str(target), "config", "init").code == 0
    assert target.stat().st_mode & 0o777 == 0o600


def test_init_refuses_to_overwrite_without_force(tmp_path: Path):
    target = tmp_path / "c.toml"
    target.write_text("[http]\ntimeout = 5.0\n")
    result = invoke("--config", str(target), "config", "init")
    assert result.code == 2
    assert "--force" in result.err and str(target) in result.err
    assert target.read_text() == "[http]\ntimeout = 5.0\n"
    assert invoke("--config", str(target), "config", "init", "--force").code == 0
    assert target.read_text() == config.template()


def test_path_follows_option_then_environment_then_default(tmp_path: Path, monkeypatch):
    home = home_dir()
    assert invoke("config", "path").out == f"{home / 'config' / 'marketshock' / 'config.toml'}\n"
    monkeypatch.setenv("MARKETSHOCK_CONFIG", str(tmp_path / "env.toml"))
    assert invoke("config", "path").out == f"{tmp_path / 'env.toml'}\n"
    assert invoke("--config", str(tmp_path / "opt.toml"), "config", "path").out == f"{tmp_path / 'opt.toml'}\n"


def _show_rows(out: str) -> dict[str, tuple[str, str]]:
    """key -> (value, origin), cut at the columns of the plain table's header."""
    header, *lines = out.splitlines()[1:]
    at_value, at_origin = header.index("value"), header.index("origin")
    return {line[:at_value].strip(): (line[at_value:at_origin].strip(), line[at_origin:].strip()) for line in lines}


def test_show_says_where_each_setting_came_from(tmp_path: Path, monkeypatch):
    target = tmp_path / "c.toml"
    target.write_text('[http]\ntimeout = 5.0\n[providers.yahoo]\nbase_url = "http://127.0.0.1:9"\n')
    monkeypatch.setenv("MARKETSHOCK_HTTP_RETRIES", "7")
    result = invoke("--config", str(target), "config", "show")
    assert result.code == 0
    assert result.out.splitlines()[0] == f"config file: {target} (found)"
    rows = _show_rows(result.out)
    assert rows["http.timeout"] == ("5.0", "file")
    assert rows["providers.yahoo.base_url"] == ("http://127.0.0.1:9", "file")
    assert rows["http.retries"] == ("7", "environment (MARKETSHOCK_HTTP_RETRIES)")
    assert rows["http.max_per_host"] == ("8", "default")


def test_show_names_the_directories_the_defaults_resolve_to():
    home = home_dir()
    rows = _show_rows(invoke("config", "show").out)
    assert rows["snapshot.dir"] == (str(home / "data" / "marketshock" / "snapshots"), "default")
    assert rows["cache.dir"] == (str(home / "cache" / "marketshock"), "default")


def test_show_masks_the_fred_key_from_the_file_and_from_the_environment(tmp_path: Path, monkeypatch):
    target = tmp_path / "c.toml"
    target.write_text(f'[fred]\napi_key = "{SECRET}"\n')
    from_file = invoke("--config", str(target), "config", "show")
    monkeypatch.setenv("MARKETSHOCK_FRED_API_KEY", SECRET[::-1])
    from_env = invoke("-v", "--config", str(target), "config", "show")
    for result in (from_file, from_env):
        assert SECRET not in result.out + result.err and SECRET[::-1] not in result.out + result.err
        assert _show_rows(result.out)["fred.api_key"][0] == "(set, hidden)"


def test_sources_and_show_never_print_the_key_in_a_real_process(tmp_path: Path):
    env = {"MARKETSHOCK_FRED_API_KEY": SECRET}
    for args in (("config", "show"), ("sources",), ("-v", "crypto", "--offline")):
        result = process(*args, env=env)
        assert result.code == 0
        assert SECRET not in result.out + result.err


# --- a broken config: one line naming file, key and problem; exit 2 ----------------------

BROKEN = [
    ("bad TOML", "[http\ntimeout = 5\n", "invalid TOML"),
    ("unknown key", "[http]\ntimeout = 5\nspeed = 9\n", "http.speed: unknown key"),
    ("wrong type", '[http]\ntimeout = "soon"\n', "http.timeout:"),
    ("unknown section", "[proxies]\nhttp = 1\n", "proxies: unknown key"),
]


@pytest.mark.parametrize(("case", "text", "problem"), BROKEN, ids=[b[0] for b in BROKEN])
@pytest.mark.parametrize("args", [("config", "show"), ("crypto", "--offline"), ("snapshot", "--offline")])
def test_a_broken_config_is_one_line_naming_file_and_key_and_exit_2(tmp_path, case, text, problem, args):
    target = tmp_path / "broken.toml"
    target.write_text(text)
    result = invoke("--config", str(target), *args)
    assert (result.code, result.out) == (2, "")
    assert result.err.count("\n") == 1
    assert result.err.startswith(f"marketshock: error: {target}: ")
    assert problem in result.err


def test_a_broken_config_in_a_real_process_has_no_traceback(tmp_path: Path):
    target = tmp_path / "broken.toml"
    target.write_text("[http]\nretries = -1\n")
    result = process("--config", str(target), "crypto", "--offline")
    assert result.code == 2
    assert result.err.startswith(f"marketshock: error: {target}: http.retries:")
    assert "Traceback" not in result.err


def test_a_config_path_under_a_user_with_no_home_directory_is_one_line_and_exit_2():
    result = invoke("--config", "~0", "chart", "2026-02-06")  # found by the CLI fuzz test
    assert result.code == 2
    assert result.err == "marketshock: error: config file ~0 (from --config): no home directory for ~0\n"


def test_a_bad_environment_variable_names_the_variable(monkeypatch):
    monkeypatch.setenv("MARKETSHOCK_HTTP_TIMEOUT", "soon")
    result = invoke("config", "show")
    assert result.code == 2
    assert "MARKETSHOCK_HTTP_TIMEOUT" in result.err


def test_template_shows_an_alert_rule_that_loads_when_uncommented():
    text = config.template()
    start = text.index("# [[alerts]]")
    example = "\n".join(line.removeprefix("# ") for line in text[start:].splitlines())
    (rule,) = config.Settings.model_validate(tomllib.loads(example)).alerts
    assert rule.name == "btc-crash" and "shock.max_abs_zscore" in rule.when


def test_config_show_counts_notification_urls_and_never_prints_them(tmp_path: Path):
    path = tmp_path / "config.toml"
    path.write_text('[[alerts]]\nname = "r"\nwhen = "a.b.c > 1"\nnotify = ["tgram://bot-secret/chat"]\n')
    result = invoke("--config", str(path), "config", "show")
    assert "r: a.b.c > 1 (notify: 1)" in result.out and "bot-secret" not in result.out
