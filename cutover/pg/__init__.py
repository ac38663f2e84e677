"""PostgreSQL itself: connections, URLs, the client tools, pinned sessions, the embedded server."""
