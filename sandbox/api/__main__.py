"""`python -m sandbox.api [--host H] [--port P] [--port-file F]`: serve the API with uvicorn.

The socket is bound here (port 0 = any free port) and the bound port written to
`--port-file` before serving, so a launcher learns the port without guessing or racing.
Bad settings are one line on stderr and exit 2, as for every command of the project.
"""

from __future__ import annotations

import argparse
import os
import socket
import sys
from pathlib import Path

from cutover.errors import CutoverError


def _bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket; SO_REUSEADDR so a restart can take the same port at once.

    TCP_NODELAY is set here because connections accepted on a socket handed to uvicorn do
    not get it otherwise (they inherit it from the listener on Linux): without it every
    response stalls ~40 ms on Nagle's algorithm against the client's delayed ACK.
    """
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.set_inheritable(True)
    return sock


def _write_port(path: Path, port: int) -> None:
    """Atomically, so a reader never sees a half-written number."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"{port}\n")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    """Validate settings, bind, announce the port, serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(prog="python -m sandbox.api", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--port-file", type=Path)
    args = parser.parse_args(argv)
    try:
        import uvicorn

        from sandbox.api import logs
        from sandbox.api.app import create_app
        from sandbox.api.settings import ApiSettings

        settings = ApiSettings.from_env()
        logs.configure(settings.log_level, settings.secrets())
        app = create_app(settings)
        sock = _bind(args.host, args.port)
    except CutoverError as exc:
        print(f"sandbox api: {exc}", file=sys.stderr)
        return exc.exit_code
    except OSError as exc:
        print(f"sandbox api: cannot listen on {args.host}:{args.port}: {exc.strerror}",
              file=sys.stderr)
        return 2
    if args.port_file:
        _write_port(args.port_file, sock.getsockname()[1])
    config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="on",
                            timeout_graceful_shutdown=5, server_header=False)
    uvicorn.Server(config).run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
