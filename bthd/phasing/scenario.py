"""Phase scenarios: a YAML file says which zones to build when, at what pace and who pays.

A scenario holds the horizon, the phases and tranches (years and line targets), the zones pinned
to a phase or tranche (by INSEE code, commune name or PM zone), the production capacity per year
(explicit or a ramp-up), an optional budget cap per year, the priority rules, the *complétude*
delay, the take-up curve and the co-financing parameters. It is validated with pydantic: unknown
keys are refused (with a "did you mean"), and every problem is reported at once, naming the file,
the key path, the value received and what is allowed (:func:`load_scenario`).

Not for: planning itself (:mod:`bthd.phasing.engine`) or funding (:mod:`bthd.phasing.financing`).
"""

from __future__ import annotations

import difflib
import os
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from bthd._errors import InputError, InputNotFoundError, Problem, ValidationError

#: Name of the scenario of the published BTHD programme (a package resource).
REFERENCE_SCENARIO = "bthd-reference"

Confidence = Literal["H", "M", "L"]
NonNegInt = Annotated[int, Field(ge=0)]
NonNegFloat = Annotated[float, Field(ge=0)]
Share = Annotated[float, Field(ge=0, le=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


class Horizon(_Model):
    """First and last year of the plan."""

    start: int = Field(ge=1990, le=2100)
    end: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _ordered(self) -> Horizon:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); years out of order")
        return self


class LinesBasis(_Model):
    """How published line figures map onto the model's lines.

    ``shares``: a published figure is read as a share of ``published_total`` and applied to the
    model's own total (targets and capacities scale by model / published); ``absolute``: used
    as they are.
    """

    mode: Literal["shares", "absolute"] = "shares"
    published_total: int = Field(default=1_277_332, gt=0)
    source: str = ""


class Tranche(_Model):
    """A tranche of works inside a phase."""

    name: str = Field(min_length=1)
    start: int = Field(ge=1990, le=2100)
    end: int = Field(ge=1990, le=2100)
    lines: int | None = Field(default=None, ge=0)
    zones: int | None = Field(default=None, ge=0)
    source: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Tranche:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); years out of order")
        return self


class Phase(_Model):
    """A phase of the programme: years, a line target and its tranches."""

    name: str = Field(min_length=1)
    start: int = Field(ge=1990, le=2100)
    end: int = Field(ge=1990, le=2100)
    lines: int | None = Field(default=None, ge=0)
    source: str = ""
    tranches: tuple[Tranche, ...] = ()

    @model_validator(mode="after")
    def _ordered(self) -> Phase:
        if self.end < self.start:
            raise ValueError(f"end ({self.end}) is before start ({self.start}); years out of order")
        bad = [t.name for t in self.tranches if t.start < self.start or t.end > self.end]
        if bad:
            raise ValueError(
                f"tranche(s) {', '.join(bad)} fall outside the phase years {self.start}–{self.end}"
            )
        return self


class Pin(_Model):
    """Zones pinned to a phase or a tranche (by name)."""

    to: str = Field(min_length=1, description="name of a phase or tranche")
    insee: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    pm_id: tuple[str, ...] = ()


class Ramp(_Model):
    """Capacity ramp-up: linear from ``first_lines`` to ``full_lines`` over ``ramp_years``."""

    start_year: int = Field(ge=1990, le=2100)
    first_lines: int = Field(ge=0)
    full_lines: int = Field(ge=0)
    ramp_years: int = Field(default=1, ge=1)


class Capacity(_Model):
    """Production capacity (lines made raccordable per year): explicit years and/or a ramp."""

    lines_per_year: dict[int, NonNegInt] = Field(default_factory=dict)
    ramp: Ramp | None = None
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> Capacity:
        if not self.lines_per_year and self.ramp is None:
            raise ValueError("give lines_per_year or a ramp")
        return self

    def lines(self, year: int) -> float:
        """Capacity of ``year`` (lines): the explicit value, else the ramp, else 0."""
        if year in self.lines_per_year:
            return float(self.lines_per_year[year])
        r = self.ramp
        if r is None or year < r.start_year:
            return 0.0
        k = min(year - r.start_year, r.ramp_years)
        return float(r.first_lines + (r.full_lines - r.first_lines) * k / r.ramp_years)


class Budget(_Model):
    """Cap on capex per year (€ HT); years not listed are uncapped."""

    cap_per_year_eur: dict[int, NonNegFloat] = Field(default_factory=dict)


