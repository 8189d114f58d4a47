"""Type stub of the native module ``trieway._trieway`` (import ``trieway`` instead)."""

import os
from typing import (
    Any,
    Callable,
    Coroutine,
    Dict,
    Final,
    Iterable,
    List,
    Literal,
    Mapping,
    Optional,
    Tuple,
    TypedDict,
    Union,
    overload,
)

from typing_extensions import Unpack

from ._report import ApplyResult, CheckResult, Explanation, Problems, Reload, Report, Stats

__version__: str

HeaderText = Union[str, bytes]
"""A header name or value: ``str`` (sent as UTF-8) or ``bytes`` (need not be UTF-8)."""

HeadersArg = Union[
    Mapping[str, HeaderText], Mapping[bytes, HeaderText], Iterable[Tuple[HeaderText, HeaderText]]
]
"""Request headers: a mapping, or ``(name, value)`` pairs (repeat a name for several lines)."""

RegexRank = Literal["between_exact_and_prefix", "below_prefix"]
RepeatedHeaders = Literal["join", "first", "any"]
UnknownFieldsPolicy = Literal["error", "warn", "ignore"]
EditOpName = Literal["set", "add", "remove"]
Edit = Tuple[EditOpName, str, str]
"""A header edit ``(op, name, value)``; ``value`` is empty for ``remove``."""

class RouterOptions(TypedDict, total=False):
    """The keyword options of the constructors (see :class:`Router`)."""

    controller_name: Optional[str]
    host_isolation: Optional[bool]
    listener_isolation: Optional[bool]
    regex_rank: Optional[RegexRank]
    repeated_headers: Optional[RepeatedHeaders]
    all_weights_zero_status: Optional[int]
    regex_size_limit: Optional[int]
    max_path_len: Optional[int]
    max_query_len: Optional[int]
    max_header_value_len: Optional[int]
    regex_route_budget: Optional[int]
    regex_router_budget: Optional[int]
    extension_kinds: Optional[List[str]]
    unknown_fields: Optional[UnknownFieldsPolicy]
    counters: Optional[bool]
    ingress_nginx: Optional[bool]

class ConfigError(ValueError):
    """The configuration is invalid, a file cannot be read, or the Gateway cannot be chosen.

    ``str(e)`` is the Rust library's message; ``problems`` has one message per problem.
    """

    problems: List[str]

class InternalError(RuntimeError):
    """A bug in trieway: a Rust panic caught at the boundary and raised as an exception."""

class Backend:
    """One backendRef of a rule, resolved against the configuration's Services."""

    @property
    def group(self) -> str:
        """Group (``""`` for core Services)."""
    @property
    def kind(self) -> str:
        """Kind (``Service``)."""
    @property
    def namespace(self) -> str:
        """Namespace."""
    @property
    def name(self) -> str:
        """Name."""
    @property
    def port(self) -> Optional[int]:
        """Service port."""
    @property
    def weight(self) -> int:
        """Weight (0 never receives traffic)."""
    @property
    def app_protocol(self) -> Optional[str]:
        """The Service port's ``appProtocol``, if any."""
    @property
    def valid(self) -> bool:
        """Whether the reference resolved (a request drawn to an invalid backend gets 500)."""
    @property
    def problem(self) -> Optional[Tuple[str, str]]:
        """``(reason, message)`` of an invalid reference, e.g. ``("BackendNotFound", ...)``."""
    @property
    def index(self) -> int:
        """Position of the backendRef in its rule."""
    @property
    def tls_policy(self) -> Optional[str]:
        """The BackendTLSPolicy (``namespace/name``) in effect on the Service port: dial over TLS."""
    @property
    def tls_hostname(self) -> Optional[str]:
        """The SNI to send and, without SANs, the name to verify."""
    @property
    def tls_ca_bundle(self) -> Optional[str]:
        """The PEM CA bundle to verify the backend with."""
    @property
    def tls_system_roots(self) -> bool:
        """Whether to verify with the system's trusted roots."""
    @property
    def tls_subject_alt_names(self) -> List[Tuple[str, str]]:
        """``(type, value)`` of the names the backend certificate must carry one of."""
    @property
    def traffic_policy(self) -> Optional[str]:
        """The XBackendTrafficPolicy (``namespace/name``) in effect on the Service."""
    @property
    def retry_budget(self) -> Optional[Tuple[int, float]]:
        """``(percent, interval seconds)`` of the retry budget."""
    @property
    def min_retry_rate(self) -> Optional[Tuple[int, float]]:
        """``(count, interval seconds)``: retries always allowed."""
    @property
    def session_persistence(self) -> Optional[Dict[str, Any]]:
        """The XBackendTrafficPolicy's ``sessionPersistence`` as written."""

