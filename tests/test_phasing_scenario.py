"""Scenario files: the reference loads, bad scenarios are rejected naming the key."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from bthd._errors import InputError, InputNotFoundError, ValidationError
from bthd.phasing.scenario import load_scenario, parse_scenario, reference_text
from bthd.phasing.zones import resolve_pins

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "data" / "scenarios" / "bthd-reference.yaml"


def _ref() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(REFERENCE.read_text(encoding="utf-8"))
    return copy.deepcopy(data)


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as exc:
        parse_scenario(data, "my-scenario.yaml")
    return str(exc.value)


def test_reference_scenario_is_the_packaged_one_and_loads() -> None:
    assert reference_text() == REFERENCE.read_text(encoding="utf-8")
    sc = load_scenario(REFERENCE)
    packaged = load_scenario("bthd-reference")
    assert sc == packaged
    # the published programme: three phases adding up to the programme's lines
    assert sum(ph.lines or 0 for ph in sc.phases) == sc.lines_basis.published_total == 1_277_332
    assert sc.phases[0].tranches[0].zones == 32
    assert sc.financing.epci.default_eur == 445
    assert sum(sc.capacity.lines(y) for y in sc.years) == 1_277_332


def test_unknown_key_is_named_with_did_you_mean() -> None:
    d = _ref()
    d["capacty"] = d.pop("capacity")
    d["priorities"]["rural_shar"] = d["priorities"].pop("rural_share")
    msg = _error(d)
    assert "my-scenario.yaml" in msg
    assert "unknown key `capacty`" in msg and "did you mean 'capacity'" in msg
    assert "unknown key `priorities.rural_shar`" in msg and "did you mean 'rural_share'" in msg
    assert "`capacity` = " in msg  # the missing key, reported at the same time
    assert "3 problems" in msg


def test_negative_capacity_names_the_year_and_value() -> None:
    d = _ref()
    d["capacity"]["lines_per_year"][2021] = -5
    msg = _error(d)
    assert "`capacity.lines_per_year[2021]` = -5" in msg
    assert "greater than or equal to 0" in msg


def test_years_out_of_order() -> None:
    d = _ref()
    d["horizon"] = {"start": 2026, "end": 2014}
    assert "out of order" in _error(d) and "`horizon`" in _error(d)
    d = _ref()
    d["phases"][2]["start"] = 2015
    msg = _error(d)
    assert "`phases[2].start` = 2015" in msg and "out of order" in msg


def test_funding_shares_above_100_percent() -> None:
    d = _ref()
    d["financing"]["feder_share"] = 0.7
    msg = _error(d)
    assert "`financing`" in msg and "above 100 %" in msg and "115%" in msg
    d = _ref()
    d["financing"]["loans"]["share_of_remainder"] = 1.5
    assert "`financing.loans.share_of_remainder` = 1.5" in _error(d)


def test_zone_pinned_to_two_phases_and_unknown_pin_target() -> None:
    d = _ref()
    d["pins"].append({"to": "phase 2", "communes": ["Redon"]})
    d["pins"].append({"to": "tranche 3", "insee": ["22093"]})
    msg = _error(d)
    assert "`pins[1].communes`: 'Redon' is pinned to two phases/tranches" in msg
    assert "`pins[2].to` = 'tranche 3'" in msg and "did you mean 'tranche 2'" in msg


def test_enum_value_lists_the_allowed_values() -> None:
    d = _ref()
    d["priorities"]["exclude_zone_types"] = ["AMI"]
    msg = _error(d)
    assert "`priorities.exclude_zone_types[0]` = 'AMI'" in msg and "'AMII'" in msg


def test_unknown_commune_in_a_pin_is_rejected_with_did_you_mean() -> None:
    d = _ref()
    d["pins"][0]["communes"] = ["Lamballe-Armour", "Redon"]
    d["pins"].append({"to": "tranche 2", "pm_id": ["PM-9"]})
    sc = parse_scenario(d, "s.yaml")
    communes = pd.DataFrame({"insee_code": ["22093", "35236"], "name": ["Lamballe-Armor", "Redon"]})
    units = pd.DataFrame({"pm_id": ["PM-1", "PM-2"], "insee_code": ["22093", "35236"]})
    with pytest.raises(ValidationError) as exc:
        resolve_pins(sc, units, communes, source="s.yaml")
    msg = str(exc.value)
    assert "'Lamballe-Armour'" in msg and "did you mean 'Lamballe-Armor'" in msg
    assert "`pins[1].pm_id`: no PM zone 'PM-9'" in msg
    d["pins"][0]["communes"] = ["Lamballe-Armor"]
    d["pins"].pop()
    pin = resolve_pins(parse_scenario(d, "s.yaml"), units, communes)
    assert list(pin) == ["tranche 1", ""]


def test_capacity_ramp_and_missing_file(tmp_path: Path) -> None:
    d = _ref()
    d["capacity"] = {
        "ramp": {"start_year": 2016, "first_lines": 1000, "full_lines": 5000, "ramp_years": 4}
    }
    sc = parse_scenario(d)
    assert [sc.capacity.lines(y) for y in (2015, 2016, 2018, 2020, 2024)] == [
        0.0,
        1000.0,
        3000.0,
        5000.0,
        5000.0,
    ]
    with pytest.raises(InputNotFoundError):
        load_scenario(tmp_path / "nope.yaml")


def test_a_scenario_extends_another_and_says_only_what_changes(tmp_path: Path) -> None:
    low = load_scenario(REPO / "data" / "scenarios" / "low-capacity.yaml")
    ref = load_scenario(REFERENCE)
    assert low.name == "low-capacity" and low.pins == ref.pins and low.phases == ref.phases
    assert low.capacity.lines(2019) == ref.capacity.lines(2019)  # merged key by key
    assert low.capacity.lines(2021) == pytest.approx(0.7 * ref.capacity.lines(2021))
    child = tmp_path / "child.yaml"
    child.write_text("extends: bthd-reference\nname: child\ncompletude_yeras: 2\n", "utf-8")
    with pytest.raises(ValidationError) as exc:
        load_scenario(child)
    assert "did you mean 'completude_years'" in str(exc.value) and "child.yaml" in str(exc.value)
    loop = tmp_path / "loop.yaml"
    loop.write_text("extends: loop.yaml\nname: x\n", "utf-8")
    with pytest.raises(InputError, match="loops back"):
        load_scenario(loop)
