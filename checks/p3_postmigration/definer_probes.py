"""The definer-function leak probe: moved to cutover.leakprobe.definer; re-exported here."""

from cutover.leakprobe.definer import definer_leak  # noqa: F401
