"""Root conftest: registers the gate's pytest plugins from fixtures/.

Plugins only define options, hooks and fixtures; nothing starts until a check asks
for a target, so the project's own tests pay nothing for them.
"""

pytest_plugins = [
    "fixtures.target",
    "fixtures.evidence",
    "fixtures.db",
    "fixtures.gate",
    "fixtures.roster",
    "fixtures.junit",
]
