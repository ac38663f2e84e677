"""The runbook tests drive a live sandbox API too: the API tests' process factory."""

from tests.api.conftest import start_api  # noqa: F401 (a fixture, used by name)
