//! `Live::watch` (feature `watch`): files written, edited and removed in a watched directory
//! change the live router; a broken edit is reported and the previous objects keep serving.
//! Every wait is bounded and driven by the reload reports (a channel), not by sleeps.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};
use trieway::{Config, Live, Options, Outcome, Reload, Request, WatchOptions};

const BASE: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: example.com/c}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: c
  listeners: [{name: http, port: 80, protocol: HTTP}]
"#;

fn route(name: &str, path: &str) -> String {
    format!(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {{name: {name}, namespace: default}}\nspec:\n  parentRefs: [{{name: gw}}]\n  rules: [{{matches: [{{path: {{type: PathPrefix, value: '{path}'}}}}], backendRefs: [{{name: {name}, port: 80}}]}}]\n"
    )
}

fn winner(live: &Live, path: &str) -> Option<String> {
    match live
        .load()
        .route(&Request::new("GET", "x.example.com", path))
    {
        Outcome::Matched(m) => Some(m.route().name.to_string()),
        _ => None,
    }
}

/// A fresh directory under the system's temporary directory, removed at the end.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let dir =
            std::env::temp_dir().join(format!("trieway-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir.canonicalize().expect("canonical"))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes `text` to `path` at once (a rename), as editors and `kubectl cp` do.
fn write(path: &Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

/// The reloads until one satisfies `done` (bounded: a watcher that never reports fails).
fn wait_for(rx: &Receiver<Reload>, what: &str, done: impl Fn(&Reload) -> bool) -> Reload {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(r) if done(&r) => return r,
            Ok(_) => continue,
            Err(_) => panic!("no reload with {what} within 20 s"),
        }
    }
}

#[test]
fn watched_files_change_the_router() {
    let dir = TempDir::new("watch");
    std::fs::write(dir.0.join("base.yaml"), BASE).expect("write");
    write(&dir.0.join("a.yaml"), &route("a", "/a"));
    let config = Config::from_path(&dir.0).expect("reads");
    let live = Arc::new(Live::new(config, Options::default()).expect("builds"));
    assert_eq!(winner(&live, "/a").as_deref(), Some("a"));
    let (tx, rx) = channel();
    let watcher = live
        .watch(
            std::slice::from_ref(&dir.0),
            WatchOptions::default().debounce(Duration::from_millis(50)),
            move |r| {
                let _ = tx.send(r);
            },
        )
        .expect("watches");

    // The first reload reads every file: all unchanged, nothing published.
    let first = wait_for(&rx, "the initial read", |_| true);
    assert_eq!(first.files.len(), 2, "{first}");
    assert_eq!(first.result.unchanged.len(), 3, "{first}");
    assert!(!first.result.published, "{first}");
    let v1 = live.version();

    // A new file: its route serves.
    write(&dir.0.join("b.yaml"), &route("b", "/b"));
    let r = wait_for(&rx, "b applied", |r| !r.result.applied.is_empty());
    assert!(r.result.is_clean() && r.result.published, "{r}");
    assert_eq!(r.result.applied[0].to_string(), "HTTPRoute default/b");
    assert_eq!(winner(&live, "/b").as_deref(), Some("b"));
    assert!(live.version() > v1);

    // A broken edit: reported, the previous version of `a` keeps serving.
    write(&dir.0.join("a.yaml"), &route("a", "no-slash"));
    let r = wait_for(&rx, "a rejected", |r| !r.result.rejected.is_empty());
    let e = r.result.rejected[0].1[0].to_string();
    assert!(
        e.contains("HTTPRoute default/a") && e.contains("a.yaml#0"),
        "{e}"
    );
    assert_eq!(winner(&live, "/a").as_deref(), Some("a"));

    // A file that does not parse: reported as unreadable, nothing changes.
    write(&dir.0.join("a.yaml"), "kind: [");
    let r = wait_for(&rx, "a unreadable", |r| !r.unreadable.is_empty());
    assert!(r.unreadable[0].to_string().contains("a.yaml"), "{r}");
    assert_eq!(winner(&live, "/a").as_deref(), Some("a"));

    // Moving `a` to another path, then removing `b`'s file: both take effect.
    write(&dir.0.join("a.yaml"), &route("a", "/a2"));
    wait_for(&rx, "a moved", |r| !r.result.applied.is_empty());
    assert_eq!(winner(&live, "/a2").as_deref(), Some("a"));
    assert_eq!(winner(&live, "/a"), None);
    std::fs::remove_file(dir.0.join("b.yaml")).expect("remove");
    let r = wait_for(&rx, "b deleted", |r| !r.result.applied.is_empty());
    assert_eq!(
        r.result.applied[0].to_string(),
        "HTTPRoute default/b",
        "{r}"
    );
    assert_eq!(winner(&live, "/b"), None);

    // After stop the worker has ended: its callback, and the channel's sender, are gone.
    watcher.stop();
    loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(_) => continue,
            Err(e) => {
                assert_eq!(e, std::sync::mpsc::RecvTimeoutError::Disconnected);
                break;
            }
        }
    }
}