class Certificate:
    """One certificate a listener serves (``repr`` never shows the key)."""

    @property
    def secret(self) -> str:
        """``namespace/name`` of the Secret."""
    @property
    def chain_pem(self) -> str:
        """``tls.crt``: the chain, PEM, leaf first (empty when the Secret carried no data)."""
    @property
    def key_pem(self) -> str:
        """``tls.key``: the private key, PEM."""

class ListenerCertificates:
    """The certificates of one TLS-terminating listener."""

    @property
    def listener(self) -> str:
        """Listener name."""
    @property
    def port(self) -> int:
        """Port."""
    @property
    def hostname(self) -> Optional[str]:
        """Listener hostname (lowercase), or ``None``."""
    @property
    def certificates(self) -> List[Certificate]:
        """The valid certificates, in ``certificateRefs`` order."""

class Timeouts:
    """``timeouts`` of a rule, in seconds (``0.0`` means no limit)."""

    @property
    def request(self) -> Optional[float]:
        """Whole-transaction deadline."""
    @property
    def backend_request(self) -> Optional[float]:
        """One gateway-to-backend attempt."""

class Retry:
    """``retry`` of a rule."""

    @property
    def attempts(self) -> Optional[int]:
        """Retries after the first try (``None``: the implementation's default)."""
    @property
    def codes(self) -> List[int]:
        """Retryable statuses."""
    @property
    def backoff(self) -> Optional[float]:
        """Minimum wait between tries, in seconds."""

class SessionPolicy:
    """Session persistence of a rule."""

    @property
    def kind(self) -> str:
        """``Cookie`` or ``Header``."""
    @property
    def name(self) -> Optional[str]:
        """Cookie or header name (``None``: generate one)."""
    @property
    def absolute_timeout(self) -> Optional[float]:
        """Absolute timeout in seconds."""
    @property
    def idle_timeout(self) -> Optional[float]:
        """Idle timeout in seconds."""
    @property
    def permanent(self) -> bool:
        """Whether cookies are permanent (carry Expires/Max-Age)."""

class Policies:
    """Everything a rule asks of the proxy besides routing (not enforced by the engine)."""

    @property
    def timeouts(self) -> Optional[Timeouts]:
        """Timeouts, if configured."""
    @property
    def retry(self) -> Optional[Retry]:
        """Retry, if configured."""
    @property
    def session(self) -> Optional[SessionPolicy]:
        """Session persistence, if configured."""
    def is_empty(self) -> bool:
        """Whether nothing is configured."""

class Action:
    """What the proxy must do with a matched request: the result of :meth:`Match.apply`."""

    @property
    def kind(self) -> Literal["forward", "redirect", "respond"]:
        """``forward`` (to ``backend``), ``redirect`` (answer ``status`` with ``location``) or
        ``respond`` (answer ``status`` without a backend: 500 for an invalid backend, 200 for
        a CORS preflight)."""
    @property
    def status(self) -> int:
        """200 for forwards, the redirect status, or the engine's answer."""
    @property
    def backend(self) -> Optional[Backend]:
        """The backend drawn (forwards only)."""
    @property
    def scheme(self) -> Literal["http", "https"]:
        """Scheme as the client sees it."""
    @property
    def authority(self) -> str:
        """Upstream Host / ``:authority`` (after a URLRewrite hostname)."""
    @property
    def path_and_query(self) -> str:
        """Upstream path and query (after a URLRewrite path)."""
    @property
    def request_headers(self) -> List[Edit]:
        """Request header edits, in order."""
    @property
    def response_headers(self) -> List[Edit]:
        """Response header edits, in order (including CORS headers the engine adds)."""
    @property
    def location(self) -> Optional[str]:
        """``Location`` of a redirect, else ``None``."""
    @property
    def mirrors(self) -> List[Tuple[Backend, float]]:
        """Request mirrors to send: ``(backend, percent)``."""
    @property
    def extensions(self) -> List[Tuple[str, str, str]]:
        """ExtensionRef filters reached, ``(group, kind, name)``; an unknown one must answer 500."""
    @property
    def policies(self) -> Policies:
        """Timeouts, retry and session persistence of the rule."""
    @overload
    def edit_request_headers(
        self, lines: List[Tuple[bytes, bytes]]
    ) -> List[Tuple[bytes, bytes]]: ...
    @overload
    def edit_request_headers(self, lines: List[Tuple[str, str]]) -> List[Tuple[str, str]]: ...
    def edit_request_headers(self, lines: Any) -> Any:
        """The header lines the backend receives: ``request_headers`` applied to ``lines``
        (all ``str`` or all ``bytes``; an empty or mixed list comes back as ``bytes``).
        ``set`` replaces every line of a header, ``add`` appends ``,value`` to its last line,
        ``remove`` drops every line. The input is not modified."""
    @overload
    def edit_response_headers(
        self, lines: List[Tuple[bytes, bytes]]
    ) -> List[Tuple[bytes, bytes]]: ...
    @overload
    def edit_response_headers(self, lines: List[Tuple[str, str]]) -> List[Tuple[str, str]]: ...
    def edit_response_headers(self, lines: Any) -> Any:
        """The header lines the client receives: ``response_headers`` applied to ``lines``
        (see :meth:`edit_request_headers`)."""

