"""Deterministic seed data for the SOLVEREIGN sandbox (pre-cutover schema, migrations 001..024).

``generate(seed, scale, hmac_secret=...)`` builds every row in memory from ``random.Random``
streams derived from the seed only (no wall clock, no set or dict ordering that could vary):
the same seed, scale and secret always give the same rows, and ``seed_bytes`` is their
canonical serialization.

Tenants: ``wien_pilot`` (sites W10/W20/W30, drivers DRV001.., one week of shifts from Monday
2026-01-12 Europe/Vienna), ``graz_test``, ``linz_demo`` and, with a larger ``SeedScale.tenants``,
``bench_0004``...; plus the inactive ``salzburg_legacy``. Every tenant has rows in every tenant
table, so isolation probes always find another tenant's rows.

Secrets: API keys and platform-user passwords are derived from ``hmac_secret`` (they cannot be
predicted from the public seed). Only HMAC-SHA256 digests of the keys (lowercase hex of
``HMAC(secret, key)``, the format ``core.resolve_api_key`` expects) and scrypt hashes of the
passwords are rows; the clear values are returned in memory only (``SeedData.api_keys``,
``SeedData.user_passwords``), excluded from ``repr``, equality and ``seed_bytes``.

Loading (``load``): one transaction; for each tenant the loader sets ``app.tenant_id`` with
``set_config(..., true)`` and inserts that tenant's rows, so it works for any role the tenant
policies admit. Rows are streamed with COPY; COPY FROM is refused on tables where row security
applies to the current role (the owner on FORCE'd tables), so for those tables the rows are
copied into a temporary staging table and moved with INSERT ... SELECT, which the policies
check. Run it as a superuser (the sandbox bootstrap: plain COPY everywhere) or as the migrator
after ``SET ROLE solvereign_owner`` (needs TEMP on the database, which the owner always has).
The target must not hold seed rows yet. Afterwards the id sequences are moved past the loaded
ids and materialized views the role owns are refreshed.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import random
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb

WEEK_START = date(2026, 1, 12)
TIMEZONE = "Europe/Vienna"
PILOT_TENANT = "wien_pilot"
INACTIVE_TENANT = "salzburg_legacy"
#: drivers the sick-call drill marks absent: kept free of seeded absences and unavailability
DRILL_DRIVERS = 3
MIN_REST = 660
WEEKLY_REST_WINDOW = 8640
MAX_DUTIES_PER_WEEK = 5
#: whole weeks of duty history recorded before WEEK_START: the 16 weeks that R14's 17-week
#: reference period (Dir. 2002/15/EC art. 4(a), AZG §13b) needs besides the plan week
HISTORY_WEEKS = 16


@dataclass(frozen=True)
class TableSpec:
    """A seeded table: its columns in load order and how rows are tied to a tenant."""

    name: str
    columns: tuple[str, ...]
    tenant_column: str | None = "tenant_id"
    jsonb_columns: frozenset[str] = frozenset()
    has_sequence: bool = True


#: every seeded table in foreign-key-safe load order
TABLES: tuple[TableSpec, ...] = (
    TableSpec("core.tenants", ("id", "name", "is_active", "created_at"), "id", has_sequence=False),
    TableSpec("core.users", ("id", "email", "display_name", "password_hash", "is_platform_admin",
                             "created_at"), None),
    TableSpec("core.security_events", ("id", "created_at", "event_type", "severity", "tenant_id",
                                       "db_user", "details"), None, frozenset({"details"})),
    TableSpec("core.sites", ("tenant_id", "code", "name", "timezone", "created_at"),
              has_sequence=False),
    TableSpec("core.api_keys", ("id", "tenant_id", "name", "key_prefix", "key_digest", "scopes",
                                "created_at", "last_used_at", "revoked_at")),
    TableSpec("core.audit_log", ("id", "tenant_id", "created_at", "actor", "action", "object_type",
                                 "object_id", "details"), jsonb_columns=frozenset({"details"})),
    TableSpec("core.request_nonces", ("tenant_id", "nonce", "seen_at"), has_sequence=False),
    TableSpec("roster.drivers", ("id", "tenant_id", "code", "display_name", "site_code",
                                 "qualifications", "contract_minutes_week", "is_active",
                                 "created_at")),
    TableSpec("roster.shifts", ("id", "tenant_id", "code", "site_code", "qualification",
                                "starts_at", "ends_at", "drive_minutes", "breaks", "created_at"),
              jsonb_columns=frozenset({"breaks"})),
    TableSpec("roster.absences", ("id", "tenant_id", "driver_id", "starts_at", "ends_at", "reason",
                                  "created_at")),
    TableSpec("roster.unavailability", ("id", "tenant_id", "driver_id", "starts_at", "ends_at",
                                        "note", "created_at")),
    TableSpec("roster.duty_history", ("id", "tenant_id", "driver_id", "starts_at", "ends_at",
                                      "drive_minutes", "created_at")),
    TableSpec("roster.plans", ("id", "tenant_id", "week_start", "seed", "status", "plan_sha256",
                               "instance_sha256", "created_at")),
    TableSpec("roster.assignments", ("id", "tenant_id", "plan_id", "shift_id", "driver_id",
                                     "created_at")),
    TableSpec("routing.vehicles", ("id", "tenant_id", "plate", "site_code", "vehicle_type",
                                   "required_qualification", "capacity_kg", "created_at")),
    TableSpec("routing.routes", ("id", "tenant_id", "code", "site_code", "service_date",
                                 "shift_id", "vehicle_id", "planned_start", "planned_end",
                                 "created_at")),
    TableSpec("routing.route_stops", ("id", "tenant_id", "route_id", "seq", "address", "lat", "lon",
                                      "planned_arrival", "service_minutes")),
)
TABLE_BY_NAME: Mapping[str, TableSpec] = {spec.name: spec for spec in TABLES}


@dataclass(frozen=True)
class SeedScale:
    """Size knob: active tenants, drivers and shifts per tenant, and a multiplier on all rows."""

    tenants: int = 3
    drivers_per_tenant: int = 50
    shifts_per_tenant: int = 200
    rows_multiplier: int = 1

    def __post_init__(self) -> None:
        if not 3 <= self.tenants <= 9999:
            raise ValueError("SeedScale.tenants must be between 3 and 9999")
        if self.drivers_per_tenant < 10:
            raise ValueError("SeedScale.drivers_per_tenant must be at least 10")
        if self.shifts_per_tenant < 10:
            raise ValueError("SeedScale.shifts_per_tenant must be at least 10")
        if self.rows_multiplier < 1:
            raise ValueError("SeedScale.rows_multiplier must be at least 1")


PILOT_SCALE = SeedScale()


@dataclass(frozen=True)
class ClearApiKey:
    """An API key as handed to a client; ``key`` is secret and never stored."""

    tenant: str
    name: str
    key_prefix: str
    revoked: bool
    key: str = field(repr=False)


@dataclass(frozen=True)
class SeedData:
    """All seeded rows (``tables``: table name -> rows in ``TABLES`` column order)."""

    seed: int
    scale: SeedScale
    tenant_ids: tuple[str, ...]
    tables: Mapping[str, tuple[tuple[Any, ...], ...]] = field(repr=False)
    instances: Mapping[str, Mapping[str, Any]] = field(repr=False)
    api_keys: tuple[ClearApiKey, ...] = field(repr=False, compare=False)
    user_passwords: Mapping[str, str] = field(repr=False, compare=False)

    def to_sql_rows(self) -> dict[str, tuple[tuple[str, ...], tuple[tuple[Any, ...], ...]]]:
        """Table name -> (columns, rows), in load order."""
        return {spec.name: (spec.columns, self.tables[spec.name]) for spec in TABLES}

    def rows_for(self, table: str, tenant: str) -> tuple[tuple[Any, ...], ...]:
        """The rows of one tenant in one tenant-keyed table."""
        spec = TABLE_BY_NAME[table]
        if spec.tenant_column is None:
            raise ValueError(f"{table} is global, not tenant-scoped")
        idx = spec.columns.index(spec.tenant_column)
        return tuple(row for row in self.tables[table] if row[idx] == tenant)

    def api_key(self, tenant: str) -> str:
        """The clear text of the tenant's first live API key."""
        for key in self.api_keys:
            if key.tenant == tenant and not key.revoked:
                return key.key
        raise KeyError(tenant)

    def canonical_bytes(self) -> bytes:
        """Canonical JSON of seed, scale and every row (no clear secrets)."""
        doc = {
            "seed": self.seed,
            "scale": [self.scale.tenants, self.scale.drivers_per_tenant,
                      self.scale.shifts_per_tenant, self.scale.rows_multiplier],
            "tables": {
                spec.name: {"columns": list(spec.columns),
                            "rows": [[_canonical_value(v) for v in row]
                                     for row in self.tables[spec.name]]}
                for spec in TABLES
            },
        }
        return canonical_json(doc)


