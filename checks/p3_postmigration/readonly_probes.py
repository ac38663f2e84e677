"""Read-only cross-tenant probes (PM-081): moved to cutover.leakprobe.readonly so that the
post-deploy watch runs the same probe; re-exported here for the checks."""

from cutover.leakprobe.readonly import (  # noqa: F401
    LEAK,
    SAMPLE_ROWS,
    UNPROVEN,
    Finding,
    ReadProber,
    ReadProbeReport,
    by_relation,
    probe_read_only,
)
