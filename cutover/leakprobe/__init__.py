"""The cross-tenant probes the gate (PM-080, PM-081) and the post-deploy watch share.

The library owns them so that `cutover watch` runs the same read-only probe as the gate
without importing the gate's checks/ tree (which an installed wheel ships only as data).
"""