class Misdirected:
    """The answer to a request whose TLS server name (SNI) selects another listener than its
    Host: 421 Misdirected Request. Falsy. The only instance is :data:`MISDIRECTED`."""

    @property
    def status(self) -> Literal[421]:
        """Always 421."""
    def __bool__(self) -> Literal[False]:
        """Always ``False``."""

MISDIRECTED: Final[Misdirected]
"""The 421 marker returned by ``route()`` and ``route_asgi()``."""

class Match:
    """A rule matched a request. Truthy. It keeps its Router alive."""

    @property
    def route(self) -> str:
        """``namespace/name`` of the route."""
    @property
    def route_kind(self) -> str:
        """Kind of the route: ``HTTPRoute``, ``GRPCRoute``, ..."""
    @property
    def namespace(self) -> str:
        """Namespace of the route."""
    @property
    def name(self) -> str:
        """Name of the route."""
    @property
    def rule(self) -> int:
        """Index of the rule in the route's ``spec.rules``."""
    @property
    def rule_name(self) -> Optional[str]:
        """The rule's ``name``, if set."""
    @property
    def match_index(self) -> int:
        """Index of the match within the rule's ``matches``."""
    @property
    def path_match(self) -> Tuple[Literal["Exact", "PathPrefix", "RegularExpression"], str]:
        """The path condition that matched: ``(kind, value)`` as configured."""
    @property
    def http_route(self) -> str:
        """The matched route template, low-cardinality, for OpenTelemetry's ``http.route``:
        the Exact or PathPrefix value, or the RegularExpression path as configured (not the
        request's values); for a GRPCRoute ``/{service}/{method}``."""
    @property
    def attributes(self) -> Dict[str, Union[str, int]]:
        """The OpenTelemetry span attributes, in order: ``http.route``, ``trieway.gateway``,
        ``trieway.listener`` (absent with listener isolation off and for Ingress),
        ``trieway.hostname``, ``trieway.route.kind``, ``trieway.route.namespace``,
        ``trieway.route.name``, ``trieway.rule.index`` (an int), ``trieway.rule.name`` (when
        set). Values come from the configuration only. ``span.set_attributes(m.attributes)``."""
    @property
    def params(self) -> Dict[str, str]:
        """Path parameters: the named groups of a RegularExpression path (``(?P<id>[0-9]+)``,
        ``(?<id>...)``), name -> value, for the request this match was routed for. Unnamed
        groups are not parameters; empty for Exact and PathPrefix paths and for regexes that
        are not one-pass (such as ``(?P<a>.*)/(?P<b>.*)``)."""
    @property
    def hostname(self) -> str:
        """The effective hostname that matched (``*`` for any host)."""
    @property
    def listener(self) -> str:
        """Name of the listener the request was routed on."""
    @property
    def port(self) -> int:
        """Port of that listener."""
    @property
    def is_tls(self) -> bool:
        """Whether the listener terminates TLS (HTTPS)."""
    @property
    def backends(self) -> List[Backend]:
        """Every backendRef of the rule (valid and invalid) with its weight: the split."""
    @property
    def total_weight(self) -> int:
        """Sum of the rule's weights."""
    @property
    def policies(self) -> Policies:
        """Timeouts, retry and session persistence of the rule."""
    @property
    def filters(self) -> List[dict[str, Any]]:
        """The rule's filters as configured (Kubernetes JSON form, camelCase keys)."""
    def pick(self, random: Optional[float] = None) -> Union[Backend, int]:
        """Draws a backend with ``random``, a number in ``[0, 1)`` as ``random.random()``
        gives (``None``: a per-thread generator draws one): the backend whose share of the
        cumulative weights contains ``random * total_weight`` (the same meaning as the Node
        binding's ``random``). Returns a :class:`Backend` to forward to, or the status (500)
        the engine answers for an invalid backend's share, no backendRefs or all weights 0.
        Raises ``ValueError`` outside ``[0, 1)``."""
    def status(self, random: Optional[float] = None) -> int:
        """The status the client gets for the draw ``random``, assuming backends answer 200."""
    def apply(self, random: Optional[float] = None) -> Action:
        """Applies the rule's filters, draws a backend with ``random`` (see :meth:`pick`) and
        applies that backend's filters, reading the request this match was routed for again
        (the same objects: do not mutate them in between)."""

