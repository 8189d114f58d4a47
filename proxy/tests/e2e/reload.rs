//! End-to-end: hot reload from the configuration directory while requests run. A route file
//! is rewritten every 50 ms (its backend flips between two upstreams) while 10,000 requests
//! run on 16 connections; none may fail, each answer must come from a backend that some
//! version of the configuration names, and the last version must win.

use crate::support::*;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

const GATEWAY: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: trieway
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: stable, namespace: default}
spec:
  parentRefs: [{name: gw}]
  rules:
    - matches: [{path: {type: PathPrefix, value: /stable}}]
      backendRefs: [{name: a, port: 80}]
"#;

fn flip(backend: &str, path: &str) -> String {
    format!(
        r#"
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {{name: flip, namespace: default}}
spec:
  parentRefs: [{{name: gw}}]
  rules:
    - matches: [{{path: {{type: PathPrefix, value: {path}}}}}]
      backendRefs: [{{name: {backend}, port: 80}}]
"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reload_every_50ms_while_10000_requests_run() {
    let (a, b) = (upstream("a").await, upstream("b").await);
    let dir = TempDir::new("reload");
    dir.write("gateway.yaml", GATEWAY);
    dir.write("flip.yaml", &flip("a", "/flip"));
    let mut o = trieway_proxy::ProxyOptions::new(&dir.0);
    o.ephemeral_ports = true;
    o.listen_ip = "127.0.0.1".parse().unwrap();
    o.access_log = false;
    o.debounce = Duration::from_millis(10);
    o.backends = vec![
        format!("default/a={}", a.addr).parse().unwrap(),
        format!("default/b={}", b.addr).parse().unwrap(),
    ];
    let proxy = trieway_proxy::Proxy::start(o).await.unwrap();
    let addr = proxy.addr(80).unwrap();
    let live = Arc::clone(proxy.live());
    let first_version = live.version();

    // The writer: every 50 ms a new flip.yaml, until the requests are done.
    let done = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn({
        let done = Arc::clone(&done);
        let path = dir.0.clone();
        async move {
            let mut i = 0usize;
            while !done.load(Ordering::SeqCst) {
                i += 1;
                let backend = if i.is_multiple_of(2) { "a" } else { "b" };
                let tmp = path.join(".flip.tmp");
                std::fs::write(&tmp, flip(backend, "/flip")).unwrap();
                std::fs::rename(&tmp, path.join("flip.yaml")).unwrap();
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            i
        }
    });

    // 10,000 requests on 16 clients; they keep going (bounded) until 5 reloads happened
    // during the run, so that requests and reloads overlap whatever the machine's speed.
    let sent = Arc::new(AtomicUsize::new(0));
    let failures = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(120);
    let mut tasks = Vec::new();
    for t in 0..16 {
        let (sent, failures, live) = (Arc::clone(&sent), Arc::clone(&failures), Arc::clone(&live));
        tasks.push(tokio::spawn(async move {
            let c = client();
            loop {
                let n = sent.fetch_add(1, Ordering::SeqCst);
                let reloaded = live.version() >= first_version + 5;
                if (n >= 10_000 && reloaded) || tokio::time::Instant::now() > deadline {
                    return;
                }
                let path = if (n + t).is_multiple_of(2) {
                    "/stable"
                } else {
                    "/flip"
                };
                match send(&c, addr, "GET", "any.example.com", path, &[]).await {
                    Ok(r) if r.status == 200 && (path == "/flip" || r.upstream() == "a") => {}
                    Ok(r) => failures.lock().unwrap().push(format!(
                        "{path}: {} from {:?}: {}",
                        r.status,
                        r.upstream(),
                        r.body
                    )),
                    Err(e) => failures.lock().unwrap().push(format!("{path}: {e}")),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    done.store(true, Ordering::SeqCst);
    let writes = writer.await.unwrap();
    let failures = failures.lock().unwrap().clone();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        &failures[..failures.len().min(5)]
    );
    assert!(
        sent.load(Ordering::SeqCst) >= 10_000,
        "deadline reached before 10,000 requests"
    );
    assert!(
        live.version() >= first_version + 5,
        "only {} reloads for {writes} writes",
        live.version() - first_version
    );
    assert!(
        a.hits() > 0 && b.hits() > 0,
        "both versions served: a {} b {}",
        a.hits(),
        b.hits()
    );

    // The last version wins: point /flip at b for good and wait (bounded) until it answers.
    dir.write("flip.yaml", &flip("b", "/flip-final"));
    let c = client();
    let mut last = 0;
    for _ in 0..3000 {
        let r = get(&c, addr, "any.example.com", "/flip-final").await;
        last = r.status;
        if r.status == 200 {
            assert_eq!(r.upstream(), "b");
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert_eq!(last, 200);
    // The old path is gone with its version.
    assert_eq!(get(&c, addr, "any.example.com", "/flip").await.status, 404);

    // An invalid route is rejected and the previous version keeps serving.
    let before = live.version();
    dir.write("flip.yaml", &flip("b", "no-slash"));
    // Wait for the reload that rejects it to be reported, bounded.
    let last_reload = || proxy.shared().last_reload.lock().unwrap().clone();
    assert!(
        wait_for(|| last_reload().contains("1 rejected")).await,
        "the invalid file was never reloaded: {}",
        last_reload()
    );
    assert_eq!(
        live.version(),
        before,
        "a rejected object publishes nothing"
    );
    let r = get(&c, addr, "any.example.com", "/flip-final").await;
    assert_eq!((r.status, r.upstream().as_str()), (200, "b"));
    proxy.shutdown().await;
}

#[tokio::test]
async fn a_listener_port_added_by_a_reload_is_bound_and_served() {
    let a = upstream("a").await;
    let (proxy, dir) = proxy(GATEWAY, &[("default/a", a.addr)], true).await;
    assert!(proxy.addr(8080).is_none());
    dir.write(
        "gateway.yaml",
        &GATEWAY.replace(
            "listeners: [{name: http, port: 80, protocol: HTTP}]",
            "listeners: [{name: http, port: 80, protocol: HTTP}, {name: extra, port: 8080, protocol: HTTP}]",
        ),
    );
    assert!(
        wait_for(|| proxy.addr(8080).is_some()).await,
        "port 8080 never bound: {}",
        proxy.shared().last_reload.lock().unwrap()
    );
    let c = client();
    let r = get(&c, proxy.addr(8080).unwrap(), "any.example.com", "/stable").await;
    assert_eq!((r.status, r.upstream().as_str()), (200, "a"), "{}", r.body);
    // The first port still serves, and nothing else was bound twice.
    let r = get(&c, proxy.addr(80).unwrap(), "any.example.com", "/stable").await;
    assert_eq!(r.status, 200);
    proxy.shutdown().await;
}
