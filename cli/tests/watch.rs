//! `trieway watch`: the first reload finds the files' objects unchanged; a new file's route is
//! applied and its conditions are printed as changed; a broken edit is printed as rejected.
//! Waits are bounded by a channel of output lines, never by sleeps.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::Duration;

const ROUTE: &str = "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: added, namespace: default}\nspec:\n  parentRefs: [{name: edge, namespace: infra}]\n  hostnames: [HOST]\n  rules: [{backendRefs: [{name: added, port: 80}]}]\n";

fn temp_dir() -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir =
        std::env::temp_dir().join(format!("trieway-cli-watch-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    dir
}

/// Writes at once (a rename), as editors do.
fn write(dir: &std::path::Path, name: &str, text: &str) {
    let tmp = dir.join(format!("{name}.tmp"));
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, dir.join(name)).expect("rename");
}

#[test]
fn watch_prints_reloads_and_changed_conditions() {
    let dir = temp_dir();
    let demo = include_str!("../../examples/demo.yaml");
    std::fs::write(dir.join("demo.yaml"), demo).expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_trieway"))
        .args(["watch", "--debounce", "50", "--reloads", "3"])
        .arg(&dir)
        .stdout(Stdio::piped())
        .spawn()
        .expect("runs");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut seen = Vec::new();
    let mut until = |prefix: &str| loop {
        match rx.recv_timeout(Duration::from_secs(20)) {
            Ok(line) => {
                seen.push(line.clone());
                if line.starts_with(prefix) {
                    return line;
                }
            }
            Err(_) => {
                let _ = child.kill();
                panic!("no line starting with {prefix:?}; output so far: {seen:#?}");
            }
        }
    };
    assert!(until("serving Gateway").contains("infra/edge"));
    let first = until("reload 1:");
    assert!(
        first.contains("0 applied") && first.contains("unchanged"),
        "{first}"
    );
    write(
        &dir,
        "added.yaml",
        &ROUTE.replace("HOST", "added.example.com"),
    );
    let second = until("reload 2:");
    assert!(second.contains("1 applied"), "{second}");
    let changed = until("  + HTTPRoute default/added");
    assert!(changed.contains("Accepted="), "{changed}");
    write(&dir, "added.yaml", &ROUTE.replace("HOST", "bad_host"));
    let third = until("reload 3:");
    assert!(third.contains("1 rejected"), "{third}");
    let why = until("  rejected:");
    assert!(why.contains("added.yaml#0): spec.hostnames[0]"), "{why}");
    let status = child.wait().expect("exits");
    assert!(status.success());
    let _ = std::fs::remove_dir_all(&dir);
}