class RuralShare(_Model):
    """Share of rural lines among the lines built each year (« une ligne rurale... »)."""

    default: float | None = Field(default=None, ge=0, le=1)
    by_year: dict[int, Share] = Field(default_factory=dict)

    def share(self, year: int) -> float | None:
        """Rural share of ``year`` (None: no rule)."""
        return self.by_year.get(year, self.default)


class Balance(_Model):
    """Weights of the balance between départements and between EPCI (by their locaux)."""

    departement: float = Field(default=0.0, ge=0)
    epci: float = Field(default=0.0, ge=0)


class Explicit(_Model):
    """An explicit priority bonus for some zones."""

    weight: float
    insee: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    pm_id: tuple[str, ...] = ()


class Priorities(_Model):
    """Priority rules."""

    rural_share: RuralShare = RuralShare()
    balance: Balance = Balance()
    worst_served_first: float = Field(
        default=0.0, ge=0, description="bonus weight × share of lines below 8 Mbit/s"
    )
    med_delay_years: int = Field(default=0, ge=0, description="MED areas later by N years")
    exclude_zone_types: tuple[Literal["AMII", "ZTD", "RIP"], ...] = ("AMII", "ZTD")
    explicit: tuple[Explicit, ...] = ()


class Zdep(_Model):
    """How deployment zones (ZDEP) are built from PM zones."""

    max_lines: int = Field(default=2500, gt=0)
    within: Literal["epci", "departement", "none"] = "epci"


class TakeUp(_Model):
    """Raccordés / raccordables by full years since opening (last value holds afterwards)."""

    years_since_opening: tuple[int, ...] = (0, 1, 2, 3, 4, 5, 6)
    share: tuple[float, ...] = (0.1, 0.3, 0.45, 0.55, 0.62, 0.67, 0.7)
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> TakeUp:
        if len(self.years_since_opening) != len(self.share) or not self.share:
            raise ValueError("years_since_opening and share must have the same, non-zero length")
        if list(self.years_since_opening) != sorted(set(self.years_since_opening)):
            raise ValueError("years_since_opening must increase (years out of order)")
        if any(not 0 <= s <= 1 for s in self.share):
            raise ValueError(f"take-up shares {list(self.share)} must lie in 0–1")
        return self


class Sourced(_Model):
    """A value's source and confidence (H published, M derived, L assumed)."""

    source: str = ""
    confidence: Confidence = "L"


class Operator(Sourced):
    """The operator's contribution per line built (DSP ab-initio cofinancing), €."""

    per_line_eur: float = Field(default=0.0, ge=0)
    monthly_revenue_per_active_eur: float = Field(default=0.0, ge=0)


class FsnRule(Sourced):
    """State FSN aid: min(rate × public need, cap × prises)."""

    rate: float = Field(ge=0, le=1)
    cap_eur_per_prise: float = Field(ge=0)


class Fsn(_Model):
    """FSN rules per département (``default`` for the others)."""

    default: FsnRule
    departements: dict[str, FsnRule] = Field(default_factory=dict)

    def rule(self, departement: str) -> FsnRule:
        """The rule of ``departement``."""
        return self.departements.get(str(departement), self.default)


class PerPrise(Sourced):
    """A contribution per prise (€), with per-département values."""

    default_eur: float = Field(default=0.0, ge=0)
    departements: dict[str, NonNegFloat] = Field(default_factory=dict)

    def eur(self, departement: str) -> float:
        """€ per prise in ``departement``."""
        return float(self.departements.get(str(departement), self.default_eur))


class Loans(Sourced):
    """Loans: a share of what is left after grants (CDC loans...)."""

    share_of_remainder: float = Field(default=0.0, ge=0, le=1)


class Financing(_Model):
    """Co-financing parameters (DOMAIN.md section 7)."""

    operator: Operator = Operator()
    fsn: Fsn
    feder_share: float = Field(default=0.0, ge=0, le=1, description="share of the public need")
    feder_source: str = ""
    region: PerPrise = PerPrise()
    departements: PerPrise = PerPrise()
    epci: PerPrise = PerPrise(default_eur=445.0)
    loans: Loans = Loans()

    @model_validator(mode="after")
    def _shares(self) -> Financing:
        rules = {"default": self.fsn.default, **self.fsn.departements}
        over = {
            k: r.rate + self.feder_share for k, r in rules.items() if r.rate + self.feder_share > 1
        }
        if over:
            raise ValueError(
                "funding shares above 100 %: FSN rate + feder_share = "
                + ", ".join(f"{k}: {v:.0%}" for k, v in over.items())
                + "; lower the FSN rate or feder_share"
            )
        return self