class L4Match:
    """A TLS connection (by SNI), TCP connection or UDP flow (by port) that a TLSRoute,
    TCPRoute or UDPRoute carries."""

    @property
    def route(self) -> str:
        """``namespace/name`` of the route."""
    @property
    def route_kind(self) -> Literal["TLSRoute", "TCPRoute", "UDPRoute"]:
        """Kind of the route."""
    @property
    def namespace(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def listener(self) -> str:
        """Name of the listener the connection arrived on."""
    @property
    def hostname(self) -> str:
        """The effective hostname the SNI matched (``*`` for TCP and UDP)."""
    @property
    def port(self) -> int: ...
    @property
    def passthrough(self) -> bool:
        """``True``: the backend receives the client's TLS stream (TLS Passthrough)."""
    @property
    def backends(self) -> List[Backend]: ...
    def pick(self, random: Optional[float] = None) -> Union[Backend, int]:
        """Draws a backend per connection or flow (as :meth:`Match.pick`); a status means
        reject the connection."""

class Terminate:
    """:meth:`Router.route_tls`'s answer when the SNI selects an HTTPS listener: terminate TLS
    and route the requests with :meth:`Router.route`. Falsy; the one instance is
    :data:`TERMINATE`."""

    def __bool__(self) -> Literal[False]: ...

TERMINATE: Final[Terminate]

class Router:
    """An immutable routing table for one Gateway, safe to share between threads.

    Build one with :meth:`from_yaml`, :meth:`from_json` or :meth:`from_path`. Keyword options
    (all optional): ``strict`` (default ``True``: any invalid object, and any unknown field
    such as ``spec.rules[0].backendRef: unknown field, did you mean backendRefs?``, raises
    :class:`ConfigError`, as ``kubectl apply`` with strict field validation refuses it;
    ``False`` drops invalid objects like a controller and reports unknown fields as warnings in
    :meth:`problems`), ``controller_name`` (serve only Gateways whose class
    names this controller; default: every Gateway), ``host_isolation``, ``listener_isolation``, ``regex_rank``,
    ``repeated_headers``, ``all_weights_zero_status``, ``regex_size_limit``, ``max_path_len``,
    and the request and regex bounds of ``SECURITY.md``: ``max_query_len`` and
    ``max_header_value_len`` (bytes, default 16 KiB: longer queries count as absent, longer
    header values never match), ``regex_route_budget`` and ``regex_router_budget`` (DFA bytes
    per route, default 2 MiB, and per Router, default 64 MiB: rules over them are dropped and
    reported in :meth:`report`).
    """

    @staticmethod
    def from_yaml(
        text: Union[str, bytes],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        controller_name: Optional[str] = None,
        host_isolation: Optional[bool] = None,
        listener_isolation: Optional[bool] = None,
        regex_rank: Optional[RegexRank] = None,
        repeated_headers: Optional[RepeatedHeaders] = None,
        all_weights_zero_status: Optional[int] = None,
        regex_size_limit: Optional[int] = None,
        max_path_len: Optional[int] = None,
        max_query_len: Optional[int] = None,
        max_header_value_len: Optional[int] = None,
        regex_route_budget: Optional[int] = None,
        regex_router_budget: Optional[int] = None,
        extension_kinds: Optional[List[str]] = None,
        unknown_fields: Optional[UnknownFieldsPolicy] = None,
        counters: Optional[bool] = None,
        ingress_nginx: Optional[bool] = None,
    ) -> Router:
        """Loads YAML (``---``-separated documents) or JSON text and compiles the Gateway
        ``gateway`` (``"namespace/name"``; ``None``: the only Gateway served). Raises
        :class:`ConfigError`. Releases the GIL while loading and compiling."""
    @staticmethod
    def from_json(
        data: Union[str, bytes, Mapping[str, Any], List[Any]],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        controller_name: Optional[str] = None,
        host_isolation: Optional[bool] = None,
        listener_isolation: Optional[bool] = None,
        regex_rank: Optional[RegexRank] = None,
        repeated_headers: Optional[RepeatedHeaders] = None,
        all_weights_zero_status: Optional[int] = None,
        regex_size_limit: Optional[int] = None,
        max_path_len: Optional[int] = None,
        max_query_len: Optional[int] = None,
        max_header_value_len: Optional[int] = None,
        regex_route_budget: Optional[int] = None,
        regex_router_budget: Optional[int] = None,
        extension_kinds: Optional[List[str]] = None,
        unknown_fields: Optional[UnknownFieldsPolicy] = None,
        counters: Optional[bool] = None,
        ingress_nginx: Optional[bool] = None,
    ) -> Router:
        """Like :meth:`from_yaml` for JSON text, or for Python objects (a Kubernetes object,
        a ``List`` object or a list of objects), serialized with ``json.dumps`` first."""
    @staticmethod
    def from_path(
        path: Union[str, os.PathLike[str]],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        controller_name: Optional[str] = None,
        host_isolation: Optional[bool] = None,
        listener_isolation: Optional[bool] = None,
        regex_rank: Optional[RegexRank] = None,
        repeated_headers: Optional[RepeatedHeaders] = None,
        all_weights_zero_status: Optional[int] = None,
        regex_size_limit: Optional[int] = None,
        max_path_len: Optional[int] = None,
        max_query_len: Optional[int] = None,
        max_header_value_len: Optional[int] = None,
        regex_route_budget: Optional[int] = None,
        regex_router_budget: Optional[int] = None,
        extension_kinds: Optional[List[str]] = None,
        unknown_fields: Optional[UnknownFieldsPolicy] = None,
        counters: Optional[bool] = None,
        ingress_nginx: Optional[bool] = None,
    ) -> Router:
        """Loads a file or a directory (every ``.yaml``, ``.yml`` and ``.json`` file below it,
        in sorted order) like :meth:`from_yaml`. An unreadable path raises :class:`ConfigError`."""
    @staticmethod
    def from_ingress(
        text: Union[str, bytes],
        ingress_class: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Router:
        """Compiles the Ingress objects (networking.k8s.io/v1) of ``text`` with native Ingress
        semantics: those of IngressClass ``ingress_class``, or every Ingress when ``None``."""
    @staticmethod
    def from_yaml_async(
        text: Union[str, bytes],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Coroutine[Any, Any, Router]:
        """:meth:`from_yaml` in a worker thread (``asyncio.to_thread``): await it and the
        event loop keeps running while the configuration compiles."""
    @staticmethod
    def from_json_async(
        data: Union[str, bytes, Mapping[str, Any], List[Any]],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Coroutine[Any, Any, Router]:
        """:meth:`from_json` in a worker thread."""
    @staticmethod
    def from_path_async(
        path: Union[str, os.PathLike[str]],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Coroutine[Any, Any, Router]:
        """:meth:`from_path` in a worker thread."""
    @property
    def gateway(self) -> str:
        """``namespace/name`` of the Gateway this Router serves."""
    @overload
    def route(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: None = None,
        scheme: Optional[str] = None,
    ) -> Optional[Match]: ...
    @overload
    def route(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Union[Match, Misdirected, None]: ...
    def route(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Union[Match, Misdirected, None]:
        """Routes a request.

        ``path`` is the request-target (the query is split at the first ``?``) unless
        ``query`` is given. ``headers``: a mapping or ``(name, value)`` pairs of ``str`` or
        ``bytes``. ``port``: the listener port (default: the Gateway's lowest). ``sni``: the
        TLS server name for HTTPS listeners. ``scheme``: ``http``/``https`` as the client sees
        it. Returns a :class:`Match`, ``None`` (404), or :data:`MISDIRECTED` (421, only when
        ``sni`` is given). Keeps the GIL (a lookup is cheaper than releasing it).
        """
    @overload
    def route_asgi(
        self, scope: Mapping[str, Any], *, port: Optional[int] = None, sni: None = None
    ) -> Optional[Match]: ...
    @overload
    def route_asgi(
        self, scope: Mapping[str, Any], *, port: Optional[int] = None, sni: Optional[str] = None
    ) -> Union[Match, Misdirected, None]: ...
    def route_asgi(
        self, scope: Mapping[str, Any], *, port: Optional[int] = None, sni: Optional[str] = None
    ) -> Union[Match, Misdirected, None]:
        """Routes an ASGI ``http`` or ``websocket`` scope: ``method``, ``raw_path`` (else
        ``path``), ``query_string``, ``headers`` (bytes, read without copying; the first
        ``host`` line is the authority), ``scheme``, and the port of ``server`` unless ``port``
        is given. The path is taken relative to ``root_path`` (the prefix the app is mounted
        under). Returns what :meth:`route` returns."""
    def route_grpc(
        self,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Union[Match, Misdirected, None]:
        """Routes a gRPC call (``path`` is ``/package.Service/Method``) over the GRPCRoutes:
        a :class:`Match`, ``None`` (gRPC UNIMPLEMENTED) or :data:`MISDIRECTED`."""
    def certificate_for(
        self, port: int, sni: Optional[str] = None
    ) -> Optional[ListenerCertificates]:
        """The certificates a TLS handshake on ``port`` with server name ``sni`` presents:
        exact listener hostname, then the longest matching wildcard, then no hostname."""
    def listener_certificates(self) -> List[ListenerCertificates]:
        """The certificates of every usable TLS-terminating listener."""
    def frontend_validation(self, port: int) -> Optional[Dict[str, Any]]:
        """The client-certificate validation of ``port`` (``port``, ``mode``,
        ``ca_bundle_pem``, ``ca_config_maps``, ``source``, ``usable``), or ``None``."""
    def client_certificate_decision(
        self, port: int, client: Literal["absent", "valid", "invalid"]
    ) -> Literal["accept", "reject", "insecure_fallback"]:
        """What to do with a connection on ``port`` after client-certificate verification."""
    def route_tls(self, port: int, sni: Optional[str]) -> Union[L4Match, Terminate, None]:
        """Routes a TLS connection by listener port and SNI: an :class:`L4Match` (a TLSRoute
        forwards it), :data:`TERMINATE` (an HTTPS listener: terminate TLS, then
        :meth:`route`), or ``None`` (reject)."""
    def route_tcp(self, port: int) -> Optional[L4Match]:
        """Routes a TCP connection by listener port: an :class:`L4Match` or ``None`` (reject)."""
    def route_udp(self, port: int) -> Optional[L4Match]:
        """Routes a UDP flow by listener port: an :class:`L4Match` or ``None`` (drop)."""
    def explain(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Explanation:
        """Why :meth:`route` decides as it does for this request (the same arguments): the
        JSON shape of ``trieway explain -o json`` as dicts and lists (``gateway``,
        ``listener``, ``hostnames``, ``candidates`` with their ``verdict``, ``not_attached``,
        ``notes``, ``outcome``). For diagnosis: it allocates and scans every candidate."""
    def explain_grpc(
        self,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Explanation:
        """:meth:`explain` for a gRPC call, as :meth:`route_grpc` routes it."""
    def stats(self) -> Optional[Stats]:
        """The lookup counters (built with ``counters=True``), else ``None``."""
    def prometheus_text(self) -> Optional[str]:
        """The counters in the Prometheus text format 0.0.4 (``trieway_rule_matches_total``,
        ``trieway_listener_misses_total``), else ``None``."""
    def report(self) -> Report:
        """Conditions of every route parentRef and listener (``Accepted``, ``ResolvedRefs``,
        ...), as a controller would write them."""
    def problems(self) -> Problems:
        """Messages of objects dropped (with ``strict=False``) and of warnings."""

ChangeItem = Union[
    str,
    bytes,
    Mapping[str, Any],
    Tuple[Literal["delete"], str, Optional[str], str],
]
"""One change of :meth:`Live.apply`: YAML/JSON text (every object in it is upserted), a
Kubernetes object (a dict), ``("delete", kind, namespace, name)``, or
``{"delete": {"kind": ..., "namespace": ..., "name": ...}}``."""

Changes = Union[ChangeItem, List[ChangeItem]]

class Live:
    """The current :class:`Router` of a changing configuration, shared between threads.

    Constructors and options as :class:`Router`'s. ``route()`` / ``route_asgi()`` /
    ``route_grpc()`` use the current version; ``live.router`` is that version's Router (keep
    it for a whole request). ``apply(changes)`` recompiles only what the change affects and
    publishes the next version; readers are never blocked."""

    @staticmethod
    def from_yaml(
        text: Union[str, bytes],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Live:
        """Loads YAML or JSON text as :meth:`Router.from_yaml` and starts with its Router."""
    @staticmethod
    def from_json(
        data: Union[str, bytes, Mapping[str, Any], List[Any]],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Live:
        """JSON text or Python objects, as :meth:`Router.from_json`."""
    @staticmethod
    def from_path(
        path: Union[str, os.PathLike[str]],
        gateway: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Live:
        """A file or a directory, as :meth:`Router.from_path`."""
    @staticmethod
    def from_ingress(
        text: Union[str, bytes],
        ingress_class: Optional[str] = None,
        *,
        strict: bool = True,
        **options: Unpack[RouterOptions],
    ) -> Live:
        """The Ingress objects of ``ingress_class`` (``None``: all), as
        :meth:`Router.from_ingress`."""
    @property
    def router(self) -> Router:
        """The Router of the current version."""
    @property
    def version(self) -> int:
        """1 for the first Router, one more for each published change set."""
    @overload
    def route(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: None = None,
        scheme: Optional[str] = None,
    ) -> Optional[Match]: ...
    @overload
    def route(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Union[Match, Misdirected, None]: ...
    def route(
        self,
        method: str,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        query: Optional[str] = None,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Union[Match, Misdirected, None]:
        """:meth:`Router.route` on the current version (``MISDIRECTED`` only with ``sni``)."""
    def route_asgi(
        self, scope: Mapping[str, Any], *, port: Optional[int] = None, sni: Optional[str] = None
    ) -> Union[Match, Misdirected, None]:
        """:meth:`Router.route_asgi` on the current version."""
    def route_grpc(
        self,
        host: Optional[str],
        path: str,
        headers: Optional[HeadersArg] = None,
        *,
        port: Optional[int] = None,
        sni: Optional[str] = None,
        scheme: Optional[str] = None,
    ) -> Union[Match, Misdirected, None]:
        """:meth:`Router.route_grpc` on the current version."""
    def apply(self, changes: Changes) -> ApplyResult:
        """Applies a change set (see :data:`ChangeItem`) and publishes the next Router. An
        invalid object is rejected with its field paths and its previous version keeps
        serving; the valid rest applies. Text that does not parse raises
        :class:`ConfigError`. Releases the GIL while rebuilding; applies are serialized."""
    def apply_async(self, changes: Changes) -> Coroutine[Any, Any, ApplyResult]:
        """:meth:`apply` in a worker thread (``asyncio.to_thread``)."""
    def watch(
        self,
        paths: Union[str, os.PathLike[str], List[Union[str, os.PathLike[str]]]],
        callback: Callable[[Reload], object],
        *,
        debounce: float = 0.2,
    ) -> Watcher:
        """Watches files and directories and applies what changes in them, reporting each
        reload to ``callback`` (the first, of every file, before ``watch`` returns; later
        ones from the watcher's thread). ``debounce``: seconds of quiet before a reload.
        Raises :class:`ConfigError` when a path cannot be watched."""

class Watcher:
    """A running :meth:`Live.watch`."""

    def stop(self) -> None:
        """Stops watching (waits for a reload in progress); no callback runs after it."""
    @property
    def stopped(self) -> bool:
        """Whether :meth:`stop` was called."""

def check(text: Union[str, bytes], *, controller_name: Optional[str] = None) -> CheckResult:
    """The ``trieway check --output json`` document for ``text``: every configuration problem
    and the status conditions of every route parentRef and listener. Unknown fields are errors
    (the object is left out), as with ``trieway check``. Never raises for an invalid
    configuration. Releases the GIL while loading."""