# ---------------------------------------------------------------------------------------------
# canonical forms and secrets


def canonical_json(doc: Any) -> bytes:
    """JSON with sorted keys, no insignificant whitespace, ASCII escapes (as
    docs/artifacts.md hashes)."""
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def sha256_hex(data: bytes) -> str:
    """Lowercase hex SHA-256."""
    return hashlib.sha256(data).hexdigest()


def api_key_digest(hmac_secret: bytes, key: str) -> str:
    """The stored form of an API key: lowercase hex HMAC-SHA256(secret, key)."""
    return hmac.new(hmac_secret, key.encode(), hashlib.sha256).hexdigest()


def _canonical_value(value: Any) -> Any:
    """A JSON-representable, timezone-independent form of a row value."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _derive(hmac_secret: bytes, purpose: str) -> bytes:
    """32 secret bytes for one purpose, reproducible from the secret."""
    return hmac.new(hmac_secret, purpose.encode(), hashlib.sha256).digest()


def _password_hash(hmac_secret: bytes, purpose: str, password: str) -> str:
    """scrypt hash in the self-describing form scrypt$n$r$p$salt$hash (base64)."""
    salt = _derive(hmac_secret, "salt/" + purpose)[:16]
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**14, r=8, p=1, dklen=32)
    b64 = base64.b64encode
    return f"scrypt$16384$8$1${b64(salt).decode()}${b64(digest).decode()}"


# ---------------------------------------------------------------------------------------------
# tenants


@dataclass(frozen=True)
class _TenantSpec:
    id: str
    name: str
    is_active: bool
    site_prefix: str
    site_names: tuple[str, str, str]
    center: tuple[float, float]
    city: str
    drivers: int
    shifts: int


_CITIES = {
    PILOT_TENANT: ("Wien Pilot", "W", ("Wien Simmering", "Wien Floridsdorf", "Wien Liesing"),
                   (48.2082, 16.3738), "Wien"),
    "graz_test": ("Graz Test", "G", ("Graz Puntigam", "Graz Andritz", "Graz Liebenau"),
                  (47.0707, 15.4395), "Graz"),
    "linz_demo": ("Linz Demo", "L", ("Linz Hafen", "Linz Urfahr", "Linz Ebelsberg"),
                  (48.3069, 14.2858), "Linz"),
    INACTIVE_TENANT: ("Salzburg Legacy", "S", ("Salzburg Nord", "Salzburg Sued", "Hallein"),
                      (47.8095, 13.0550), "Salzburg"),
}


def _tenant_specs(scale: SeedScale) -> list[_TenantSpec]:
    """Active tenants in a fixed order, then the inactive one."""
    drivers = scale.drivers_per_tenant * scale.rows_multiplier
    shifts = scale.shifts_per_tenant * scale.rows_multiplier
    specs = []
    named = [PILOT_TENANT, "graz_test", "linz_demo"]
    for i in range(scale.tenants):
        tenant_id = named[i] if i < len(named) else f"bench_{i + 1:04d}"
        name, prefix, sites, center, city = _CITIES.get(
            tenant_id, (f"Bench {i + 1:04d}", "B", ("Depot A", "Depot B", "Depot C"),
                        (47.5 + (i % 7) * 0.1, 14.0 + (i % 11) * 0.1), "Benchdorf"))
        specs.append(_TenantSpec(tenant_id, name, True, prefix, sites, center, city,
                                 drivers, shifts))
    name, prefix, sites, center, city = _CITIES[INACTIVE_TENANT]
    specs.append(_TenantSpec(INACTIVE_TENANT, name, False, prefix, sites, center, city,
                             max(10, drivers // 5), max(20, shifts // 5)))
    return specs


# ---------------------------------------------------------------------------------------------
# generation


class _Builder:
    """Accumulates rows table by table and hands out ids per table."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[Any, ...]]] = {spec.name: [] for spec in TABLES}
        self._next_id: dict[str, int] = {spec.name: 1 for spec in TABLES}
        self.plates: set[str] = set()

    def add(self, table: str, **values: Any) -> int:
        """Append a row (columns by name); assigns and returns ``id`` when the table has one."""
        spec = TABLE_BY_NAME[table]
        if "id" in spec.columns and "id" not in values:
            values["id"] = self._next_id[table]
            self._next_id[table] += 1
        self.rows[table].append(tuple(values[c] for c in spec.columns))
        return values.get("id", 0)