class Figure(_Model):
    """A published figure to compare with, and its source."""

    value: float
    source: str = ""


class Calibration(_Model):
    """Published figures the plan is compared with (``tables/calibration.csv``)."""

    total_cost_eur: Figure | None = None
    raccordables: dict[int, Figure] = Field(default_factory=dict)
    raccordes: dict[int, Figure] = Field(default_factory=dict)
    tranche1_pms: Figure | None = None
    phase1_share_collectivites: Figure | None = None
    phase1_share_epci: Figure | None = None
    phase1_share_fsn_feder: Figure | None = None


class Scenario(_Model):
    """A phase scenario (see the module docstring)."""

    name: str = Field(min_length=1)
    description: str = ""
    horizon: Horizon
    lines_basis: LinesBasis = LinesBasis(mode="absolute")
    phases: tuple[Phase, ...] = Field(min_length=1)
    pins: tuple[Pin, ...] = ()
    capacity: Capacity
    budget: Budget = Budget()
    priorities: Priorities = Priorities()
    completude_years: int = Field(default=3, ge=1, le=10)
    zdep: Zdep = Zdep()
    take_up: TakeUp = TakeUp()
    financing: Financing
    calibration: Calibration = Calibration()

    # --- helpers ---------------------------------------------------------------------------

    @property
    def years(self) -> list[int]:
        """Years of the horizon."""
        return list(range(self.horizon.start, self.horizon.end + 1))

    def periods(self) -> dict[str, tuple[int, int]]:
        """Years of every phase and tranche by name."""
        out = {ph.name: (ph.start, ph.end) for ph in self.phases}
        out.update({t.name: (t.start, t.end) for ph in self.phases for t in ph.tranches})
        return out


# --- loading and error messages ------------------------------------------------------------


def _model_at(model: type[BaseModel], loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """The pydantic model class reached by ``loc`` (None past a non-model)."""
    import typing

    cur: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(cur, type) and issubclass(cur, BaseModel)):
            return None
        field = cur.model_fields.get(str(part))
        if field is None:
            return cur
        ann: Any = field.annotation
        # unwrap Optional / tuple[...] / dict[..., X]
        for _ in range(3):
            args = [a for a in typing.get_args(ann) if a is not type(None) and a is not Ellipsis]
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                break
            if not args:
                break
            ann = args[-1]
        cur = ann
    return cur if isinstance(cur, type) and issubclass(cur, BaseModel) else None


