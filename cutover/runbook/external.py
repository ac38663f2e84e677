"""A platform the tool did not start (a staging copy): the rehearsal's Platform from URLs.

`w02_staging_soak.sh --db-url URL --api-url URL` drives a real staging target through this
provider: everything it knows comes from the runbook's own variables (docs/configuration.md)
— the migrator's URL (SOLVEREIGN_DB_URL), the admin login with CREATEDB that the backup's
restore check and the rollback's work database need (SOLVEREIGN_ADMIN_DB_URL), the backup
role's URL (SOLVEREIGN_BACKUP_DB_URL) and the API (SOLVEREIGN_API_URL). Nothing is started
and nothing is stopped: `down` leaves the target and the folder of backups as they are.
Redeploying the API is the operator's SOLVEREIGN_REDEPLOY_COMMAND, as for `cutover rollback`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from urllib.parse import unquote, urlsplit

import httpx

from cutover.approval import lkg
from cutover.errors import ConfigError, TargetError
from cutover.migrate import ledger
from cutover.migrate.files import version_key
from cutover.pg.connect import connect
from cutover.pg.url import database_name, mask_url, validate_url
from cutover.rollback import redeploy
from cutover.rollback.restore import drop_database, maintenance_url, rolledback_name
from cutover.runbook.platform import Log

DB_VAR, ADMIN_VAR, BACKUP_VAR, API_VAR = ("SOLVEREIGN_DB_URL", "SOLVEREIGN_ADMIN_DB_URL",
                                          "SOLVEREIGN_BACKUP_DB_URL", "SOLVEREIGN_API_URL")
#: the LOGIN roles a rehearsal asks for, and the variable holding each one's URL
ROLE_VARS = {"solvereign_migrator": DB_VAR, "solvereign_backup": BACKUP_VAR,
             "solvereign_api": "SOLVEREIGN_API_DB_URL",
             "solvereign_platform": "SOLVEREIGN_PLATFORM_DB_URL"}
REQUIRED_URLS = (DB_VAR, ADMIN_VAR, BACKUP_VAR)
PRE_CUTOVER_LAST = (24, "~")  # 001..024: the schema as it stands before the cutover
SECRET_WORDS = ("SECRET", "PASSWORD", "API_KEY", "CONNECTION_STRING")
HEALTH_TIMEOUT = 10.0


def settings_from(environ: Mapping[str, str], **flags: str | None) -> dict[str, str]:
    """The SOLVEREIGN_* settings of `environ`, each given flag winning over its variable
    (keyword: the variable's name)."""
    out = {k: v for k, v in environ.items() if k.startswith("SOLVEREIGN_")}
    out.update({k: v for k, v in flags.items() if v})
    return out


class ExternalPlatform:
    """A running target seen only through its URLs."""

    kind = "staging target"

    def __init__(self, settings: Mapping[str, str], root: Path) -> None:
        self.settings, self.root = dict(settings), root

    @property
    def api_url(self) -> str | None:
        return self.settings.get(API_VAR)

    def environment(self) -> dict[str, str]:
        return dict(self.settings)

    def url(self, role: str) -> str:
        """The URL of a LOGIN role, from its variable; ConfigError naming it when unset."""
        var = ROLE_VARS.get(role)
        if var is None:
            raise ConfigError(f"no variable holds a URL for role {role}")
        return validate_url(self.settings.get(var), var)

    def secrets(self) -> list[str]:
        """Every URL password and every secret-named value of the settings."""
        found = []
        for name, value in self.settings.items():
            if value.startswith(("postgresql://", "postgres://")):
                password = urlsplit(value).password
                found += [password, unquote(password)] if password else []
            elif any(word in name for word in SECRET_WORDS):
                found.append(value)
        return [s for s in found if s]

    def restart_api(self) -> str:
        """The rollback's redeploy: the operator's SOLVEREIGN_REDEPLOY_COMMAND (its
        placeholders filled from last-known-good), or nothing when none is configured; the
        API keeps its URL."""
        command = redeploy.parse(self.settings)
        if command is not None:
            path = Path(self.settings.get(lkg.PATH_VAR) or self.root / "last-known-good.json")
            record = lkg.read(path) if path.exists() else None
            values = {"database": database_name(self.url("solvereign_migrator")), "backup": "",
                      "rollback_sha": record.rollback_sha if record else "",
                      "rc_tag": record.rc_tag if record else ""}
            redeploy.run(command, values, self.secrets())
        return self.api_url or ""

    def reload(self) -> None:
        """Nothing to re-read: the target's URLs do not change when it is redeployed."""


class ExternalProvider:
    """`up` checks that the given target is reachable and at the pre-cutover schema; it
    starts nothing, and `down` stops nothing."""

    def __init__(self, settings: Mapping[str, str]) -> None:
        self.settings = dict(settings)

    def check(self) -> str:
        """The URLs are well-formed, the database is at a pre-cutover head (returned) and
        the API answers: bad input or an unready target is refused before anything runs."""
        for var in REQUIRED_URLS:
            validate_url(self.settings.get(var), var)
        api = require_api_url(self.settings.get(API_VAR))
        head = pre_cutover_head(self.settings[DB_VAR])
        api_healthy(api)
        return head

    def up(self, root: Path, *, profile: str, log: Log) -> ExternalPlatform:
        """`profile` is the sandbox's choice; an external target is what it is."""
        head = self.check()
        root.mkdir(parents=True, exist_ok=True)
        log(f"external target {mask_url(self.settings[DB_VAR])} at {head}, "
            f"API {self.settings[API_VAR]}")
        return ExternalPlatform(self.settings, root)

    def down(self, root: Path) -> None:
        """The target is not ours to stop; its backups stay in `root`."""


def staging_target(environ: Mapping[str, str], *, db_url: str, admin_url: str | None,
                   backup_url: str | None, api_url: str | None) -> ExternalProvider:
    """The target the staging soak names (w02_staging_soak.sh --db-url): its flags over the
    environment, refused (exit 2) in production or with a URL missing or malformed, before
    anything runs. The soak cuts its target over and rolls it back."""
    settings = settings_from(environ, SOLVEREIGN_DB_URL=db_url,
                             SOLVEREIGN_ADMIN_DB_URL=admin_url,
                             SOLVEREIGN_BACKUP_DB_URL=backup_url, SOLVEREIGN_API_URL=api_url)
    if settings.get("SOLVEREIGN_ENV") == "production":
        raise ConfigError("SOLVEREIGN_ENV is production: the soak cuts its target over and "
                          "rolls it back, it runs on a staging copy only")
    validate_url(db_url, "--db-url")
    for var, flag in ((ADMIN_VAR, "--admin-url"), (BACKUP_VAR, "--backup-url")):
        validate_url(settings.get(var), f"{flag} (or {var})")
    if not settings.get(API_VAR):
        raise ConfigError("--api-url (or SOLVEREIGN_API_URL) is not set: the soak proves the "
                          "freeze through the target's API")
    return ExternalProvider(settings)


def require_api_url(url: str | None) -> str:
    """An http(s) base URL; ConfigError naming SOLVEREIGN_API_URL otherwise."""
    if not url or not url.strip():
        raise ConfigError(f"{API_VAR} is not set (the API's base URL: --api-url)")
    if urlsplit(url.strip()).scheme not in ("http", "https") or not urlsplit(url).hostname:
        raise ConfigError(f"{API_VAR} must be an http(s) URL with a host (got {url!r})")
    return url.strip().rstrip("/")


def ledger_head(db_url: str) -> str | None:
    """The target's ledger head (None: no ledger, no migration)."""
    with connect(db_url) as conn:
        return ledger.head(conn)


def kept_copies(admin_url: str, db_url: str) -> set[str]:
    """The post-cutover databases that rollbacks of the target kept aside
    (`<db>_rolledback_<stamp>`, as `cutover rollback` names them), as the cluster lists them."""
    stamp = "20000101T000000Z"  # any stamp of the rollback's length: the name's cut depends on it
    prefix = rolledback_name(database_name(db_url), stamp)[:-len(stamp)]
    with connect(maintenance_url(admin_url), name=ADMIN_VAR) as conn:
        rows = conn.execute("SELECT datname FROM pg_catalog.pg_database"
                            " WHERE left(datname, %s) = %s", (len(prefix), prefix)).fetchall()
    return {r[0] for r in rows}


def drop_copies(admin_url: str, names: set[str]) -> None:
    """Drop kept copies a passed soak iteration made (each one a full copy of the database)."""
    with connect(maintenance_url(admin_url), name=ADMIN_VAR) as conn:
        for name in sorted(names):
            drop_database(conn, name)


def pre_cutover_head(db_url: str) -> str:
    """The ledger head, refused unless it is a pre-cutover one (001..024): the rehearsal
    cuts the target over and rolls it back, which must start from where production is."""
    head = ledger_head(db_url)
    if head is None:
        raise TargetError(f"{mask_url(db_url)} has no migration ledger: prepare a staging "
                          "copy first (`cutover staging prepare`)")
    if version_key(head[:4].rstrip("_")) > PRE_CUTOVER_LAST:
        raise TargetError(f"{mask_url(db_url)} is at {head}, not at the pre-cutover schema "
                          "(001..024): restore its pre-cutover backup (`cutover rollback`) "
                          "or prepare a fresh staging copy")
    return head


def api_healthy(api_url: str) -> None:
    """GET /health answers 200, or TargetError naming the URL and what it answered."""
    try:
        status = httpx.get(api_url + "/health", timeout=HEALTH_TIMEOUT).status_code
    except httpx.HTTPError as exc:
        raise TargetError(f"the API at {api_url} does not answer /health "
                          f"({type(exc).__name__})") from None
    if status != 200:
        raise TargetError(f"the API at {api_url} answers /health with HTTP {status}")
