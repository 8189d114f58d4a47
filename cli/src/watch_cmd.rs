//! `trieway watch`: serve a directory's configuration with a live router and print what each
//! reload did and which status conditions changed.

use crate::args::{Arg, Parser, UsageError};
use crate::{out, Failure, Status};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::mpsc::channel;
use std::sync::Arc;
use std::time::Duration;
use trieway::{Condition, Config, Live, Options, Report, UnknownFields, WatchOptions};

/// `trieway watch --help`.
pub const HELP: &str = "\
Usage: trieway watch [OPTIONS] FILE|DIR...
       trieway watch [OPTIONS] --kubeconfig PATH | --in-cluster

Load every FILE (for a DIR, every .yaml, .yml and .json file below it), build the router of
its Gateway, then watch the files: each time some change (after a quiet time, --debounce),
reload the changed files as one change set and print a summary (objects applied, unchanged,
rejected with their errors; files that do not parse) and the status conditions that changed
(`+` now, `-` before). An invalid object is rejected and its previous version keeps serving.
Stop with Ctrl-C.

With --kubeconfig or --in-cluster (feature `kube`), follow the cluster's objects instead: the
router starts empty; print each kind's list, each applied change set (a reload) with the
conditions it changed, when the router is ready (every kind listed and the Gateway built),
and watch errors (retried).

Options:
      --gateway NS/NAME  The Gateway to serve when the configuration has several
      --controller NAME  Serve only Gateways whose GatewayClass has this controllerName
      --unknown-fields POLICY
                         error (default: the object is rejected), warn or ignore
      --debounce MS      Quiet time after the last file event before a reload [default: 200]
      --reloads N        Exit after N reloads (the first read counts as one)
      --kubeconfig PATH  Read the objects of the cluster of this kubeconfig (its current
                         context) instead of files (feature kube)
      --in-cluster       Likewise, with the pod's service account (in-cluster config)
  -h, --help             Print help

Exit status:
  0  stopped after --reloads
  2  usage error, a path that cannot be read or watched, or no Gateway to serve at the start
";

#[derive(Debug)]
struct Opts {
    paths: Vec<PathBuf>,
    gateway: Option<String>,
    controller: Option<String>,
    unknown_fields: UnknownFields,
    debounce: Duration,
    reloads: Option<usize>,
    cluster: Option<crate::kube_cmd::Cluster>,
}

fn parse(mut p: Parser) -> Result<Option<Opts>, UsageError> {
    let mut o = Opts {
        paths: Vec::new(),
        gateway: None,
        controller: None,
        unknown_fields: UnknownFields::Error,
        debounce: Duration::from_millis(200),
        reloads: None,
        cluster: None,
    };
    let number = |p: &mut Parser, arg: &Arg| -> Result<u64, UsageError> {
        let v = p.string(arg)?;
        v.parse()
            .map_err(|_| UsageError(format!("{arg}: expected a number, found '{v}'")))
    };
    while let Some(arg) = p.next_arg()? {
        if crate::kube_cmd::parse_arg(&mut p, &arg, &mut o.cluster)? {
            continue;
        }
        match &arg {
            Arg::Short('h') => return Ok(None),
            Arg::Long(n) if n == "help" => return Ok(None),
            Arg::Long(n) if n == "gateway" => o.gateway = Some(p.string(&arg)?),
            Arg::Long(n) if n == "controller" => o.controller = Some(p.controller(&arg)?),
            Arg::Long(n) if n == "unknown-fields" => o.unknown_fields = p.unknown_fields(&arg)?,
            Arg::Long(n) if n == "debounce" => {
                o.debounce = Duration::from_millis(number(&mut p, &arg)?)
            }
            Arg::Long(n) if n == "reloads" => {
                o.reloads = Some(usize::try_from(number(&mut p, &arg)?).unwrap_or(usize::MAX))
            }
            Arg::Value(v) => o.paths.push(PathBuf::from(v)),
            _ => return Err(arg.unexpected()),
        }
    }
    match (&o.cluster, o.paths.is_empty()) {
        (None, true) => return Err(UsageError("no FILE or DIR to watch".into())),
        (Some(_), false) => {
            return Err(UsageError(
                "give FILEs or a cluster (--kubeconfig, --in-cluster), not both".into(),
            ))
        }
        _ => {}
    }
    Ok(Some(o))
}

