//! `trieway check --kubeconfig` and `trieway watch --kubeconfig` against a real Kubernetes API
//! server (kube-testenv/start.sh; no mocks), feature `kube`.
//!
//! The tests run when `TRIEWAY_KUBECONFIG` names the kubeconfig `start.sh` printed (`.ci/run`
//! sets it); without it each test prints why it is skipped and passes. Objects are written
//! with `curl` (server-side apply, with the kubeconfig's server, CA and token), so this test
//! needs no Kubernetes client of its own. They live in namespace `cli`, under GatewayClass
//! `cli` of controller `trieway.dev/cli`, which both commands are told to act as
//! (`--controller`), so the other tests' objects on the same server are not served; objects
//! trieway finds invalid count anywhere, so the broken route this test creates is deleted
//! again.
#![cfg(feature = "kube")]

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc::channel;
use std::sync::Mutex;
use std::time::{Duration, Instant};

static SERIAL: Mutex<()> = Mutex::new(());
const DEADLINE: Duration = Duration::from_secs(60);
const CONTROLLER: &str = "trieway.dev/cli";

/// The kubeconfig's path, server, CA file and token.
struct Cluster {
    kubeconfig: String,
    server: String,
    ca: String,
    token: String,
}

fn cluster() -> Option<Cluster> {
    let Ok(kubeconfig) = std::env::var("TRIEWAY_KUBECONFIG") else {
        println!("skipped: TRIEWAY_KUBECONFIG is not set (see the top of cli/tests/kube.rs)");
        return None;
    };
    let text = std::fs::read_to_string(&kubeconfig).expect("read TRIEWAY_KUBECONFIG");
    let field = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no {name} in {kubeconfig}"))
            .trim()
            .to_string()
    };
    Some(Cluster {
        server: field("server"),
        ca: field("certificate-authority"),
        token: field("token"),
        kubeconfig,
    })
}

impl Cluster {
    fn url(&self, object: &Value) -> String {
        let api_version = object["apiVersion"].as_str().unwrap();
        let kind = object["kind"].as_str().unwrap();
        let prefix = if api_version == "v1" {
            "/api/v1".to_string()
        } else {
            format!("/apis/{api_version}")
        };
        let plural = match kind {
            "GatewayClass" => "gatewayclasses".to_string(),
            other => format!("{}s", other.to_lowercase()),
        };
        let name = object["metadata"]["name"].as_str().unwrap();
        match object["metadata"]["namespace"].as_str() {
            Some(ns) => format!("{}{prefix}/namespaces/{ns}/{plural}/{name}", self.server),
            None => format!("{}{prefix}/{plural}/{name}", self.server),
        }
    }

    fn curl(&self, args: &[&str], body: Option<&Value>) -> (bool, String) {
        let mut command = Command::new("curl");
        command
            .args(["-sS", "--cacert", &self.ca, "-H"])
            .arg(format!("Authorization: Bearer {}", self.token))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("curl");
        if let Some(body) = body {
            use std::io::Write;
            let mut stdin = child.stdin.take().unwrap();
            stdin.write_all(body.to_string().as_bytes()).unwrap();
        }
        drop(child.stdin.take());
        let output = child.wait_with_output().expect("curl");
        let text = String::from_utf8_lossy(&output.stdout).into_owned();
        (output.status.success(), text)
    }

    /// Creates or updates `object` (server-side apply, as `kubectl apply --server-side`).
    fn apply(&self, object: &Value) {
        let url = format!("{}?fieldManager=cli-test&force=true", self.url(object));
        let (ok, text) = self.curl(
            &[
                "-f",
                "-X",
                "PATCH",
                "-H",
                "Content-Type: application/apply-patch+yaml",
                "--data-binary",
                "@-",
                &url,
            ],
            Some(object),
        );
        assert!(ok, "apply {object}: {text}");
    }

    /// Deletes `object` if it exists and waits until it is gone.
    fn delete(&self, object: &Value) {
        let url = self.url(object);
        self.curl(&["-X", "DELETE", &url], None);
        let start = Instant::now();
        loop {
            let (found, _) = self.curl(&["-f", "-o", "/dev/null", &url], None);
            if !found {
                return;
            }
            assert!(start.elapsed() < DEADLINE, "{url} not deleted");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

fn route(name: &str, host: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": "cli"},
        "spec": {
            "parentRefs": [{"name": "edge"}],
            "hostnames": [host],
            "rules": [{"backendRefs": [{"name": "a", "port": 80}]}],
        },
    })
}

/// A route the API server accepts and trieway refuses a rule of (a regex that does not
/// compile).
fn broken_route() -> Value {
    let mut bad = route("bad", "bad.example.com");
    bad["spec"]["rules"][0]["matches"] =
        json!([{"path": {"type": "RegularExpression", "value": "/(unclosed"}}]);
    bad
}

/// The namespace, GatewayClass, Gateway, Service and route the tests share.
fn setup(c: &Cluster) {
    c.apply(&json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "cli"}}));
    c.apply(&json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
        "metadata": {"name": "cli"}, "spec": {"controllerName": CONTROLLER},
    }));
    c.apply(&json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "edge", "namespace": "cli"},
        "spec": {"gatewayClassName": "cli", "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP"}]},
    }));
    c.apply(&json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "a", "namespace": "cli"},
        "spec": {"ports": [{"port": 80}]},
    }));
    c.apply(&route("web", "web.example.com"));
    c.delete(&broken_route());
}

