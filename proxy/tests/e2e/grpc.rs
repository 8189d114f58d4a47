//! End-to-end: real gRPC calls through the proxy, a `tonic` client against `tonic` servers.
//! The messages are hand-written `prost` structs and the services hand-written
//! `tower` services (what `tonic-build` would generate), so no `protoc` is needed.

use crate::support::*;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Status};
use tonic_prost::ProstCodec;

/// `echo.PingRequest { string name = 1; }`
#[derive(Clone, PartialEq, prost::Message)]
struct PingRequest {
    #[prost(string, tag = "1")]
    name: String,
}

/// `echo.PingReply { string message = 1; string server = 2; string host = 3; string tenant = 4; }`
#[derive(Clone, PartialEq, prost::Message)]
struct PingReply {
    #[prost(string, tag = "1")]
    message: String,
    /// Which test server answered.
    #[prost(string, tag = "2")]
    server: String,
    /// The `host` header the server received.
    #[prost(string, tag = "3")]
    authority: String,
    /// The `x-tenant` metadata the server received.
    #[prost(string, tag = "4")]
    tenant: String,
}

const ROUTES: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: trieway
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: echo, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [grpc.example.com]
  rules:
    - matches: [{method: {service: echo.Echo, method: Ping}, headers: [{name: x-tenant, value: blue}]}]
      backendRefs: [{name: blue, port: 80}]
    - matches: [{method: {service: echo.Echo, method: Ping}}, {method: {service: echo.Echo, method: Fail}}]
      backendRefs: [{name: green, port: 80}]
"#;

/// A tonic server whose `echo.Echo` service answers `Ping` (a reply naming the server, the
/// authority and tenant it saw) and `Fail` (NOT_FOUND, with a message), and counts calls.
#[derive(Clone)]
struct Echo {
    name: &'static str,
    calls: Arc<AtomicUsize>,
}

/// The unary handler of one call (what `tonic-build` generates per method).
struct Handler {
    server: &'static str,
    method: String,
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

impl tonic::server::UnaryService<PingRequest> for Handler {
    type Response = PingReply;
    type Future = BoxFuture<Result<tonic::Response<PingReply>, Status>>;
    fn call(&mut self, request: tonic::Request<PingRequest>) -> Self::Future {
        let server = self.server.to_string();
        let method = self.method.clone();
        Box::pin(async move {
            let tenant = request
                .metadata()
                .get("x-tenant")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let authority = request
                .metadata()
                .get("x-seen-authority")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_string();
            let name = request.into_inner().name;
            if method == "Fail" {
                return Err(Status::not_found(format!("no ping for {name}")));
            }
            let mut reply = tonic::Response::new(PingReply {
                message: format!("pong {name}"),
                server: server.clone(),
                authority,
                tenant,
            });
            reply
                .metadata_mut()
                .insert("x-served-by", server.parse().unwrap());
            Ok(reply)
        })
    }
}

impl tonic::codegen::Service<http::Request<tonic::body::Body>> for Echo {
    type Response = http::Response<tonic::body::Body>;
    type Error = std::convert::Infallible;
    type Future = BoxFuture<Result<Self::Response, Self::Error>>;

