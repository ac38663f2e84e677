"""Structured JSON logs, one object per line on stderr, with secrets masked.

Handlers never get request headers, cookies or bodies; on top of that a filter masks
URL passwords and every known secret value in each record, so a psycopg message or a
traceback that quotes a connection string cannot leak it either.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from cutover.pg.url import mask_text

LOGGER = "solvereign.api"
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    """Render a record as one JSON object; extra fields become keys."""

    def format(self, record: logging.LogRecord) -> str:
        doc: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and key != "color_message":
                doc[key] = value
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str, sort_keys=True)


class SecretMask(logging.Filter):
    """Mask URL passwords and the given secret values in the formatted message and extras."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask_text(record.getMessage(), self.secrets)
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD and isinstance(value, str):
                setattr(record, key, mask_text(value, self.secrets))
        if record.exc_info:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
            record.exc_text = None
            record.__dict__["exc"] = mask_text(text, self.secrets)
        return True


def configure(level: str, secrets: list[str]) -> None:
    """Route our loggers and uvicorn's through one JSON handler on stderr."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(SecretMask(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # our access log replaces it


def logger() -> logging.Logger:
    """The API's logger."""
    return logging.getLogger(LOGGER)
