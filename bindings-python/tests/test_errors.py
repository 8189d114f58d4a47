"""Every error path: bad configuration, wrong argument types, odd bytes, huge inputs, panics."""

from __future__ import annotations

import os
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import pytest

import trieway
from conftest import CONFIG


def test_bad_yaml_raises_config_error() -> None:
    with pytest.raises(trieway.ConfigError) as info:
        trieway.Router.from_yaml("kind: [unclosed\n  - : :")
    e = info.value
    assert isinstance(e, ValueError)
    assert e.problems and all(isinstance(p, str) for p in e.problems)
    # The message is the Rust one: a count and one line per problem.
    assert str(e).startswith(f"{len(e.problems)} invalid object(s) or field(s):")
    for p in e.problems:
        assert p in str(e)


def test_invalid_object_names_resource_and_field() -> None:
    bad = CONFIG.replace("value: /healthz", "value: healthz")
    with pytest.raises(trieway.ConfigError) as info:
        trieway.Router.from_yaml(bad)
    (problem,) = info.value.problems
    assert problem.startswith("HTTPRoute default/store (<string>#")
    assert "spec.rules[1].matches[0].path.value" in problem
    # The same message the Rust checker reports.
    assert trieway.check(bad)["errors"] == [problem]


def test_several_problems_are_all_listed() -> None:
    bad = CONFIG.replace("value: /healthz", "value: healthz").replace("value: /cart/checkout", "value: cart")
    with pytest.raises(trieway.ConfigError) as info:
        trieway.Router.from_yaml(bad)
    assert len(info.value.problems) == 2
    assert str(info.value).startswith("2 invalid object(s) or field(s):")


def test_no_gateway_or_unknown_gateway() -> None:
    with pytest.raises(trieway.ConfigError, match="no Gateway is in the configuration"):
        trieway.Router.from_yaml("")
    with pytest.raises(trieway.ConfigError, match="no Gateway is served by controller other/ctl"):
        trieway.Router.from_yaml(CONFIG, controller_name="other/ctl")
    with pytest.raises(trieway.ConfigError, match="Gateway default/nope is not in the configuration") as info:
        trieway.Router.from_yaml(CONFIG, "default/nope")
    assert info.value.problems == [str(info.value)]


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(trieway.ConfigError) as info:
        trieway.Router.from_path(missing)
    assert str(missing) in str(info.value)
    assert info.value.problems == [str(info.value)]


def test_wrong_argument_types(typed_router: trieway.Router) -> None:
    # Called through Any: these calls are wrong on purpose.
    router: Any = typed_router
    tw: Any = trieway
    bad_calls: Any = [
        lambda: tw.Router.from_yaml(42),
        lambda: tw.Router.from_yaml(CONFIG, 42),
        lambda: tw.Router.from_yaml(CONFIG, host_isolation="yes"),
        lambda: tw.Router.from_yaml(CONFIG, no_such_option=True),
        lambda: tw.Router.from_path(42),
        lambda: tw.Router.from_json(object()),
        lambda: router.route(1, "h", "/"),
        lambda: router.route("GET", b"h", "/"),
        lambda: router.route("GET", "h", None),
        lambda: router.route("GET", "h", "/", 42),
        lambda: router.route("GET", "h", "/", "x-a: 1"),
        lambda: router.route("GET", "h", "/", b"x-a: 1"),
        lambda: router.route("GET", "h", "/", [("only-name",)]),
        lambda: router.route("GET", "h", "/", [("a", "b", "c")]),
        lambda: router.route("GET", "h", "/", [["a", 1]]),
        lambda: router.route("GET", "h", "/", {1: "x"}),
        lambda: router.route("GET", "h", "/", ["ab"]),
        lambda: router.route("GET", "h", "/", port="80"),
        lambda: router.route("GET", "h", "/", sni=5),
        lambda: router.route("GET", "h", "/", query=5),
        lambda: router.route_asgi(42),
        lambda: router.route_asgi({"type": "http", "method": 1, "path": "/"}),
        lambda: router.route_asgi({"type": "http", "method": "GET", "path": "/", "headers": 5}),
        lambda: router.route_asgi({"type": "http", "method": "GET", "path": "/", "query_string": 5}),
        lambda: tw.check(None),
    ]
    for i, call in enumerate(bad_calls):
        with pytest.raises(TypeError):
            call()
            pytest.fail(f"call {i} did not raise")