    fn poll_ready(&mut self, _cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, mut req: http::Request<tonic::body::Body>) -> Self::Future {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let server = self.name;
        let method = match req.uri().path() {
            "/echo.Echo/Ping" => "Ping",
            "/echo.Echo/Fail" => "Fail",
            _ => return Box::pin(async { Ok(Status::unimplemented("").into_http()) }),
        };
        // The `:authority` the server saw, handed to the handler as metadata; a Host header
        // that differs from it (RFC 9113 §8.3.1 forbids one) is reported instead.
        let authority = req
            .uri()
            .authority()
            .map(|a| a.to_string())
            .unwrap_or_default();
        let authority = match req.headers().get("host").and_then(|v| v.to_str().ok()) {
            Some(host) if host != authority => format!("host {host} != :authority {authority}"),
            _ => authority,
        };
        req.headers_mut()
            .insert("x-seen-authority", authority.parse().unwrap());
        let handler = Handler {
            server,
            method: method.to_string(),
        };
        Box::pin(async move {
            let mut grpc =
                tonic::server::Grpc::new(ProstCodec::<PingReply, PingRequest>::default());
            Ok(grpc.unary(handler, req).await)
        })
    }
}

/// Starts a tonic server (HTTP/2, h2c) on a free port of 127.0.0.1.
async fn tonic_server(name: &'static str) -> (std::net::SocketAddr, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let calls = Arc::new(AtomicUsize::new(0));
    let svc = Echo {
        name,
        calls: calls.clone(),
    };
    let incoming = tonic::transport::server::TcpIncoming::from(listener);
    tokio::spawn(tonic::transport::Server::builder().serve_with_incoming(svc, incoming));
    (addr, calls)
}

/// One unary call through `channel`, with optional `x-tenant` metadata.
async fn call(
    channel: &Channel,
    method: &'static str,
    name: &str,
    tenant: Option<&str>,
) -> Result<tonic::Response<PingReply>, Status> {
    let mut client = tonic::client::Grpc::new(channel.clone());
    client
        .ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let mut req = tonic::Request::new(PingRequest {
        name: name.to_string(),
    });
    if let Some(t) = tenant {
        req.metadata_mut().insert("x-tenant", t.parse().unwrap());
    }
    client
        .unary(
            req,
            PathAndQuery::from_static(method),
            ProstCodec::default(),
        )
        .await
}

#[tokio::test]
async fn tonic_client_and_servers_through_the_grpc_route() {
    let (blue, blue_calls) = tonic_server("blue").await;
    let (green, green_calls) = tonic_server("green").await;
    let (proxy, _dir) = proxy(
        ROUTES,
        &[("default/blue", blue), ("default/green", green)],
        false,
    )
    .await;
    let addr = proxy.addr(80).unwrap();
    // The client dials the proxy; requests carry the route's hostname as :authority.
    let channel = Endpoint::from_shared(format!("http://{addr}"))
        .unwrap()
        .origin("http://grpc.example.com".parse().unwrap())
        .connect()
        .await
        .unwrap();

    // Ping without the header: the second rule, the green server; the reply and its
    // metadata come back, and the backend saw the client's authority as its Host.
    let r = call(&channel, "/echo.Echo/Ping", "one", None)
        .await
        .unwrap();
    assert_eq!(r.metadata().get("x-served-by").unwrap(), "green");
    let reply = r.into_inner();
    assert_eq!(
        (reply.message.as_str(), reply.server.as_str()),
        ("pong one", "green")
    );
    assert_eq!(reply.authority, "grpc.example.com");

    // Ping with x-tenant: blue: the header match of the first rule, the blue server.
    let reply = call(&channel, "/echo.Echo/Ping", "two", Some("blue"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (
            reply.message.as_str(),
            reply.server.as_str(),
            reply.tenant.as_str()
        ),
        ("pong two", "blue", "blue")
    );
    // Another tenant does not match the first rule.
    let reply = call(&channel, "/echo.Echo/Ping", "three", Some("red"))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(
        (reply.server.as_str(), reply.tenant.as_str()),
        ("green", "red")
    );

    // The server's error status and message reach the client unchanged.
    let err = call(&channel, "/echo.Echo/Fail", "four", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::NotFound);
    assert_eq!(err.message(), "no ping for four");

    // A method no rule matches: the proxy answers UNIMPLEMENTED, no server is called.
    let before = blue_calls.load(Ordering::SeqCst) + green_calls.load(Ordering::SeqCst);
    let err = call(&channel, "/echo.Echo/Other", "five", None)
        .await
        .unwrap_err();
    assert_eq!(err.code(), Code::Unimplemented);
    assert_eq!(
        blue_calls.load(Ordering::SeqCst) + green_calls.load(Ordering::SeqCst),
        before
    );
    assert_eq!(blue_calls.load(Ordering::SeqCst), 1);
    assert_eq!(green_calls.load(Ordering::SeqCst), 3);

    // Many calls multiplexed on the one HTTP/2 connection all succeed.
    let calls: Vec<_> = (0..50)
        .map(|i| {
            let channel = channel.clone();
            tokio::spawn(async move {
                call(&channel, "/echo.Echo/Ping", &format!("n{i}"), None)
                    .await
                    .map(|r| r.into_inner().message)
            })
        })
        .collect();
    for (i, c) in calls.into_iter().enumerate() {
        assert_eq!(c.await.unwrap().unwrap(), format!("pong n{i}"));
    }
    assert_eq!(green_calls.load(Ordering::SeqCst), 53);
    proxy.shutdown().await;
}