/// One line per status condition of the report: `HTTPRoute ns/name -> Gateway ns/gw:
/// Accepted=True (Accepted)`, so that two reports can be compared line by line.
pub fn condition_lines(report: &Report) -> BTreeSet<String> {
    let mut lines = BTreeSet::new();
    let mut add = |what: String, conditions: &[Condition]| {
        for c in conditions {
            lines.insert(format!(
                "{what}: {}={} ({}) {}",
                c.kind, c.status, c.reason, c.message
            ));
        }
    };
    for r in &report.routes {
        for p in r.parents.iter() {
            let section = p
                .section_name
                .as_deref()
                .map(|s| format!(" section {s}"))
                .unwrap_or_default();
            add(
                format!(
                    "{} {}/{} -> {} {}{section}",
                    r.kind, r.namespace, r.name, p.parent_kind, p.parent
                ),
                &p.conditions,
            );
        }
    }
    for l in &report.listeners {
        let set = l
            .listener_set
            .as_deref()
            .map(|s| format!(" (ListenerSet {s})"))
            .unwrap_or_default();
        add(
            format!("listener {}/{}{set}", l.gateway, l.name),
            &l.conditions,
        );
    }
    for (kind, list) in [
        ("GatewayClass", &report.gateway_classes),
        ("Gateway", &report.gateways),
        ("ListenerSet", &report.listener_sets),
    ] {
        for o in list {
            let key = if o.namespace.is_empty() {
                o.name.clone()
            } else {
                format!("{}/{}", o.namespace, o.name)
            };
            add(format!("{kind} {key}"), &o.conditions);
        }
    }
    lines
}

/// Runs `trieway watch`.
pub fn run(p: Parser) -> Result<Status, Failure> {
    let Some(o) = parse(p)? else {
        out(HELP);
        return Ok(Status::Ok);
    };
    if let Some(cluster) = &o.cluster {
        let options = Options {
            gateway: o.gateway.clone(),
            controller_name: o.controller.clone(),
            unknown_fields: o.unknown_fields,
            ..Options::default()
        };
        return crate::kube_cmd::watch(cluster, options, o.reloads);
    }
    // The canonical paths, as the watcher reads them: the first reload then finds every
    // object unchanged.
    let mut paths = Vec::new();
    for p in &o.paths {
        let canonical = p
            .canonicalize()
            .map_err(|e| Failure::Other(format!("{}: {e}", p.display())))?;
        paths.push(canonical);
    }
    let mut builder = Config::builder().with_unknown_fields(o.unknown_fields);
    for p in &paths {
        builder
            .add_path(p)
            .map_err(|e| Failure::Other(e.to_string()))?;
    }
    let config = builder.finish();
    for e in config.errors() {
        out(&format!("error: {e}\n"));
    }
    let options = Options {
        gateway: o.gateway.clone(),
        controller_name: o.controller.clone(),
        unknown_fields: o.unknown_fields,
        ..Options::default()
    };
    let live = Arc::new(Live::new(config, options).map_err(|e| Failure::Other(e.to_string()))?);
    out(&format!(
        "serving Gateway {} (version {}); watching {}\n",
        live.load().gateway(),
        live.version(),
        paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let (tx, rx) = channel();
    let _watcher = live
        .watch(
            &paths,
            WatchOptions::default().debounce(o.debounce),
            move |r| {
                let _ = tx.send(r);
            },
        )
        .map_err(|e| Failure::Other(e.to_string()))?;
    let mut conditions = condition_lines(live.load().report());
    let mut count = 0;
    while let Ok(reload) = rx.recv() {
        count += 1;
        let mut text = format!("reload {count}: {reload}\n");
        let now = condition_lines(live.load().report());
        for line in conditions.difference(&now) {
            text.push_str(&format!("  - {line}\n"));
        }
        for line in now.difference(&conditions) {
            text.push_str(&format!("  + {line}\n"));
        }
        conditions = now;
        out(&text);
        if o.reloads.is_some_and(|n| count >= n) {
            break;
        }
    }
    Ok(Status::Ok)
}
