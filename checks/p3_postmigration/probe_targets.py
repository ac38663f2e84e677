"""What the active probes probe: moved to cutover.leakprobe.targets (the watch runs them
too); re-exported here for the checks that import it by this name."""

from cutover.leakprobe.targets import (  # noqa: F401
    DEFAULT_STATEMENT_TIMEOUT,
    DEFAULT_TENANTS,
    SWITCHED_ON,
    DefinerFunction,
    Relation,
    definer_functions,
    open_session,
    other_roles,
    policy_settings,
    qualified,
    relations,
    session_options,
    settable,
    settable_pairs,
    statement_timeout,
    tenants,
)