def _loc_text(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _problems(exc: PydanticValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        where = _loc_text(loc)
        typ = err["type"]
        value = err.get("input")
        if typ == "extra_forbidden":
            parent = _model_at(Scenario, loc[:-1])
            allowed = sorted(parent.model_fields) if parent is not None else []
            close = difflib.get_close_matches(str(loc[-1]), allowed, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                Problem(
                    f"unknown key `{where}`",
                    fix=f"{hint}the allowed keys here are: {', '.join(allowed)}",
                )
            )
            continue
        msg = err["msg"].removeprefix("Value error, ")
        shown = repr(value) if not isinstance(value, dict) else "{...}"
        if len(shown) > 80:
            shown = shown[:77] + "..."
        ctx = err.get("ctx", {}) or {}
        allowed_txt = ""
        if "expected" in ctx:
            allowed_txt = f"allowed: {ctx['expected']}"
        elif typ in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
            allowed_txt = msg.replace("Input should be", "allowed: a value")
        fix = allowed_txt or ("add this key" if typ == "missing" else "")
        problems.append(Problem(f"`{where}` = {shown}: {msg}", fix=fix))
    return problems


def _cross_checks(sc: Scenario) -> list[Problem]:
    """Problems across keys: phases in the horizon and in order, pins to known names, once."""
    problems: list[Problem] = []
    h = sc.horizon
    prev_start = None
    for i, ph in enumerate(sc.phases):
        if ph.start < h.start or ph.end > h.end:
            problems.append(
                Problem(
                    f"`phases[{i}]` ({ph.name!r}, {ph.start}–{ph.end}) lies outside the horizon "
                    f"{h.start}–{h.end}",
                    fix="widen the horizon or move the phase",
                )
            )
        if prev_start is not None and ph.start < prev_start:
            problems.append(
                Problem(
                    f"`phases[{i}].start` = {ph.start}: before the previous phase's start "
                    f"{prev_start} (years out of order)",
                    fix="list the phases in the order of their years",
                )
            )
        prev_start = ph.start
    names = [ph.name for ph in sc.phases] + [t.name for ph in sc.phases for t in ph.tranches]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        problems.append(
            Problem(f"`phases`: names used twice: {', '.join(dup)}", fix="give unique names")
        )
    seen: dict[tuple[str, str], str] = {}
    for i, pin in enumerate(sc.pins):
        if pin.to not in names:
            close = difflib.get_close_matches(pin.to, names, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            problems.append(
                Problem(
                    f"`pins[{i}].to` = {pin.to!r}: no phase or tranche has this name",
                    fix=f"{hint}the allowed values are: {', '.join(names)}",
                )
            )
        for kind in ("insee", "communes", "pm_id"):
            for v in getattr(pin, kind):
                key = (kind, v)
                if key in seen and seen[key] != pin.to:
                    problems.append(
                        Problem(
                            f"`pins[{i}].{kind}`: {v!r} is pinned to two phases/tranches, "
                            f"{seen[key]!r} and {pin.to!r}",
                            fix="pin each zone to one phase or tranche",
                        )
                    )
                seen.setdefault(key, pin.to)
    return problems


def parse_scenario(data: Any, source: str = "<scenario>") -> Scenario:
    """Validate a scenario mapping; every problem at once in a :class:`ValidationError`.

    Parameters
    ----------
    data
        The parsed YAML (a mapping).
    source
        Name of the file, for messages.
    """
    if not isinstance(data, dict):
        raise ValidationError(
            source,
            [Problem(f"the scenario is a {type(data).__name__}", fix="write a YAML mapping")],
        )
    try:
        sc = Scenario.model_validate(data)
    except PydanticValidationError as exc:
        raise ValidationError(f"{source} (scenario)", _problems(exc)) from None
    problems = _cross_checks(sc)
    if problems:
        raise ValidationError(f"{source} (scenario)", problems)
    return sc


def load_scenario(path: str | os.PathLike[str]) -> Scenario:
    """Read and validate a scenario YAML file (or the name of a packaged scenario).

    Parameters
    ----------
    path
        A YAML file, or ``"bthd-reference"`` for the packaged reference scenario. A file may
        start with ``extends: FILE`` (relative to it) or ``extends: bthd-reference`` and give
        only what changes: mappings are merged key by key, lists and values replaced.

    Raises
    ------
    bthd.InputNotFoundError, bthd.InputError, bthd.ValidationError
        Missing file, unreadable YAML, or invalid content (every problem listed, with the key
        path, the value received and the allowed values).
    """
    p = Path(path)
    if not p.exists() and str(path) == REFERENCE_SCENARIO:
        return reference_scenario()
    return parse_scenario(_read(p, set()), str(p))


def _merge(base: Any, over: Any) -> Any:
    """``over`` on top of ``base``: mappings merged key by key, anything else replaced."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base[k], v) if k in base else v
        return out
    return over


def _read(p: Path, seen: set[Path]) -> Any:
    """The YAML mapping of ``p``, with its ``extends`` (a file or ``bthd-reference``) applied."""
    import yaml

    if not p.exists():
        raise InputNotFoundError(p, "scenario file")
    try:
        data = yaml.safe_load(p.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise InputError(f"{p}: not valid YAML ({exc}). Fix the syntax.") from None
    if not isinstance(data, dict) or "extends" not in data:
        return data
    parent = str(data.pop("extends"))
    if parent == REFERENCE_SCENARIO and not (p.parent / parent).exists():
        base = yaml.safe_load(reference_text())
    else:
        pp = (p.parent / parent).resolve()
        if pp in seen or pp == p.resolve():
            raise InputError(f"{p}: `extends` = {parent!r} loops back on itself.")
        base = _read(pp, seen | {p.resolve()})
    return _merge(base, data)


def reference_text() -> str:
    """Text of the packaged reference scenario (``bthd/resources/scenarios``)."""
    res = resources.files("bthd.resources").joinpath("scenarios", f"{REFERENCE_SCENARIO}.yaml")
    return res.read_text(encoding="utf-8")


def reference_scenario() -> Scenario:
    """The packaged scenario of the published BTHD programme."""
    import yaml

    return parse_scenario(yaml.safe_load(reference_text()), f"{REFERENCE_SCENARIO}.yaml")
