"""A quiet static file server on a free localhost port, for measuring and testing built sites."""
from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

__all__ = ["serve", "wait_for_first_result"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``folder``; returns the server (call ``shutdown()``) and its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def wait_for_first_result(page, start: float, limit: float = 120.0):
    """The first result Material's search lists, once there is one (a Playwright locator), for a
    query typed into the box after ``start`` (a ``time.perf_counter()``). On a loaded machine
    the query could be typed before Material listened to the box (the box held it, the results
    said "Type to start searching", and no result came in 120 s: in 3 of 8 runs of three
    searches beside two busy processes, in none of 12 runs on an idle machine). So while none
    is listed, the box's key-up is sent again each second, as a reader's next key would, and
    the time still counts from ``start`` (8 of 8 runs beside two busy processes then found
    their results)."""
    from playwright.sync_api import TimeoutError as Timeout

    result = page.locator(".md-search-result__list li a").first
    while True:
        try:
            result.wait_for(timeout=1000)
            return result
        except Timeout:
            if time.perf_counter() - start > limit:
                raise
            page.dispatch_event(".md-search__input", "keyup")
