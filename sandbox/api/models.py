"""Request and response bodies; the OpenAPI document is generated from these.

Inputs are tightly bounded (codes by pattern, dates and times within 2000..2099, integers
within their column types) so that nothing a client sends can reach PostgreSQL as a value
it rejects with an error the API did not anticipate.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, Field

DRIVER_CODE = r"^DRV[0-9]{3,9}$"
SHIFT_CODE = r"^T[0-9]{4,9}$"
TENANT_ID = r"^[a-z][a-z0-9_]{1,62}$"
SHA256 = r"^[0-9a-f]{64}$"
LOW, HIGH = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
INT32 = 2**31 - 1


def _in_range(value: datetime) -> datetime:
    """Times outside 2000..2099 are refused: no roster lives there, and edges overflow."""
    if not LOW <= value.astimezone(UTC) < HIGH:
        raise ValueError("must lie between 2000-01-01 and 2099-12-31")
    return value


def _monday(value: date) -> date:
    """Weeks start on Monday (docs/artifacts.md), as the plans table insists."""
    if not date(2000, 1, 3) <= value <= date(2099, 12, 28):
        raise ValueError("must lie between 2000 and 2099")
    if value.isoweekday() != 1:
        raise ValueError("must be a Monday")
    return value


Instant = Annotated[AwareDatetime, AfterValidator(_in_range)]
WeekStart = Annotated[date, AfterValidator(_monday)]


class Strict(BaseModel):
    """Inputs refuse unknown fields: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


class Health(BaseModel):
    status: Literal["healthy"]
    writes_enabled: bool
    env: str
    flag_store: str
    uptime_seconds: int


class Ready(BaseModel):
    ready: bool
    database: dict[str, str]
    config_store: str


class LoginIn(Strict):
    email: str = Field(min_length=3, max_length=320, pattern=r"^[^@\s\x00]+@[^@\s\x00]+$")
    password: str = Field(min_length=1, max_length=1024)


class LoginOut(BaseModel):
    email: str
    is_platform_admin: bool
    expires_at: datetime


class Tenant(BaseModel):
    id: str
    name: str
    is_active: bool
    created_at: datetime


class TenantList(BaseModel):
    tenants: list[Tenant]


class SecurityEvent(BaseModel):
    id: int
    created_at: datetime
    event_type: str
    severity: str
    tenant_id: str | None
    details: dict


class SecurityEventList(BaseModel):
    events: list[SecurityEvent]


class PackStatus(BaseModel):
    pack: Literal["roster", "routing"]
    tenant: str
    writes_enabled: bool
    counts: dict[str, int]


class Interval(BaseModel):
    start: str
    end: str


class Driver(BaseModel):
    id: str
    tenant: str
    display_name: str
    site: str
    qualifications: list[str]
    contract_minutes_week: int
    is_active: bool


class DriverList(BaseModel):
    tenant: str
    drivers: list[Driver]


class Shift(BaseModel):
    id: str
    tenant: str
    site: str
    qualification: str
    start: str
    end: str
    drive_minutes: int | None
    breaks: list[Interval]


class ShiftList(BaseModel):
    tenant: str
    week_start: date
    shifts: list[Shift]


class InstanceDriver(BaseModel):
    id: str
    site: str
    qualifications: list[str]
    contract_minutes_week: int
    unavailable: list[Interval]
    history_weeks: int  # local weeks before the week this driver's history really records


class InstanceShift(BaseModel):
    id: str
    site: str
    qualification: str
    start: str
    end: str
    drive_minutes: int | None
    breaks: list[Interval]


class InstanceAbsence(BaseModel):
    driver: str
    start: str
    end: str
    reason: str


class InstanceHistory(BaseModel):
    driver: str
    start: str
    end: str
    drive_minutes: int


class Instance(BaseModel):
    """The roster instance of one tenant's week in the interchange format (docs/artifacts.md)."""

    tenant: str
    week_start: str
    timezone: str
    drivers: list[InstanceDriver]
    shifts: list[InstanceShift]
    absences: list[InstanceAbsence]
    history: list[InstanceHistory]
    history_weeks: int  # the most weeks any driver's history records (R14 needs 16)


class AssignmentIn(Strict):
    shift: str = Field(pattern=SHIFT_CODE)
    driver: str = Field(pattern=DRIVER_CODE)


class PlanIn(Strict):
    """A plan in the interchange format, plus the week it covers and its status."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "week_start": "2026-01-12", "seed": 94, "status": "draft",
        "assignments": [{"shift": "T0001", "driver": "DRV004"}], "uncovered": ["T0002"]}]})

    week_start: WeekStart
    seed: int = Field(ge=-INT32 - 1, le=INT32)
    instance_sha256: str | None = Field(default=None, pattern=SHA256)
    status: Literal["draft", "published"] = "draft"
    tenant: str | None = Field(default=None, pattern=TENANT_ID)
    assignments: list[AssignmentIn] = Field(max_length=20000)
    uncovered: list[Annotated[str, Field(pattern=SHIFT_CODE)]] = Field(default_factory=list,
                                                                        max_length=20000)


class Assignment(BaseModel):
    shift: str
    driver: str


class PlanSummary(BaseModel):
    id: int
    tenant: str
    week_start: date
    seed: int
    status: str
    plan_sha256: str | None
    instance_sha256: str | None
    created_at: datetime


class PlanList(BaseModel):
    tenant: str
    plans: list[PlanSummary]


class Plan(PlanSummary):
    assignments: list[Assignment]
    uncovered: list[str]


class AbsenceIn(Strict):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "driver": "DRV010", "start": "2026-01-14T00:00:00+01:00",
        "end": "2026-01-15T00:00:00+01:00", "reason": "sick"}]})

    driver: str = Field(pattern=DRIVER_CODE)
    start: Instant
    end: Instant
    reason: Literal["sick", "vacation", "training", "other"]


class Absence(BaseModel):
    id: int
    tenant: str
    driver: str
    start: datetime
    end: datetime
    reason: str


class Vehicle(BaseModel):
    id: int
    tenant: str
    plate: str
    site: str
    vehicle_type: str
    required_qualification: str
    capacity_kg: int


class VehicleList(BaseModel):
    tenant: str
    vehicles: list[Vehicle]


class Route(BaseModel):
    id: int
    tenant: str
    code: str
    site: str
    service_date: date
    shift: str | None
    vehicle_id: int | None
    planned_start: datetime
    planned_end: datetime


class RouteList(BaseModel):
    tenant: str
    routes: list[Route]
