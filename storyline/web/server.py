"""Running the web app: ``storyline serve``.

One process, one uvicorn server, driven programmatically so that Storyline owns its
signals: SIGTERM (from a service manager or a container runtime) and Ctrl-C both stop
accepting connections, let requests in flight finish, close the database, and return 0.

By default the same process also runs the background work (feed checks and article
fetching, :class:`storyline.worker.Background`), started before the server and stopped
after it; ``storyline serve --no-workers`` leaves that to ``storyline worker`` processes.
On first start the default outlets are subscribed to (``STORYLINE_DEFAULT_OPML``).
"""

from __future__ import annotations

import gc
import logging
import signal
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from storyline.crawl.subscribe import subscribe_defaults
from storyline.readers.automod import Automod
from storyline.settings import Settings
from storyline.store import Database
from storyline.web.app import create_app
from storyline.worker import Background

log = logging.getLogger(__name__)

_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACEFUL_SHUTDOWN_SECONDS = 5


class _Server(uvicorn.Server):
    """uvicorn's server, minus re-raising the stop signal once it has shut down.

    uvicorn re-sends a captured SIGTERM to the process after a graceful shutdown, which
    would end it with "killed by SIGTERM" instead of the exit code 0 a clean stop means.
    """

    @contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in _SIGNALS}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets)
        if self.started:
            for url in _listening_urls(self):
                log.info("Storyline is serving at %s", url)


def serve(settings: Settings, host: str, port: int, *, workers: bool = True) -> int:
    """Serve the web app on ``host:port`` until SIGTERM or Ctrl-C; 0 after a clean stop."""
    database = Database.from_settings(settings)
    subscribe_defaults(database, settings)
    app = create_app(settings, database)
    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        log_config=None,  # the CLI has set up logging; uvicorn's loggers propagate to it
        log_level=settings.log_level.lower(),
        server_header=False,
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
    )
    # The comment classifier's first load would stall every request in flight; load it
    # before the first one.
    Automod(settings).warm_up()
    # Everything built so far (app, compiled templates, SQLAlchemy's caches) lives as long
    # as the process: moving it out of the collector's sight keeps full collections, and
    # the pauses they add to the slowest requests, short.
    gc.collect()
    gc.freeze()
    server = _Server(config)
    background = Background(settings, database, role="serve") if workers else None
    if background is not None:
        background.start()
    try:
        server.run()
    except SystemExit as exit_:  # uvicorn exits 1 when it cannot bind the address
        return exit_.code if isinstance(exit_.code, int) else 1
    finally:
        if background is not None:
            background.stop()
        database.dispose()
    if not server.started:
        return 1
    log.info("Storyline stopped")
    return 0


def _listening_urls(server: uvicorn.Server) -> list[str]:
    """``http://host:port/`` for each bound socket: the real port when 0 was asked for."""
    urls = []
    for listener in server.servers:
        for sock in listener.sockets:
            address = sock.getsockname()
            host = f"[{address[0]}]" if sock.family == socket.AF_INET6 else address[0]
            urls.append(f"http://{host}:{address[1]}/")
    return urls