def test_wrong_values(typed_router: trieway.Router) -> None:
    router: Any = typed_router
    tw: Any = trieway
    with pytest.raises(ValueError, match="regex_rank"):
        tw.Router.from_yaml(CONFIG, regex_rank="first")
    with pytest.raises(ValueError, match="repeated_headers"):
        tw.Router.from_yaml(CONFIG, repeated_headers="all")
    with pytest.raises(ValueError, match="all_weights_zero_status"):
        tw.Router.from_yaml(CONFIG, all_weights_zero_status=42)
    with pytest.raises(ValueError, match=r"^port must be an int from 1 to 65535, got 70000$"):
        router.route("GET", "h", "/", port=70000)
    # The options are deserialized by the core: bad values name the option, as spelled here.
    with pytest.raises(ValueError, match=r"^option `max_path_len`: out of range: 0, expected an integer from 1 to"):
        tw.Router.from_yaml(CONFIG, max_path_len=0)
    with pytest.raises(ValueError, match=r"^option `max_query_len`: out of range: -1"):
        tw.Router.from_yaml(CONFIG, max_query_len=-1)
    with pytest.raises(ValueError, match=r"^option `regex_route_budget`: out of range"):
        tw.Router.from_yaml(CONFIG, regex_route_budget=1 << 70)
    with pytest.raises(
        ValueError,
        match=r"^option `regex_rank`: invalid value \"first\", expected 'between_exact_and_prefix' or 'below_prefix'",
    ):
        tw.Router.from_yaml(CONFIG, regex_rank="first")
    with pytest.raises(ValueError, match=r"^option `unknown_fields`: invalid value \"loud\""):
        tw.Router.from_yaml(CONFIG, strict=False, unknown_fields="loud")
    for port in (-1, 0, 70000, 1 << 70):
        with pytest.raises(ValueError, match=r"^port must be an int from 1 to 65535, got "):
            router.route("GET", "h", "/", port=port)
        with pytest.raises(ValueError, match=r"^port must be an int from 1 to 65535, got "):
            router.route_asgi({"type": "http", "method": "GET", "path": "/"}, port=port)
        with pytest.raises(ValueError, match=r"^port must be an int from 1 to 65535, got "):
            router.route_tcp(port)
    with pytest.raises(TypeError, match=r"^port must be an int from 1 to 65535, not str"):
        router.route("GET", "h", "/", port=typing.cast(Any, "80"))
    with pytest.raises(ValueError, match=r"^scope\['server'\]\[1\] must be an int from 1 to 65535"):
        router.route_asgi({"type": "http", "method": "GET", "path": "/", "server": ("h", 70000)})
    m: Any = typed_router.route("GET", "store.example.com", "/")
    assert isinstance(m, trieway.Match)
    for r in (-0.1, 1.0, 1 << 64, float("nan")):
        with pytest.raises(ValueError, match=r"^random must be a number in \[0, 1\)"):
            m.pick(r)
        with pytest.raises(ValueError, match=r"^random must be a number in \[0, 1\)"):
            m.apply(r)
    with pytest.raises(ValueError, match="'http' or 'websocket'"):
        router.route_asgi({"type": "lifespan"})
    with pytest.raises(ValueError, match="no 'method'"):
        router.route_asgi({"type": "http", "path": "/"})
    with pytest.raises(ValueError, match="no 'path'"):
        router.route_asgi({"type": "http", "method": "GET"})
    with pytest.raises(ValueError, match="not UTF-8"):
        tw.Router.from_yaml(b"\xff\xfe")


