"""A small API gateway: an ASGI app that routes with trieway and forwards with httpx.

Every request is routed by ``Router.route_asgi`` straight from the ASGI scope (bytes headers,
``raw_path`` and ``query_string`` are read without copying), then ``Match.apply`` says what to
do: forward to the drawn backend with the header edits and URL rewrites applied, answer a
redirect, or answer a status (404 when nothing matches, 421 for a misdirected request, 500 for
an invalid backend). Response header edits apply to every answer.

Backends are Kubernetes Services; this example maps each ``namespace/name:port`` to a base URL
given on the command line::

    python examples/asgi_gateway.py examples/demo.yaml --listen 127.0.0.1:8000 --port 443 \\
        --upstream tenant-a/store:8080=http://127.0.0.1:9001 \\
        --upstream tenant-a/store-canary:8080=http://127.0.0.1:9002

``--port`` is the Gateway listener the app stands for (the port uvicorn binds is usually
another one). Request mirrors and ExtensionRef filters are not implemented here: mirrors are
skipped, and a rule with an ExtensionRef filter answers 500 as the Gateway API requires.
"""

from __future__ import annotations

import argparse
from typing import Any, Awaitable, Callable, Dict, List, MutableMapping, Optional, Tuple

import httpx

import trieway

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
HeaderLines = List[Tuple[bytes, bytes]]

#: Connection-specific headers a proxy must not forward (RFC 9110 §7.6.1), plus the length
#: headers httpx and the ASGI server compute themselves.
HOP_BY_HOP = frozenset(
    {
        b"connection",
        b"keep-alive",
        b"proxy-connection",
        b"te",
        b"trailer",
        b"transfer-encoding",
        b"upgrade",
        b"content-length",
    }
)


def backend_key(backend: trieway.Backend) -> str:
    """The key of ``upstreams`` for a backend: ``namespace/name:port``."""
    return f"{backend.namespace}/{backend.name}:{backend.port}"


class Gateway:
    """The ASGI application.

    ``router`` decides, ``upstreams`` maps ``namespace/name:port`` to a base URL such as
    ``http://127.0.0.1:9001``, ``listener_port`` is the Gateway listener port the requests
    arrive on (``None``: the port of the ASGI server). ``random`` returns the number in [0, 1)
    that draws a backend of a weighted split (``None``: trieway draws one per request).
    """

    def __init__(
        self,
        router: trieway.Router,
        upstreams: Dict[str, str],
        *,
        listener_port: Optional[int] = None,
        random: Optional[Callable[[], float]] = None,
        client: Optional[httpx.AsyncClient] = None,
    ) -> None:
        self.router = router
        self.upstreams = dict(upstreams)
        self.listener_port = listener_port
        self.random = random
        self._client = client

    @property
    def client(self) -> httpx.AsyncClient:
        """The HTTP client (created on first use or at ASGI lifespan startup)."""
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=30.0, follow_redirects=False)
        return self._client

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":  # WebSockets are out of scope for this example.
            return
        result = self.router.route_asgi(scope, port=self.listener_port)
        if result is None:
            await respond(send, 404, [], b"no route\n")
            return
        action = result.apply(self.random() if self.random else None)
        if action.extensions:
            await respond(send, 500, action.edit_response_headers([]), b"unsupported filter\n")
        elif action.kind == "redirect":
            location = (action.location or "/").encode()
            lines = action.edit_response_headers([(b"location", location)])
            await respond(send, action.status, lines, b"")
        elif action.kind == "respond" or action.backend is None:
            await respond(send, action.status, action.edit_response_headers([]), b"")
        else:
            await self._forward(scope, receive, send, action, action.backend)

    async def _forward(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        action: trieway.Action,
        backend: trieway.Backend,
    ) -> None:
        base = self.upstreams.get(backend_key(backend))
        if base is None:
            await respond(send, 503, [], f"no upstream for {backend_key(backend)}\n".encode())
            return
        incoming: HeaderLines = [
            (bytes(n).lower(), bytes(v))
            for n, v in scope.get("headers", [])
            if bytes(n).lower() not in HOP_BY_HOP and bytes(n).lower() != b"host"
        ]
        lines = action.edit_request_headers([(b"host", action.authority.encode()), *incoming])
        body = await read_body(receive)
        request = self.client.build_request(
            scope["method"], base.rstrip("/") + action.path_and_query, headers=lines, content=body
        )
        try:
            response = await self.client.send(request, stream=True)
        except httpx.HTTPError as e:
            await respond(send, 502, [], f"upstream error: {e}\n".encode())
            return
        try:
            out = [(n.lower(), v) for n, v in response.headers.raw if n.lower() not in HOP_BY_HOP]
            await send(
                {
                    "type": "http.response.start",
                    "status": response.status_code,
                    "headers": action.edit_response_headers(out),
                }
            )
            async for chunk in response.aiter_raw():
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            await response.aclose()

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                _ = self.client
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self._client is not None:
                    await self._client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return


async def read_body(receive: Receive) -> bytes:
    """The whole request body."""
    chunks: List[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def respond(send: Send, status: int, headers: HeaderLines, body: bytes) -> None:
    """Answers without a backend."""
    lines = [*headers, (b"content-type", b"text/plain; charset=utf-8")] if body else headers
    await send({"type": "http.response.start", "status": status, "headers": lines})
    await send({"type": "http.response.body", "body": body})


def main(argv: Optional[List[str]] = None) -> None:
    """Runs the gateway with uvicorn."""
    import uvicorn

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("config", help="Gateway API YAML/JSON file or directory")
    p.add_argument("--gateway", help="namespace/name of the Gateway to serve (default: the only one)")
    p.add_argument("--listen", default="127.0.0.1:8000", help="HOST:PORT for uvicorn")
    p.add_argument("--port", type=int, help="the Gateway listener port requests arrive on")
    p.add_argument(
        "--upstream",
        action="append",
        default=[],
        metavar="NS/NAME:PORT=URL",
        help="base URL of a backend Service port (repeat)",
    )
    args = p.parse_args(argv)
    upstreams = dict(u.split("=", 1) for u in args.upstream)
    app = Gateway(trieway.Router.from_path(args.config, args.gateway), upstreams, listener_port=args.port)
    host, _, port = args.listen.rpartition(":")
    uvicorn.run(app, host=host, port=int(port), lifespan="on")


if __name__ == "__main__":
    main()
