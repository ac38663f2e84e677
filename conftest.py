"""Root conftest: registers the gate's pytest plugins (fixtures/) when they exist.

Plugins only define options and fixtures; nothing starts until a check asks for a
target, so the project's own tests pay nothing for them.
"""

pytest_plugins: list[str] = []