fn trieway(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(args)
        .output()
        .expect("run trieway")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_lists_the_cluster_and_exits_as_for_files() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(c) = cluster() else { return };
    setup(&c);
    let k = c.kubeconfig.as_str();
    let args = ["check", "--kubeconfig", k, "--controller", CONTROLLER];

    let ok = trieway(&args);
    let out = text(&ok.stdout);
    assert_eq!(ok.status.code(), Some(0), "{out}{}", text(&ok.stderr));
    assert!(
        out.starts_with(&format!("trieway check: cluster (kubeconfig {k})")),
        "{out}"
    );
    assert!(out.contains("Gateway cli/edge (class cli)"), "{out}");
    assert!(out.contains("HTTPRoute cli/web"), "{out}");

    let json_out = trieway(&[&args[..], &["-o", "json"]].concat());
    assert_eq!(json_out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&json_out.stdout).expect("JSON report");
    assert_eq!(report["ok"], true);
    assert!(
        report["routes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["namespace"] == "cli" && r["name"] == "web"),
        "{report:#}"
    );

    // A route trieway finds invalid: exit 1, the error names the object as the cluster does.
    c.apply(&broken_route());
    let bad = trieway(&args);
    let out = text(&bad.stdout);
    c.delete(&broken_route());
    assert_eq!(bad.status.code(), Some(1), "{out}");
    assert!(
        out.contains(
            "HTTPRoute cli/bad (kube:HTTPRoute cli/bad#0): spec.rules[0].matches[0].path.value: \
             invalid regular expression"
        ),
        "{out}"
    );
    assert!(out.contains("FAILED"), "{out}");

    // A kubeconfig that cannot be read: exit 2, naming the file.
    let missing = trieway(&["check", "--kubeconfig", "/nonexistent/kubeconfig"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(
        text(&missing.stderr).contains("/nonexistent/kubeconfig"),
        "{}",
        text(&missing.stderr)
    );
    // Files and a cluster at once: a usage error.
    let both = trieway(&["check", "--kubeconfig", k, "x.yaml"]);
    assert_eq!(both.status.code(), Some(2));
}

#[test]
fn watch_prints_changes_and_status_transitions() {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let Some(c) = cluster() else { return };
    setup(&c);
    let watched = route("watched", "watched.example.com");
    c.delete(&watched);
    let mut child = Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(["watch", "--kubeconfig", &c.kubeconfig])
        .args(["--controller", CONTROLLER, "--gateway", "cli/edge"])
        .args(["--reloads", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("trieway watch");
    let (tx, rx) = channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut lines: Vec<String> = Vec::new();
    let mut wait_for = |what: &str, lines: &mut Vec<String>| {
        let start = Instant::now();
        while !lines.iter().any(|l| l.contains(what)) {
            let left = DEADLINE.saturating_sub(start.elapsed());
            match rx.recv_timeout(left) {
                Ok(line) => lines.push(line),
                Err(_) => {
                    let _ = child.kill();
                    panic!("no line with {what:?} after {DEADLINE:?}: {lines:#?}");
                }
            }
        }
    };
    wait_for("ready: serving Gateway cli/edge (version 1)", &mut lines);
    assert!(
        lines.iter().any(|l| l.starts_with("listed HTTPRoute: ")),
        "{lines:#?}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l.contains("+ HTTPRoute cli/web -> Gateway cli/edge: Accepted=True")),
        "{lines:#?}"
    );
    c.apply(&watched);
    wait_for("change 2: version 2: 1 applied", &mut lines);
    wait_for(
        "+ HTTPRoute cli/watched -> Gateway cli/edge: Accepted=True",
        &mut lines,
    );
    // --reloads 2: it exits after the second change set.
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if start.elapsed() > DEADLINE {
            let _ = child.kill();
            panic!("watch did not exit after --reloads 2: {lines:#?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(status.success(), "{status}: {lines:#?}");
    c.delete(&watched);
}
