//! End-to-end tests of trieway-proxy, one test binary (one link) for all of them: the proxy
//! in front of upstream servers running in the test process, on 127.0.0.1 only.

mod grpc;
mod mtls;
mod reload;
mod routing;
mod support;
mod tls_l4;
mod upgrade;
