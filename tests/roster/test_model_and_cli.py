"""Bad input is one clear line (ConfigError, CLI exit 2); the CLI's verdict is its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cutover.errors import ConfigError
from cutover.roster.canonical import instance_sha256, plan_sha256
from cutover.roster.parse import load_instance, load_plan, parse_instance
from tests.roster.builders import all_to, instance, plan, shift

REPO = Path(__file__).resolve().parents[2]


def good() -> tuple[dict[str, Any], dict[str, Any]]:
    shifts = [shift("T0001", "2026-01-12T06:00", 300, 200)]
    return instance(shifts), all_to("DRV001", shifts)


def write(tmp: Path, name: str, doc: Any) -> Path:
    path = tmp / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc), encoding="utf-8")
    return path


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cutover.cli", "roster", "validate", *args],
                          capture_output=True, text=True, cwd=REPO, timeout=60, check=False)


def _mutations() -> list[tuple[str, Any, str]]:
    """(label, mutated instance or raw text, expected message part)."""
    inst, _ = good()
    cases: list[tuple[str, Any, str]] = [("not json", "{not json", "invalid JSON"),
                                         ("array", "[]", "expected a JSON object")]
    for key in ("tenant", "drivers", "shifts", "timezone"):
        doc = json.loads(json.dumps(inst))
        del doc[key]
        cases.append((f"missing {key}", doc, f"missing key '{key}'"))

    def mutate(label: str, path: tuple[Any, ...], value: Any, expect: str) -> None:
        doc = json.loads(json.dumps(inst))
        target = doc
        for step in path[:-1]:
            target = target[step]
        target[path[-1]] = value
        cases.append((label, doc, expect))

    mutate("naive time", ("shifts", 0, "start"), "2026-01-12T06:00:00", "no UTC offset")
    mutate("garbage time", ("shifts", 0, "end"), "tomorrow", "not an ISO 8601 datetime")
    mutate("seconds", ("shifts", 0, "start"), "2026-01-12T06:00:30+01:00", "whole minute")
    mutate("end before start", ("shifts", 0, "end"), "2026-01-12T05:00:00+01:00", "after 'start'")
    mutate("timezone", ("timezone",), "Europe/Nowhere", "unknown timezone")
    mutate("float drive", ("shifts", 0, "drive_minutes"), 200.5, "must be an integer")
    mutate("drive too long", ("shifts", 0, "drive_minutes"), 301, "exceed the 300 minutes")
    mutate("break outside", ("shifts", 0, "breaks"),
           [{"start": "2026-01-12T05:00:00+01:00", "end": "2026-01-12T05:30:00+01:00"}],
           "outside the shift")
    mutate("duplicate shift", ("shifts",), inst["shifts"] * 2, "duplicate shift id")
    mutate("unknown history driver", ("history",),
           [{"driver": "DRV999", "start": "2026-01-05T06:00:00+01:00",
             "end": "2026-01-05T10:00:00+01:00", "drive_minutes": 10}], "unknown driver")
    return cases


@pytest.mark.parametrize(("label", "doc", "expect"), _mutations(), ids=lambda x: str(x)[:20])
def test_malformed_instance_is_one_clear_line(tmp_path: Path, label: str, doc: Any,
                                              expect: str) -> None:
    path = write(tmp_path, "instance.json", doc)
    with pytest.raises(ConfigError) as err:
        load_instance(path)
    message = str(err.value)
    assert expect in message and str(path) in message and "\n" not in message, label


@pytest.mark.parametrize(("assignments", "uncovered", "expect"), [
    ([{"shift": "T9999", "driver": "DRV001"}], [], "unknown shift 'T9999'"),
    ([{"shift": "T0001", "driver": "DRV999"}], [], "unknown driver 'DRV999'"),
    ([], ["T4242"], "unknown shift 'T4242'"),
    ([{"shift": "T0001"}], [], "missing key 'driver'"),
])
def test_plan_with_unknown_ids_is_a_config_error(tmp_path: Path, assignments: list[Any],
                                                 uncovered: list[str], expect: str) -> None:
    inst, pl = good()
    pl.update(assignments=assignments, uncovered=uncovered)
    parsed = parse_instance(inst)
    with pytest.raises(ConfigError, match=expect):
        load_plan(write(tmp_path, "plan.json", pl), parsed)


def test_plan_for_another_tenant_is_a_config_error(tmp_path: Path) -> None:
    inst, pl = good()
    pl["tenant"] = "graz"
    with pytest.raises(ConfigError, match="tenant"):
        load_plan(write(tmp_path, "plan.json", pl), parse_instance(inst))


def test_cli_valid_plan_exit_0_with_hashes(tmp_path: Path) -> None:
    inst, pl = good()
    pl["instance_sha256"] = instance_sha256(inst)
    result = cli("--instance", str(write(tmp_path, "i.json", inst)),
                 "--plan", str(write(tmp_path, "p.json", pl)))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["valid"] and report["violations"] == []
    assert report["plan_sha256"] == plan_sha256(pl)
    assert report["instance_sha256"] == instance_sha256(inst)
    assert report["plan_instance_sha256_matches"] is True
    assert report["figures"]["violations_per_rule"]["R10"] == 0


def test_cli_r14_fails_closed_on_short_history_unless_the_tenant_opts_out(tmp_path: Path) -> None:
    inst, pl = good()
    inst["history_weeks"] = 15  # one week short of R14's reference period
    args = ("--instance", str(write(tmp_path, "i.json", inst)),
            "--plan", str(write(tmp_path, "p.json", pl)))
    strict = cli(*args)
    assert strict.returncode == 1, strict.stderr
    report = json.loads(strict.stdout)
    assert [(v["rule"], v["reason"]) for v in report["violations"]] == [("R14", "missing input")]
    assert report["figures"]["rules_not_judged"] == {}
    opted = cli(*args, "--average-where-history-allows")
    assert opted.returncode == 0, opted.stderr
    report = json.loads(opted.stdout)
    assert report["valid"] and "covers 15 of the 16 weeks" in \
        report["figures"]["rules_not_judged"]["R14"]


def test_cli_names_a_plan_made_for_another_instance(tmp_path: Path) -> None:
    inst, pl = good()
    pl["instance_sha256"] = "0" * 64
    result = cli("--instance", str(write(tmp_path, "i.json", inst)),
                 "--plan", str(write(tmp_path, "p.json", pl)))
    report = json.loads(result.stdout)
    assert report["plan_instance_sha256_matches"] is False
    assert result.stderr.startswith("warning: ") and "was made for instance 0000" in result.stderr
    assert result.stderr.count("\n") == 1


def test_cli_violations_exit_1(tmp_path: Path) -> None:
    inst, _ = good()
    inst["shifts"][0]["drive_minutes"] = None
    pl = plan([("T0001", "DRV001")])
    result = cli("--instance", str(write(tmp_path, "i.json", inst)),
                 "--plan", str(write(tmp_path, "p.json", pl)))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert {v["rule"] for v in report["violations"]} >= {"R1", "R2", "R4"}
    assert all(set(v) == {"rule", "driver", "shifts", "measured", "limit", "reason", "message"}
               for v in report["violations"])


@pytest.mark.parametrize("broken", ["plan", "instance", "missing"])
def test_cli_bad_input_exit_2_one_line_no_traceback(tmp_path: Path, broken: str) -> None:
    inst, pl = good()
    if broken == "plan":
        pl["assignments"][0]["driver"] = "DRV999"
    ipath = write(tmp_path, "i.json", "{" if broken == "instance" else inst)
    ppath = write(tmp_path, "p.json", pl)
    result = cli("--instance", str(ipath if broken != "missing" else tmp_path / "nope.json"),
                 "--plan", str(ppath))
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("cutover: error: ")