@dataclass
class _Driver:
    id: int
    code: str
    site: str
    qualifications: tuple[str, ...]
    contract: int
    blocked: list[tuple[datetime, datetime]] = field(default_factory=list)
    history_end: datetime | None = None
    history_drive: int = 0
    duties: list[tuple[datetime, datetime]] = field(default_factory=list)
    drive: int = 0
    work: int = 0


@dataclass(frozen=True)
class _Shift:
    id: int
    code: str
    site: str
    qualification: str
    start: datetime
    end: datetime
    drive: int
    breaks: tuple[tuple[datetime, datetime], ...]


_FIRST = ("Anna", "Lukas", "Maria", "David", "Sophie", "Tobias", "Lena", "Florian", "Julia",
          "Stefan", "Katharina", "Michael", "Elena", "Markus", "Laura", "Andreas", "Sarah",
          "Thomas", "Nina", "Patrick")
_LAST = ("Gruber", "Huber", "Bauer", "Wagner", "Mueller", "Pichler", "Steiner", "Moser",
         "Mayer", "Hofer", "Leitner", "Berger", "Fuchs", "Eder", "Fischer", "Schmid",
         "Winkler", "Weber", "Schwarz", "Maier")
_STREETS = ("Hauptstrasse", "Bahnhofstrasse", "Industriestrasse", "Gewerbepark", "Lagerhausgasse",
            "Ringstrasse", "Kirchengasse", "Marktplatz", "Feldweg", "Muehlgasse")
_OPS = "platform:ops@solvereign.example"
_UNAVAILABLE_NOTES = ("medical appointment", "agreed day off", "works council meeting",
                      "licence renewal")


def generate(seed: int, scale: SeedScale = PILOT_SCALE, *, hmac_secret: bytes) -> SeedData:
    """Build the whole seed in memory; pure and deterministic in (seed, scale, hmac_secret)."""
    if not isinstance(seed, int) or isinstance(seed, bool):
        raise TypeError("seed must be an int")
    if not isinstance(hmac_secret, bytes) or len(hmac_secret) < 16:
        raise ValueError("hmac_secret must be at least 16 bytes")
    builder = _Builder()
    tz = ZoneInfo(TIMEZONE)
    clear_keys: list[ClearApiKey] = []
    instances: dict[str, Mapping[str, Any]] = {}
    specs = _tenant_specs(scale)
    for index, spec in enumerate(specs):
        rng = random.Random(f"solvereign-seed/{seed}/{spec.id}")
        _add_tenant(builder, spec, index)
        clear_keys += _add_api_keys(builder, spec, seed, hmac_secret, rng)
        drivers = _add_drivers(builder, spec, rng)
        shifts = _add_shifts(builder, spec, rng, tz)
        absences = _add_availability(builder, spec, drivers, rng, tz)
        history = _add_history(builder, spec, drivers, rng, tz, seed)
        instance = _instance(spec, drivers, shifts, absences, history, tz)
        instances[spec.id] = instance
        _add_plan(builder, spec, seed, drivers, shifts, instance)
        _add_routing(builder, spec, shifts, rng, scale.rows_multiplier)
        _add_audit_and_nonces(builder, spec, rng, scale.rows_multiplier)
    passwords = _add_platform_users(builder, seed, hmac_secret)
    _add_security_events(builder, specs)
    return SeedData(
        seed=seed,
        scale=scale,
        tenant_ids=tuple(spec.id for spec in specs),
        tables={name: tuple(rows) for name, rows in builder.rows.items()},
        instances=instances,
        api_keys=tuple(clear_keys),
        user_passwords=passwords,
    )


def seed_bytes(seed: int, scale: SeedScale = PILOT_SCALE, *, hmac_secret: bytes) -> bytes:
    """Canonical serialization of ``generate(seed, scale)``; the determinism contract."""
    return generate(seed, scale, hmac_secret=hmac_secret).canonical_bytes()


