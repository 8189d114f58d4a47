//! A synthetic case for rules the bundled cases do not reach, with several decisions per
//! request. Every (request, decision) pair becomes its own request named `s<i>.<k>`.

use serde_json::{json, Value};

/// `(request without name, decisions without name)`.
fn table() -> Vec<(Value, Vec<Value>)> {
    let get = |path: &str| json!({"method": "GET", "scheme": "http", "host": "example.com", "path": path});
    let up = |path: &str| json!({"host": "example.com", "path": path, "headers": []});
    vec![
        // Response headers, whitespace-insensitive.
        (
            json!({"request": get("/rh"), "expect": {"status": 200, "backend": "ns/a",
                "response_headers_present": {"X-Header-Set": "a, b"},
                "response_headers_one_of": {"X-Choice": ["x", "y z"]},
                "response_headers_absent": ["X-Gone"],
                "response_header_compare_ignores_whitespace": true}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/rh"),
                    "response_headers": [["X-Header-Set", "a"], ["x-header-set", "b"], ["X-Choice", " y\tz"]]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/rh"),
                    "response_headers": [["X-Choice", "x"]]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/rh"),
                    "response_headers": [["X-Header-Set", "a,b"], ["X-Choice", "q"], ["x-gone", "1"], ["X-Gone", "2"]]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/rh")}),
            ],
        ),
        // Response headers, exact.
        (
            json!({"request": get("/rx"), "expect": {"response_headers_present": {"X-H": "a, b"}}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/rx"), "response_headers": [["X-H", "a"], ["X-H", " b"]]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/rx"), "response_headers": [["X-H", "a,b"]]}),
                json!({"status": 200, "response_headers": [["x-h", "a, b"]]}),
            ],
        ),
        // gRPC codes.
        (
            json!({"request": {"method": "POST", "scheme": "http", "path": "/svc/M", "protocol": "grpc"},
                "expect": {"status": 404, "grpc_code": 12, "backend": null}}),
            vec![
                json!({"status": 404}),
                json!({"status": 200, "grpc_status": 12}),
                json!({"status": 503}),
                json!({"status": 404, "grpc_status": 0}),
                json!({"status": 200, "backend": "ns/g", "upstream": {"path": "/svc/M"}}),
                json!({"status": 500, "grpc_status": 99}),
            ],
        ),
        (
            json!({"request": {"method": "POST", "scheme": "http", "host": "grpc.example", "path": "/svc/M", "protocol": "grpc"},
                "expect": {"grpc_code": "OK", "backend": "ns/g"}}),
            vec![
                json!({"status": 200, "backend": "ns/g", "upstream": {"host": "other", "path": "/svc/M"}}),
                json!({"status": 200, "backend": "ns/g", "upstream": {"path": "/svc/N"}}),
                json!({"status": 200, "backend": "ns/g", "grpc_status": 5, "upstream": {"path": "/svc/M"}}),
                json!({"status": 200, "grpc_status": 0}),
            ],
        ),
        (
            json!({"request": {"method": "POST", "scheme": "http", "path": "/svc/M", "protocol": "grpc"},
                "expect": {"grpc_code": "deadline exceeded"}}),
            vec![
                json!({"status": 504}),
                json!({"status": 200, "grpc_status": 4}),
                json!({"status": 200, "grpc_status": 14}),
            ],
        ),
        // Redirects from a request without Host on a non-default port.
        (
            json!({"listener_port": 8080, "request": {"method": "GET", "scheme": "http", "path": "/a/b?q=1"},
                "expect": {"status": 302, "backend": null, "redirect": {"scheme": "http", "path": "/a/c"}}}),
            vec![
                json!({"status": 302, "redirect": {"location": "c"}}),
                json!({"status": 302, "redirect": {"location": "/a/c?x=1"}}),
                json!({"status": 302, "redirect": {"location": "http://x/a/c?z"}}),
                json!({"status": 302, "redirect": {"location": "HTTP://X:80/a/./c", "status": 302}}),
                json!({"status": 302, "redirect": {"location": "http://x:abc/a/c"}}),
                json!({"status": 302, "redirect": {"location": "http://x/a/c", "status": 301}}),
                json!({"status": 302, "redirect": {"location": "https://x/a/c"}}),
                json!({"status": 301, "redirect": {"location": "http://x/a/c"}}),
                json!({"status": 302}),
                json!({"status": 302, "redirect": {"location": "http://x/a/b/../../a/c/"}}),
                json!({"status": 302, "redirect": {"location": "http://x"}}),
            ],
        ),
        (
            json!({"listener_port": 80, "request": get("/p"),
                "expect": {"status": [301, 302], "redirect": {"scheme": "https", "host": "Example.com", "port": 8443, "path": "/p"}}}),
            vec![
                json!({"status": 301, "redirect": {"location": "https://example.com:8443/p"}}),
                json!({"status": 302, "redirect": {"location": "https://example.com/p"}}),
                json!({"status": 302, "redirect": {"location": "//example.com:8443/p"}}),
                json!({"status": 302, "redirect": {"location": "../p"}}),
                json!({"status": 302, "redirect": {"location": "https://other.com:8443/p"}}),
                json!({"status": 302, "redirect": {"location": "ftp://example.com:8443/p"}}),
                json!({"status": 302, "redirect": {"location": "https://example.com:99999/p"}}),
            ],
        ),
        (
            json!({"request": get("/s"), "expect": {"status": 302, "redirect": {"scheme": "https", "host": "example.com", "port": "443"}}}),
            vec![
                json!({"status": 302, "redirect": {"location": "https://example.com/s"}}),
                json!({"status": 302, "redirect": {"location": "https://example.com:444/s"}}),
            ],
        ),
        // Simulation: backoff and request deadline, bad parameters, 502 for resets.
        (
            json!({"request": get("/retry"), "simulated_backend": {"fail_first_attempts": 3, "failure_status": 500, "failure_delay": "100ms"},
                "expect": {"status": [200, 504], "backend": "ns/a"}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/retry"), "retry": {"attempts": 3, "codes": [500], "backoff": "50ms"}, "timeouts": {"request": "1s"}}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/retry"), "retry": {"attempts": 3, "codes": [500], "backoff": "50ms"}, "timeouts": {"request": "450ms"}}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/retry"), "retry": {"attempts": 2, "codes": [500]}}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/retry"), "retry": {"attempts": 5, "codes": [502]}, "timeouts": {"backend_request": "100ms"}}),
                json!({"status": 204, "backend": "ns/a", "upstream": up("/retry"), "retry": {"attempts": 3, "codes": [500]}, "timeouts": {"request": "0s", "backend_request": "1h"}}),
                json!({"status": 503, "backend": "ns/a"}),
            ],
        ),
        (
            json!({"request": get("/bad-sim"), "simulated_backend": {"failure_delay": "soon", "fail_first_attempts": 1},
                "expect": {"status": 200}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/bad-sim")}),
                json!({"status": 200}),
            ],
        ),
        (
            json!({"request": get("/reset"), "simulated_backend": {"fail_first_attempts": 1}, "expect": {"status": [502]}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/reset")}),
                json!({"status": 200, "backend": "ns/a", "retry": {}}),
            ],
        ),
        // WebSocket.
        (
            json!({"request": {"method": "GET", "scheme": "http", "path": "/ws", "protocol": "websocket",
                "headers": {"Connection": "Upgrade", "Upgrade": "websocket"}}, "expect": {"status": 101, "backend": "ns/w"}}),
            vec![
                json!({"status": 200, "backend": "ns/w", "upstream": {"path": "/ws", "headers": []}}),
                json!({"status": 101, "backend": "ns/w", "upstream": {"path": "/ws"}}),
                json!({"status": 204, "backend": "ns/w", "upstream": {"path": "/ws"}}),
            ],
        ),
        // Layer 4.
        (
            json!({"request": {"protocol": "tcp"}, "expect": {"status": 200, "backend": "ns/t"}}),
            vec![
                json!({"backend": "ns/t"}),
                json!({"status": 200, "backend": "ns/t"}),
                json!({"status": 200}),
            ],
        ),
        (
            json!({"request": {"protocol": "udp"}, "expect": {"backend": null}}),
            vec![json!({"backend": "ns/u"}), json!({})],
        ),
        (
            json!({"request": {"protocol": "udp"}, "expect": {"answered": true}}),
            vec![
                json!({}),
                json!({"backend": "ns/u", "split": [{"backend": "ns/u", "weight": 0}]}),
            ],
        ),
        // per_backend, backend_one_of, mirrors.
        (
            json!({"request": get("/pb"), "expect": {"backend_one_of": ["ns/a", "ns/b"],
                "per_backend": {"ns/a": {"request_headers_present": {"B": "a"}, "mirrored_to": ["ns/m"]},
                                "ns/b": {"request_headers_absent": ["X"], "mirror_percent": {"ns/m": 50}}}}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": {"path": "/other", "headers": [["b", "a"]]}, "mirrors": [{"backend": "ns/m"}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": {"path": "/pb", "headers": [["B", "a"]]}}),
                json!({"status": 200, "backend": "ns/b", "upstream": {"path": "/pb", "headers": [["x", "1"]]}, "mirrors": [{"backend": "ns/m", "percent": 25}, {"backend": "ns/m", "percent": 25.5}]}),
                json!({"status": 200, "backend": "ns/b", "upstream": {"path": "/pb"}, "mirrors": [{"backend": "ns/m", "percent": 48.5}]}),
                json!({"status": 200, "backend": "ns/b", "upstream": {"path": "/pb"}, "mirrors": [{"backend": "ns/m", "percent": 49.2}]}),
                json!({"status": 200, "backend": "ns/b", "upstream": {"path": "/pb"}, "mirrors": [{"backend": "ns/m", "percent": 51.5}]}),
                json!({"status": 200, "backend": "ns/c", "upstream": {"path": "/pb"}, "split": [{"backend": "ns/a"}, {"backend": "ns/c"}, {"status": 500, "weight": 0}]}),
            ],
        ),
        // Hop-by-hop and repeated headers (rule 4).
        (
            json!({"request": {"method": "GET", "scheme": "http", "host": "h.example", "path": "/h",
                "headers": {"Connection": "keep-alive", "TE": "trailers", "X-A": "1"}}, "expect": {"backend": "ns/a"}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": {"host": "H.Example", "path": "/h", "headers": [["x-a", "1"]]}}),
                json!({"status": 200, "backend": "ns/a", "upstream": {"host": "h.example", "path": "/h", "headers": [["X-A", "2"]]}}),
                json!({"status": 200, "backend": "ns/a", "upstream": {"path": "/h", "headers": [["X-A", "1"], ["x-a", "1"]]}}),
                json!({"status": 200, "backend": "ns/a", "tls": {"passthrough": true}}),
            ],
        ),
        // Rejections and TLS towards the backend.
        (
            json!({"request": {"protocol": "tls", "sni": "a.example"}, "expect": {"rejected": true, "backend": null}}),
            vec![
                json!({"tls": {"rejected": true}, "backend": "ns/t"}),
                json!({"tls": {"rejected": false}}),
                json!({"backend": "ns/t"}),
            ],
        ),
        (
            json!({"request": {"protocol": "tls", "sni": "a.example"}, "expect": {"backend": "ns/t", "backend_tls": {"receives_tls": true, "sni": "a.example"}}}),
            vec![
                json!({"backend": "ns/t", "tls": {"passthrough": true, "backend_sni": "a.example"}}),
                json!({"backend": "ns/t", "tls": {"passthrough": false}}),
                json!({"backend": "ns/t"}),
            ],
        ),
        // Weights with invalid backends and zero weights; backend_namespace.
        (
            json!({"request": get("/w"), "expect": {"backend_namespace": "ns", "weights": {"ns/a": 1, "ns/b": 1, "ns/z": 0}}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/w"), "split": [{"backend": "ns/a", "weight": 52}, {"backend": "ns/b", "weight": 48}, {"backend": "ns/z", "weight": 0}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/w"), "split": [{"backend": "ns/a", "weight": 1}, {"backend": "ns/b", "weight": 1}, {"status": 500, "weight": 1}, {"status": 503}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/w"), "split": [{"backend": "ns/a", "weight": 0}, {"backend": "ns/b", "weight": 0}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/w"), "split": [{"backend": "ns/a", "weight": 54.5}, {"backend": "ns/b", "weight": 45.5}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/w"), "split": [{"backend": "ns/a", "weight": 55.5}, {"backend": "ns/b", "weight": 44.5}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/w"), "split": [{"backend": "ns/a", "weight": 2}, {"backend": "ns/b", "weight": 1}, {"backend": "ns/z", "weight": 0.1}]}),
            ],
        ),
        (
            json!({"request": get("/n"), "expect": {"backend_namespace": "ns"}}),
            vec![
                json!({"status": 200, "backend": "ns/a", "upstream": up("/n"), "split": [{"backend": "ns/a"}, {"backend": "other/a"}]}),
                json!({"status": 200, "backend": "ns/a", "upstream": up("/n"), "split": [{"backend": "ns/b"}]}),
            ],
        ),
        // Malformed decisions and skip lines.
        (
            json!({"request": get("/f"), "expect": {"backend": "ns/a"}}),
            vec![
                json!({"status": 200, "backend": "noslash"}),
                json!({"status": 200.0, "backend": "ns/a"}),
                json!({"status": 200, "split": [{"backend": "a/b", "status": 500}], "mirrors": [{"backend": 1}]}),
                json!({"status": 200, "tls": {"rejected": "yes", "backend_sni": 3}, "rule": 1.5, "route": 2}),
                json!({"status": 200, "retry": {"attempts": -1, "codes": ["500"], "backoff": "x"}, "timeouts": {"request": 5}}),
                json!({"status": 200, "upstream": {"headers": [["a"]], "path": 1}, "redirect": {"location": 5}, "response_headers": "x"}),
                json!({"status": 200, "timeouts": [], "retry": "yes", "tls": 1, "upstream": [], "split": {}, "mirrors": [{"backend": "a", "percent": "1"}]}),
                json!({"status": 200, "redirect": {"location": "/x", "status": "302"}, "grpc_status": "0"}),
                json!({"skipped": true}),
                json!({"skipped": "", "status": 200, "backend": "ns/a", "upstream": up("/f")}),
                json!({"skipped": "needs CORS", "status": 999}),
                json!({"skipped": 0, "status": 404}),
                json!({"status": 200, "backend": "ns/\u{e9}t\u{e9}", "upstream": up("/f")}),
            ],
        ),
    ]
}

/// The synthetic case and one decision per request.
pub fn case_and_decisions() -> (Value, Vec<Value>) {
    let mut requests = Vec::new();
    let mut decisions = Vec::new();
    for (i, (req, decs)) in table().into_iter().enumerate() {
        for (k, dec) in decs.into_iter().enumerate() {
            let name = format!("s{i}.{k}");
            let mut r = req.clone();
            r["name"] = json!(name);
            r["gateway"] = json!("ns/gw");
            if r.get("listener_port").is_none() {
                r["listener_port"] = json!(80);
            }
            let mut d = dec;
            d["name"] = json!(name);
            requests.push(r);
            decisions.push(d);
        }
    }
    let case = json!({"name": "Synthetic", "features": ["Gateway", "HTTPRoute"], "resources": [], "requests": requests});
    (case, decisions)
}
