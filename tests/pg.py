"""Helpers the tests share for making throwaway databases on the session's cluster."""

from __future__ import annotations

import itertools
import os

from cutover.pg.providers import create_database, drop_database

_counter = itertools.count()


def unique_name(prefix: str = "t") -> str:
    """A database name unique within this test session (xdist-safe via the pid)."""
    return f"{prefix}_{os.getpid()}_{next(_counter)}"


class DatabaseFactory:
    """Creates databases (optionally as TEMPLATE copies) and drops them at teardown."""

    def __init__(self, admin_url: str) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def __call__(self, template: str | None = None, prefix: str = "t",
                 owner: str | None = None) -> str:
        name = unique_name(prefix)
        url = create_database(self.admin_url, name, template=template, owner=owner)
        self.created.append(name)
        return url

    def cleanup(self) -> None:
        for name in self.created:
            drop_database(self.admin_url, name)
        self.created.clear()