def _utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _site_codes(spec: _TenantSpec) -> list[str]:
    return [f"{spec.site_prefix}{n}" for n in (10, 20, 30)]


def _add_tenant(builder: _Builder, spec: _TenantSpec, index: int) -> None:
    """The tenant row and its three sites."""
    created = _utc(2025, 11, 3, 9) + timedelta(hours=index)
    builder.add("core.tenants", id=spec.id, name=spec.name, is_active=spec.is_active,
                created_at=created)
    for code, name in zip(_site_codes(spec), spec.site_names, strict=True):
        builder.add("core.sites", tenant_id=spec.id, code=code, name=name, timezone=TIMEZONE,
                    created_at=created)


def _add_api_keys(builder: _Builder, spec: _TenantSpec, seed: int, hmac_secret: bytes,
                  rng: random.Random) -> list[ClearApiKey]:
    """A live service key and a revoked legacy key; the clear keys derive from the secret."""
    keys = []
    for n, (name, scopes, revoked) in enumerate((
            ("roster-service", ["roster:read", "roster:write", "routing:read"], None),
            ("legacy-import", ["roster:write"], _utc(2025, 12, 20, 10)))):
        material = _derive(hmac_secret, f"api-key/{seed}/{spec.id}/{n}")
        key = "svk_" + base64.b32encode(material).decode().rstrip("=").lower()
        created = _utc(2025, 12, 1, 8) + timedelta(minutes=rng.randrange(0, 600))
        builder.add("core.api_keys", tenant_id=spec.id, name=name, key_prefix=key[:12],
                    key_digest=api_key_digest(hmac_secret, key), scopes=scopes,
                    created_at=created, last_used_at=None if revoked else _utc(2026, 1, 9, 7),
                    revoked_at=revoked)
        keys.append(ClearApiKey(spec.id, name, key[:12], revoked is not None, key))
    return keys


def _add_drivers(builder: _Builder, spec: _TenantSpec, rng: random.Random) -> list[_Driver]:
    """Drivers spread round-robin over the sites; about 45 % per site also hold CE."""
    width = max(3, len(str(spec.drivers)))
    sites = _site_codes(spec)
    codes = [f"DRV{i + 1:0{width}d}" for i in range(spec.drivers)]
    by_site = {site: codes[i::3] for i, site in enumerate(sites)}
    ce_holders: set[str] = set()
    for site in sites:
        members = by_site[site]
        ce_holders.update(rng.sample(members, round(len(members) * 0.45)))
    drivers = []
    for i, code in enumerate(codes):
        quals = ("C", "CE") if code in ce_holders else ("C",)
        contract = rng.choice((2400, 2400, 2400, 2400, 2400, 2400, 2400, 1920, 1920, 1500))
        name = f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"
        driver_id = builder.add("roster.drivers", tenant_id=spec.id, code=code, display_name=name,
                                site_code=sites[i % 3], qualifications=list(quals),
                                contract_minutes_week=contract, is_active=True,
                                created_at=_utc(2025, 11, 10, 9))
        drivers.append(_Driver(driver_id, code, sites[i % 3], quals, contract))
    return drivers


def _day_counts(total: int) -> list[int]:
    """Shifts per weekday Mon..Sun: weekdays 10, Saturday 6, Sunday 3 parts (largest remainder)."""
    weights = (10, 10, 10, 10, 10, 6, 3)
    raw = [total * w / sum(weights) for w in weights]
    counts = [int(x) for x in raw]
    order = sorted(range(7), key=lambda d: (-(raw[d] - counts[d]), d))
    for d in order[: total - sum(counts)]:
        counts[d] += 1
    return counts


def _breaks_for(start: datetime, minutes: int) -> list[tuple[datetime, datetime]]:
    """45-minute breaks that split the duty into work stretches of at most 270 minutes.

    One break mid-duty up to 585 minutes, two beyond (a 10-hour duty cannot be cut into two
    270-minute stretches by 45 minutes of break). Full 45-minute breaks qualify under R4 on
    their own (a 15 + 30 split only qualifies at its second part) and satisfy R8.
    """
    count = 1 if minutes - 45 <= 2 * 270 else 2
    stretch = (minutes - 45 * count) // (count + 1) // 5 * 5
    breaks = []
    at = start
    for _ in range(count):
        at += timedelta(minutes=stretch)
        breaks.append((at, at + timedelta(minutes=45)))
        at += timedelta(minutes=45)
    return breaks


def _add_shifts(builder: _Builder, spec: _TenantSpec, rng: random.Random,
                tz: ZoneInfo) -> list[_Shift]:
    """One week of shifts (04:00-14:00 starts, 6-10 h, C or CE), coded in time order."""
    sites = _site_codes(spec)
    drafts = []
    for day, count in enumerate(_day_counts(spec.shifts)):
        for j in range(count):
            duration = rng.choice((360, 420, 450, 480, 480, 510, 540, 570, 600))
            start_min = rng.choice((240, 270, 300, 330, 360, 390, 420, 480, 540, 600, 660, 720,
                                    780, 840))
            start_min = min(start_min, 1410 - duration)
            local = datetime.combine(WEEK_START + timedelta(days=day), time(0), tzinfo=tz)
            start = local + timedelta(minutes=start_min)
            qual = "CE" if rng.random() < 0.3 else "C"
            drafts.append((start, sites[j % 3], qual, duration, rng.choice((30, 45, 60, 75))))
    drafts.sort(key=lambda d: (d[0], d[1], d[2], d[3]))
    width = max(4, len(str(len(drafts))))
    shifts = []
    for n, (start, site, qual, duration, non_driving) in enumerate(drafts, start=1):
        end = start + timedelta(minutes=duration)
        breaks = _breaks_for(start, duration)
        drive = duration - 45 * len(breaks) - non_driving
        code = f"T{n:0{width}d}"
        shift_id = builder.add(
            "roster.shifts", tenant_id=spec.id, code=code, site_code=site, qualification=qual,
            starts_at=start, ends_at=end, drive_minutes=drive,
            breaks=[{"start": b.isoformat(), "end": e.isoformat()} for b, e in breaks],
            created_at=_utc(2025, 12, 29, 12))
        shifts.append(_Shift(shift_id, code, site, qual, start, end, drive, tuple(breaks)))
    return shifts