def test_surrogates_raise_unicode_errors(router: trieway.Router) -> None:
    for call in (
        lambda: router.route("GET", "h\udcff", "/"),
        lambda: router.route("GET", "h", "/\udcff"),
        lambda: router.route("GET", "h", "/", {"x": "\udcff"}),
        lambda: trieway.Router.from_yaml("\udcff"),
    ):
        with pytest.raises(UnicodeEncodeError):
            call()


def test_non_utf8_bytes_are_accepted(router: trieway.Router) -> None:
    headers = [(b"x-\xff", b"\xff\xfe"), (b"x-api-version", b"v2")]
    m = router.route("GET", "store.example.com", "/api", headers)
    assert isinstance(m, trieway.Match) and m.rule_name == "api-v2"
    m.apply(0)
    scope = {
        "type": "http",
        "method": "GET",
        "path": "/",
        "raw_path": b"/\xff\xfe",
        "query_string": b"\xff=\xfe",
        "headers": [(b"host", b"store.\xffexample.com"), (b"x", b"\x00\xff")],
    }
    assert router.route_asgi(scope) is None  # an invalid Host matches no hostname
    scope["headers"] = [(b"host", b"store.example.com"), (b"origin", b"\xff")]
    m2 = router.route_asgi(scope)
    assert isinstance(m2, trieway.Match)
    assert m2.apply(0).path_and_query.startswith("/")


def test_huge_inputs(router: trieway.Router) -> None:
    huge = "a" * 5_000_000
    assert router.route("GET", huge, "/") is None
    assert router.route("GET", "store.example.com", "/" + huge) is None  # beyond max_path_len
    m = router.route("GET", "store.example.com", "/", {"x-big": huge}, query=huge)
    assert isinstance(m, trieway.Match)
    assert m.apply(0).path_and_query.endswith(huge)
    many = [(f"x-{i}", "v") for i in range(10_000)] + [("x-api-version", "v2")]
    m = router.route("GET", "store.example.com", "/api", many)
    assert isinstance(m, trieway.Match) and m.rule_name == "api-v2"
    with pytest.raises(trieway.ConfigError):
        trieway.Router.from_yaml("# " + huge + "\n" + CONFIG.replace("value: /healthz", "value: x"))


PANIC_SCRIPT = """
import trieway
try:
    trieway._trieway._panic_for_tests()
except trieway.InternalError as e:
    print("caught:", e)
# The interpreter and the module keep working.
assert trieway.check("")["errors"] == []
print("still working")
"""


def test_panic_becomes_internal_error() -> None:
    # The panic hook is no part of the API: the module has it only under TRIEWAY_PANIC_TEST=1.
    assert not hasattr(trieway._trieway, "_panic_for_tests")
    env = {**os.environ, "TRIEWAY_PANIC_TEST": "1"}
    out = subprocess.run(
        [sys.executable, "-c", PANIC_SCRIPT], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "caught: internal error in trieway (please report it): deliberate panic" in out
    assert out.rstrip().endswith("still working")


def test_options_unknown_and_wrong_type_name_the_option() -> None:
    tw: Any = trieway
    with pytest.raises(TypeError, match=r"^unknown option `max_path`; the options are 'controller_name', .*'max_path_len'"):
        tw.Router.from_yaml(CONFIG, max_path=10)
    with pytest.raises(TypeError, match=r"^option `host_isolation`: invalid type: string \"yes\", expected a boolean"):
        tw.Router.from_yaml(CONFIG, host_isolation="yes")
    with pytest.raises(TypeError, match=r"^option `extension_kinds`: invalid type"):
        tw.Router.from_json(CONFIG, extension_kinds="example.com/Auth")
    with pytest.raises(TypeError, match=r"^option `max_path_len`: invalid type: dict"):
        tw.Router.from_path(Path(__file__), max_path_len={})
    # None is the default; every kind of value is accepted.
    r = tw.Router.from_yaml(
        CONFIG,
        max_path_len=None,
        extension_kinds=("example.com/Auth",),
        all_weights_zero_status=503,
        strict=False,
        unknown_fields="ignore",
        max_header_value_len=0,
    )
    assert r.gateway
