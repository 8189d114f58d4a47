//! Attach and compile time of one Gateway with many ListenerSets (issue #15 finding 4).
//!
//! `cargo run --release -p trieway --example listener_sets_scale -- [SETS] [LISTENERS]`
//! (default 1000 ListenerSets of 64 HTTP listeners on port 80, distinct hostnames).

use std::fmt::Write as _;
use std::time::Instant;
use trieway::{Condition, Config, Options, Report, Router};

fn main() {
    let mut args = std::env::args().skip(1);
    let sets: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let per: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(64);
    let mut yaml = String::from(
        "apiVersion: gateway.networking.k8s.io/v1\nkind: Gateway\n\
         metadata: {name: gw, namespace: infra}\nspec:\n  gatewayClassName: any\n  \
         allowedListeners: {namespaces: {from: All}}\n  listeners:\n  \
         - {name: http, port: 80, protocol: HTTP}\n",
    );
    for s in 0..sets {
        let _ = write!(
            yaml,
            "---\napiVersion: gateway.networking.k8s.io/v1\nkind: ListenerSet\n\
             metadata: {{name: s{s}, namespace: t{}}}\nspec:\n  \
             parentRef: {{name: gw, namespace: infra}}\n  listeners:\n",
            s % 10
        );
        for i in 0..per {
            let _ = writeln!(
                yaml,
                "  - {{name: l{i}, port: 80, protocol: HTTP, hostname: h{s}-{i}.example.com}}"
            );
        }
    }
    println!(
        "{sets} ListenerSets x {per} listeners, {:.1} MB of YAML",
        yaml.len() as f64 / 1e6
    );
    let t = Instant::now();
    let config = Config::from_str(&yaml);
    println!("load:            {:>8.3} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let report = Report::attach(&config, None);
    println!("attach:          {:>8.3} s", t.elapsed().as_secs_f64());
    // A listener carries traffic exactly when it is Programmed.
    let usable = report
        .listeners
        .iter()
        .filter(|l| Condition::find(&l.conditions, "Programmed").is_some_and(Condition::is_true))
        .count();
    let t = Instant::now();
    let router = Router::new(&config, Options::default());
    println!("attach+compile:  {:>8.3} s", t.elapsed().as_secs_f64());
    println!(
        "{usable} usable listeners; router: {}",
        if router.is_ok() { "ok" } else { "error" }
    );
}