def _add_availability(builder: _Builder, spec: _TenantSpec, drivers: list[_Driver],
                      rng: random.Random, tz: ZoneInfo) -> list[tuple[_Driver, datetime,
                                                                      datetime, str]]:
    """Unavailability for about one driver in eight, vacations for one in 25.

    The first drivers (the sick-call drill's DRV001..DRV003) stay fully available.
    """
    eligible = drivers[DRILL_DRIVERS:]
    for driver in sorted(rng.sample(eligible, max(1, len(drivers) // 8)), key=lambda d: d.id):
        day = datetime.combine(WEEK_START + timedelta(days=rng.randrange(7)), time(0), tzinfo=tz)
        start, hours = rng.choice(((0, 24), (0, 12), (12, 12)))
        begin, end = day + timedelta(hours=start), day + timedelta(hours=start + hours)
        driver.blocked.append((begin, end))
        builder.add("roster.unavailability", tenant_id=spec.id, driver_id=driver.id,
                    starts_at=begin, ends_at=end, note=rng.choice(_UNAVAILABLE_NOTES),
                    created_at=_utc(2026, 1, 5, 10))
    absences = []
    for driver in sorted(rng.sample(eligible, max(1, len(drivers) // 25)), key=lambda d: d.id):
        first = rng.randrange(5)
        begin = datetime.combine(WEEK_START + timedelta(days=first), time(0), tzinfo=tz)
        end = begin + timedelta(days=2)
        driver.blocked.append((begin, end))
        builder.add("roster.absences", tenant_id=spec.id, driver_id=driver.id, starts_at=begin,
                    ends_at=end, reason="vacation", created_at=_utc(2025, 12, 15, 10))
        absences.append((driver, begin, end, "vacation"))
    return absences


def _add_history(builder: _Builder, spec: _TenantSpec, drivers: list[_Driver],
                 rng: random.Random, tz: ZoneInfo, seed: int,
                 ) -> list[tuple[_Driver, datetime, datetime, int]]:
    """`HISTORY_WEEKS` recorded weeks before the plan week, as a time recording holds them.

    Every week: 4-5 weekday duties per driver, 05:00-18:00 local, the weekend off, so every
    rule holds in the history (11 h daily rests, a regular weekly rest each weekend, at most
    2700 working minutes a week: R14's 17-week average stays under 2880 whatever the plan
    week holds within R7). The previous week draws from the tenant's stream exactly as the
    one-week seed did (the published plan and everything seeded after it are unchanged); the
    weeks before it draw from a stream of their own, so both stay deterministic.
    """
    older = random.Random(f"solvereign-seed/{seed}/{spec.id}/history")
    previous_monday = WEEK_START - timedelta(days=7)
    recent = {driver.id: _history_week(rng, previous_monday, tz) for driver in drivers}
    history = []
    for driver in drivers:
        weeks = [_history_week(older, WEEK_START - timedelta(days=7 * back), tz)
                 for back in range(HISTORY_WEEKS, 1, -1)]
        for start, end, drive in [duty for week in weeks for duty in week]:
            builder.add("roster.duty_history", tenant_id=spec.id, driver_id=driver.id,
                        starts_at=start, ends_at=end, drive_minutes=drive,
                        created_at=_utc(2026, 1, 10, 6))
            history.append((driver, start, end, drive))
        for start, end, drive in recent[driver.id]:
            builder.add("roster.duty_history", tenant_id=spec.id, driver_id=driver.id,
                        starts_at=start, ends_at=end, drive_minutes=drive,
                        created_at=_utc(2026, 1, 10, 6))
            driver.history_end = end
            driver.history_drive += drive  # R3 looks at the previous week only
            history.append((driver, start, end, drive))
    return history


def _history_week(rng: random.Random, monday: date, tz: ZoneInfo,
                  ) -> list[tuple[datetime, datetime, int]]:
    """One week of a driver's duties (4-5 weekdays, 05:00-18:00 local, weekend off)."""
    duties = []
    for day in sorted(rng.sample(range(5), rng.choice((4, 5)))):
        local = datetime.combine(monday + timedelta(days=day), time(0), tzinfo=tz)
        start = local + timedelta(minutes=rng.choice((300, 330, 360, 420, 480, 540)))
        end = start + timedelta(minutes=min(rng.choice((480, 510, 540)),
                                            18 * 60 - (start - local).seconds // 60))
        drive = rng.choice((300, 330, 360, 390, 420, 450))
        drive = min(drive, (end - start).seconds // 60 - 60)
        duties.append((start, end, drive))
    return duties


def _instance(spec: _TenantSpec, drivers: list[_Driver], shifts: list[_Shift],
              absences: Sequence[tuple[_Driver, datetime, datetime, str]],
              history: Sequence[tuple[_Driver, datetime, datetime, int]],
              tz: ZoneInfo) -> dict[str, Any]:
    """The roster instance of the tenant's week in the interchange format (docs/artifacts.md)."""
    def iso(value: datetime) -> str:
        return value.astimezone(tz).isoformat()

    absence_blocks = {(d.id, b, e) for d, b, e, _ in absences}
    return {
        "tenant": spec.id,
        "week_start": WEEK_START.isoformat(),
        "timezone": TIMEZONE,
        "drivers": [{"id": d.code, "site": d.site, "qualifications": list(d.qualifications),
                     "contract_minutes_week": d.contract,
                     "unavailable": [{"start": iso(b), "end": iso(e)} for b, e in d.blocked
                                     if (d.id, b, e) not in absence_blocks],
                     "history_weeks": HISTORY_WEEKS}
                    for d in drivers],
        "shifts": [{"id": s.code, "site": s.site, "qualification": s.qualification,
                    "start": iso(s.start), "end": iso(s.end), "drive_minutes": s.drive,
                    "breaks": [{"start": iso(b), "end": iso(e)} for b, e in s.breaks]}
                   for s in shifts],
        "absences": [{"driver": d.code, "start": iso(b), "end": iso(e), "reason": r}
                     for d, b, e, r in absences],
        "history": [{"driver": d.code, "start": iso(b), "end": iso(e), "drive_minutes": m}
                    for d, b, e, m in history],
        "history_weeks": HISTORY_WEEKS,
    }


def _can_take(driver: _Driver, shift: _Shift) -> bool:
    """Conservative hard-rule check for the greedy seed plan (R0-R3, R5-R8, R10)."""
    minutes = int((shift.end - shift.start).total_seconds() // 60)
    if any(b < shift.end and shift.start < e for b, e in driver.blocked):
        return False
    last_end = driver.duties[-1][1] if driver.duties else driver.history_end
    if last_end is not None and (shift.start - last_end).total_seconds() < MIN_REST * 60:
        return False
    first_start = driver.duties[0][0] if driver.duties else shift.start
    return (
        len(driver.duties) < MAX_DUTIES_PER_WEEK
        and (shift.end - first_start).total_seconds() <= WEEKLY_REST_WINDOW * 60
        and driver.drive + shift.drive <= 3360
        and driver.history_drive + driver.drive + shift.drive <= 5400
        and driver.work + minutes <= 3600
    )


def _drop_until_valid(assigned: dict[str, _Driver], shifts: list[_Shift],
                      instance: Mapping[str, Any]) -> list[str]:
    """Unassign shifts the rule oracle rejects, the latest named first; returns them.

    The chronological greedy cannot see R11 (EU 561/2006 art. 8(6), issue 23): a driver whose
    last rest runs past the end of the week, shorter than 45 h as far as the plan shows,
    makes the oracle fail the plan closed. The published plan gives such a driver's latest
    shift up rather than depend on a compensation nobody can see.
    """
    from cutover.roster.parse import parse_instance, parse_plan
    from cutover.roster.rules import check_plan

    parsed = parse_instance(instance, "seed instance")
    start_of = {s.code: s.start for s in shifts}
    dropped = []
    while True:
        doc = {"tenant": parsed.tenant, "instance_sha256": "-", "seed": 0,
               "assignments": [{"shift": c, "driver": d.code} for c, d in sorted(assigned.items())],
               "uncovered": sorted(set(start_of) - set(assigned))}
        violations = check_plan(parsed, parse_plan(doc, parsed, "seed plan"))
        named = [c for c in (violations[0].shifts if violations else ()) if c in assigned]
        if not named:
            return dropped
        code = max(named, key=lambda c: (start_of[c], c))
        del assigned[code]
        dropped.append(code)


def _greedy_plan(drivers: list[_Driver], shifts: list[_Shift]) -> tuple[dict[str, _Driver],
                                                                         list[str]]:
    """Assign shifts in time order, round-robin over the drivers of each (site, licence)."""
    pools: dict[tuple[str, str], deque[_Driver]] = {}
    for driver in drivers:
        for qual in driver.qualifications:
            pools.setdefault((driver.site, qual), deque()).append(driver)
    assigned: dict[str, _Driver] = {}
    uncovered = []
    for shift in shifts:
        pool = pools.get((shift.site, shift.qualification), deque())
        chosen = next((d for d in pool if _can_take(d, shift)), None)
        if chosen is None:
            uncovered.append(shift.code)
            continue
        pool.remove(chosen)
        pool.append(chosen)
        chosen.duties.append((shift.start, shift.end))
        chosen.drive += shift.drive
        chosen.work += int((shift.end - shift.start).total_seconds() // 60)
        assigned[shift.code] = chosen
    return assigned, uncovered


def _add_plan(builder: _Builder, spec: _TenantSpec, seed: int, drivers: list[_Driver],
              shifts: list[_Shift], instance: Mapping[str, Any]) -> None:
    """A published plan for the week, computed greedily, with its canonical hashes."""
    assigned, uncovered = _greedy_plan(drivers, shifts)
    uncovered = uncovered + _drop_until_valid(assigned, shifts, instance)
    instance_sha = sha256_hex(canonical_json(instance))
    plan_doc = {
        "tenant": spec.id,
        "instance_sha256": instance_sha,
        "seed": seed,
        "assignments": [{"shift": code, "driver": assigned[code].code}
                        for code in sorted(assigned)],
        "uncovered": sorted(uncovered),
    }
    plan_id = builder.add("roster.plans", tenant_id=spec.id, week_start=WEEK_START,
                          seed=seed, status="published",
                          plan_sha256=sha256_hex(canonical_json(plan_doc)),
                          instance_sha256=instance_sha, created_at=_utc(2026, 1, 8, 15))
    for shift in shifts:
        if shift.code in assigned:
            builder.add("roster.assignments", tenant_id=spec.id, plan_id=plan_id,
                        shift_id=shift.id, driver_id=assigned[shift.code].id,
                        created_at=_utc(2026, 1, 8, 15))


def _plate(builder: _Builder, spec: _TenantSpec, rng: random.Random) -> str:
    """A licence plate unique across all tenants (the schema enforces that, W10)."""
    while True:
        number, letter = rng.randrange(10000, 100000), rng.choice("ABCDEFGHKLMNPRSTUVWXYZ")
        plate = f"{spec.site_prefix}-{number}{letter}"
        if plate not in builder.plates:
            builder.plates.add(plate)
            return plate


def _add_routing(builder: _Builder, spec: _TenantSpec, shifts: list[_Shift],
                 rng: random.Random, multiplier: int) -> None:
    """Vehicles per site (trucks need C, semis CE) and routes with stops for one shift in ten."""
    vehicles: dict[tuple[str, str], list[int]] = {}
    for site in _site_codes(spec):
        for kind, qual, capacity in (("truck", "C", 12000), ("truck", "C", 7500),
                                     ("semi", "CE", 24000)) * multiplier:
            vehicle_id = builder.add(
                "routing.vehicles", tenant_id=spec.id, plate=_plate(builder, spec, rng),
                site_code=site, vehicle_type=kind, required_qualification=qual,
                capacity_kg=capacity, created_at=_utc(2025, 11, 20, 9))
            vehicles.setdefault((site, qual), []).append(vehicle_id)
    chosen = sorted(rng.sample(shifts, max(3, len(shifts) // 10)), key=lambda s: s.code)
    lat0, lon0 = spec.center
    for n, shift in enumerate(chosen, start=1):
        start = shift.start + timedelta(minutes=30)
        end = shift.end - timedelta(minutes=30)
        route_id = builder.add(
            "routing.routes", tenant_id=spec.id, code=f"R{n:04d}", site_code=shift.site,
            service_date=shift.start.date(), shift_id=shift.id,
            vehicle_id=rng.choice(vehicles[(shift.site, shift.qualification)]),
            planned_start=start, planned_end=end, created_at=_utc(2026, 1, 9, 12))
        stops = rng.randrange(4, 9)
        step = (end - start) / (stops + 1)
        for seq in range(1, stops + 1):
            lat = Decimal(str(round(lat0 + rng.uniform(-0.08, 0.08), 5)))
            lon = Decimal(str(round(lon0 + rng.uniform(-0.12, 0.12), 5)))
            address = (f"{rng.choice(_STREETS)} {rng.randrange(1, 120)}, "
                       f"{rng.randrange(1010, 1240)} {spec.city}")
            arrival = start + step * seq
            builder.add("routing.route_stops", tenant_id=spec.id, route_id=route_id, seq=seq,
                        address=address, lat=lat, lon=lon,
                        planned_arrival=arrival.replace(second=0, microsecond=0),
                        service_minutes=rng.choice((5, 10, 15, 20)))


def _add_audit_and_nonces(builder: _Builder, spec: _TenantSpec, rng: random.Random,
                          multiplier: int) -> None:
    """Audit entries in every audit_log partition (2024 -> default, 2025, 2026) and nonces."""
    entries = [
        (_utc(2024, 6, 3, 8), "platform:import", "tenant.imported", "tenant", spec.id),
        (_utc(2025, 12, 1, 9), _OPS, "api_key.created", "api_key", "1"),
        (_utc(2025, 12, 20, 10), _OPS, "api_key.revoked", "api_key", "2"),
        (_utc(2026, 1, 8, 15), "api:roster-service", "plan.published", "plan", "1"),
    ]
    for k in range(multiplier):
        for created, actor, action, object_type, object_id in entries:
            builder.add("core.audit_log", tenant_id=spec.id,
                        created_at=created + timedelta(minutes=k), actor=actor, action=action,
                        object_type=object_type, object_id=object_id,
                        details={"tenant": spec.id, "batch": k})
        for j in range(3):
            builder.add("core.audit_log", tenant_id=spec.id,
                        created_at=_utc(2026, 1, 9, 7) + timedelta(minutes=17 * j + k),
                        actor="api:roster-service", action="driver.updated", object_type="driver",
                        object_id=f"DRV{rng.randrange(1, spec.drivers + 1):03d}",
                        details={"field": rng.choice(("qualifications", "site_code",
                                                      "contract_minutes_week"))})
    for j in range(5 * multiplier):
        builder.add("core.request_nonces", tenant_id=spec.id, nonce=f"{rng.getrandbits(128):032x}",
                    seen_at=_utc(2026, 1, 9, 7) + timedelta(seconds=37 * j))


def _add_platform_users(builder: _Builder, seed: int, hmac_secret: bytes) -> dict[str, str]:
    """Two platform operators; passwords derive from the secret and are only hashed."""
    passwords = {}
    for email, display, admin in (("ops@solvereign.example", "Platform Operations", True),
                                  ("support@solvereign.example", "Platform Support", False)):
        purpose = f"user-password/{seed}/{email}"
        password = base64.urlsafe_b64encode(_derive(hmac_secret, purpose)[:18]).decode()
        builder.add("core.users", email=email, display_name=display,
                    password_hash=_password_hash(hmac_secret, purpose, password),
                    is_platform_admin=admin, created_at=_utc(2025, 11, 1, 9))
        passwords[email] = password
    return passwords


def _add_security_events(builder: _Builder, specs: Iterable[_TenantSpec]) -> None:
    """Past, harmless security events (no REPLAY_ATTACK: monitors alert on those)."""
    for spec in specs:
        builder.add("core.security_events", created_at=_utc(2025, 12, 1, 9),
                    event_type="API_KEY_CREATED", severity="INFO", tenant_id=spec.id,
                    db_user="solvereign_platform",
                    details={"key_name": "roster-service"})
        builder.add("core.security_events", created_at=_utc(2025, 12, 20, 10),
                    event_type="API_KEY_REVOKED", severity="LOW", tenant_id=spec.id,
                    db_user="solvereign_platform", details={"key_name": "legacy-import"})
    builder.add("core.security_events", created_at=_utc(2025, 12, 21, 3),
                event_type="PLATFORM_LOGIN_FAILED", severity="MEDIUM", tenant_id=None,
                db_user="solvereign_platform", details={"email": "unknown@example.invalid"})


# ---------------------------------------------------------------------------------------------
# loading


def load(conn: psycopg.Connection, data: SeedData) -> dict[str, int]:
    """Insert every row of ``data`` in one transaction; returns rows loaded per table.

    Run as a superuser, or as the migrator after ``SET ROLE solvereign_owner``; the target
    tables must not contain seed rows yet (primary keys would collide).
    """
    counts = {spec.name: 0 for spec in TABLES}
    with conn.transaction(), conn.cursor() as cur:
        loader = _Loader(cur)
        for spec in TABLES:
            if spec.tenant_column is None:
                counts[spec.name] += loader.insert(spec, data.tables[spec.name])
        per_tenant = _group_by_tenant(data)
        for tenant in data.tenant_ids:
            cur.execute("SELECT set_config('app.tenant_id', %s, true)", (tenant,))
            for spec in TABLES:
                if spec.tenant_column is not None:
                    counts[spec.name] += loader.insert(spec, per_tenant[spec.name].get(tenant, []))
        cur.execute("SELECT set_config('app.tenant_id', '', true)")
        _advance_sequences(cur, data)
        _refresh_matviews(cur)
    return counts


def _group_by_tenant(data: SeedData) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Tenant-keyed tables: table -> tenant -> rows, preserving row order."""
    grouped: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
    for spec in TABLES:
        if spec.tenant_column is None:
            continue
        idx = spec.columns.index(spec.tenant_column)
        by_tenant: dict[str, list[tuple[Any, ...]]] = {}
        for row in data.tables[spec.name]:
            by_tenant.setdefault(row[idx], []).append(row)
        grouped[spec.name] = by_tenant
    return grouped


class _Loader:
    """COPY rows into a table, through a staging table where row security applies."""

    def __init__(self, cur: psycopg.Cursor) -> None:
        self.cur = cur
        self._staging: dict[str, sql.Identifier | None] = {}

    def insert(self, spec: TableSpec, rows: Sequence[tuple[Any, ...]]) -> int:
        """Load ``rows`` into ``spec.name``; returns how many."""
        if not rows:
            return 0
        target = _qualified(spec.name)
        columns = sql.SQL(", ").join(map(sql.Identifier, spec.columns))
        staging = self._staging_for(spec)
        if staging is None:
            self._copy(sql.SQL("COPY {} ({}) FROM STDIN").format(target, columns), spec, rows)
            return len(rows)
        self.cur.execute(sql.SQL("TRUNCATE {}").format(staging))
        self._copy(sql.SQL("COPY {} ({}) FROM STDIN").format(staging, columns), spec, rows)
        self.cur.execute(sql.SQL("INSERT INTO {} ({}) SELECT {} FROM {}").format(
            target, columns, columns, staging))
        return len(rows)

    def _staging_for(self, spec: TableSpec) -> sql.Identifier | None:
        """None when COPY may go straight in; else a temp table shaped like the target."""
        if spec.name not in self._staging:
            self.cur.execute("SELECT row_security_active(%s::regclass)", (spec.name,))
            row = self.cur.fetchone()
            staging = None
            if row is not None and row[0]:
                staging = sql.Identifier("seed_stage_" + spec.name.replace(".", "_"))
                self.cur.execute(sql.SQL(
                    "CREATE TEMP TABLE IF NOT EXISTS {} (LIKE {}) ON COMMIT DROP").format(
                        staging, _qualified(spec.name)))
            self._staging[spec.name] = staging
        return self._staging[spec.name]

    def _copy(self, statement: sql.Composed, spec: TableSpec,
              rows: Sequence[tuple[Any, ...]]) -> None:
        json_positions = [i for i, c in enumerate(spec.columns) if c in spec.jsonb_columns]
        with self.cur.copy(statement) as copy:
            for row in rows:
                if json_positions:
                    row = tuple(Jsonb(v) if i in json_positions else v for i, v in enumerate(row))
                copy.write_row(row)


def _qualified(name: str) -> sql.Identifier:
    schema, table = name.split(".")
    return sql.Identifier(schema, table)


def _advance_sequences(cur: psycopg.Cursor, data: SeedData) -> None:
    """Move each id sequence past the largest loaded id, so later inserts do not collide."""
    for spec in TABLES:
        rows = data.tables[spec.name]
        if not spec.has_sequence or not rows:
            continue
        top = max(row[spec.columns.index("id")] for row in rows)
        cur.execute(
            "SELECT setval(s.seq, greatest(%s, coalesce(pg_sequence_last_value(s.seq), 0)))"
            " FROM (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS seq) AS s",
            (top, spec.name))


def _refresh_matviews(cur: psycopg.Cursor) -> None:
    """Refresh the application's materialized views this role may refresh (it owns them)."""
    cur.execute(
        "SELECT schemaname, matviewname FROM pg_catalog.pg_matviews"
        " WHERE schemaname IN ('core', 'roster', 'routing')"
        "   AND pg_has_role(current_user, matviewowner, 'USAGE')"
        " ORDER BY schemaname, matviewname")
    for schema, name in cur.fetchall():
        cur.execute(sql.SQL("REFRESH MATERIALIZED VIEW {}").format(sql.Identifier(schema, name)))
