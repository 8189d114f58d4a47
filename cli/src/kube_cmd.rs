//! `--kubeconfig PATH` / `--in-cluster` for `trieway check` and `trieway watch`: the objects
//! of a live cluster instead of files (feature `kube`; without it these options fail with a
//! message saying so).

use crate::args::{Arg, Parser, UsageError};
#[cfg(not(feature = "kube"))]
use crate::Failure;
use std::path::PathBuf;

/// Which cluster to read.
#[derive(Debug, Clone)]
pub enum Cluster {
    /// The current context of this kubeconfig file.
    Kubeconfig(PathBuf),
    /// The pod's service account (`KUBERNETES_SERVICE_HOST`, the mounted token and CA).
    InCluster,
}

impl Cluster {
    /// How the output names the source: `cluster (kubeconfig PATH)` or `cluster (in-cluster
    /// config)`.
    pub fn describe(&self) -> String {
        match self {
            Cluster::Kubeconfig(path) => format!("cluster (kubeconfig {})", path.display()),
            Cluster::InCluster => "cluster (in-cluster config)".to_string(),
        }
    }
}

/// Takes `--kubeconfig PATH` or `--in-cluster` into `cluster`: `Ok(true)` when `arg` was one
/// of them.
pub fn parse_arg(
    p: &mut Parser,
    arg: &Arg,
    cluster: &mut Option<Cluster>,
) -> Result<bool, UsageError> {
    let chosen = match arg {
        Arg::Long(n) if n == "kubeconfig" => Cluster::Kubeconfig(PathBuf::from(p.value(arg)?)),
        Arg::Long(n) if n == "in-cluster" => Cluster::InCluster,
        _ => return Ok(false),
    };
    if cluster.is_some() {
        return Err(UsageError(
            "give --kubeconfig or --in-cluster once, not both".into(),
        ));
    }
    *cluster = Some(chosen);
    Ok(true)
}

#[cfg(not(feature = "kube"))]
fn unsupported() -> Failure {
    Failure::Other(
        "this trieway was built without the `kube` feature: --kubeconfig and --in-cluster \
         are not available (cargo install trieway-cli --features kube)"
            .into(),
    )
}

/// Lists the cluster's objects once into a configuration (unknown fields as `policy`), with
/// the kinds the API server does not serve (`group/kind`).
#[cfg(not(feature = "kube"))]
pub fn load(
    _cluster: &Cluster,
    _policy: trieway::UnknownFields,
) -> Result<(trieway::Config, Vec<String>), Failure> {
    Err(unsupported())
}

/// Follows the cluster into a live router and prints what happens (see `trieway watch`).
#[cfg(not(feature = "kube"))]
pub fn watch(
    _cluster: &Cluster,
    _options: trieway::Options,
    _changes: Option<usize>,
) -> Result<crate::Status, Failure> {
    Err(unsupported())
}

#[cfg(feature = "kube")]
pub use with_kube::{load, watch};

#[cfg(feature = "kube")]
mod with_kube {
    use super::Cluster;
    use crate::{out, watch_cmd, Failure, Status};
    use std::sync::Arc;
    use trieway::kube::{Event, FollowOptions, Follower};
    use trieway::{Change, Config, Live, Options, UnknownFields};

    fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))
    }

    async fn client(cluster: &Cluster) -> Result<kube::Client, Failure> {
        let config = match cluster {
            Cluster::Kubeconfig(path) => {
                let kubeconfig = kube::config::Kubeconfig::read_from(path)
                    .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?;
                kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
                    .await
                    .map_err(|e| Failure::Other(format!("{}: {e}", path.display())))?
            }
            Cluster::InCluster => kube::Config::incluster()
                .map_err(|e| Failure::Other(format!("in-cluster config: {e}")))?,
        };
        kube::Client::try_from(config)
            .map_err(|e| Failure::Other(format!("{}: {e}", cluster.describe())))
    }

    /// Lists the cluster's objects once into a configuration (unknown fields as `policy`),
    /// with the kinds the API server does not serve (`group/kind`).
    pub fn load(
        cluster: &Cluster,
        policy: UnknownFields,
    ) -> Result<(Config, Vec<String>), Failure> {
        let listing = runtime()?.block_on(async {
            let client = client(cluster).await?;
            trieway::kube::list(&client, &FollowOptions::default())
                .await
                .map_err(|e| Failure::Other(format!("{}: {e}", cluster.describe())))
        })?;
        let mut builder = Config::builder().with_unknown_fields(policy);
        for change in listing.changes {
            if let Change::Upsert { object, origin } = change {
                builder.add_value(object, &origin.file, origin.index);
            }
        }
        Ok((builder.finish(), listing.skipped))
    }

    /// Follows the cluster into a live router that starts empty; prints each list, each
    /// applied change set with the status conditions it changed, readiness and watch errors;
    /// returns after `changes` change sets (else runs until killed).
    pub fn watch(
        cluster: &Cluster,
        options: Options,
        changes: Option<usize>,
    ) -> Result<Status, Failure> {
        let runtime = runtime()?;
        runtime.block_on(async {
            let client = client(cluster).await?;
            let live = Arc::new(Live::empty(options));
            let follower = Follower::new(client, live.clone(), FollowOptions::default());
            out(&format!(
                "following {} (nothing is served until every kind is listed and a Gateway \
                 builds)\n",
                cluster.describe()
            ));
            let (done, mut stop) = tokio::sync::watch::channel(false);
            let mut conditions = watch_cmd::condition_lines(live.load().report());
            let mut count = 0;
            let report = move |event: Event<'_>| match event {
                Event::Applied(result) => {
                    count += 1;
                    let mut text = format!("change {count}: {result}\n");
                    let now = watch_cmd::condition_lines(live.load().report());
                    for line in conditions.difference(&now) {
                        text.push_str(&format!("  - {line}\n"));
                    }
                    for line in now.difference(&conditions) {
                        text.push_str(&format!("  + {line}\n"));
                    }
                    conditions = now;
                    out(&text);
                    if changes.is_some_and(|n| count >= n) {
                        done.send_replace(true);
                    }
                }
                Event::Ready => {
                    let snapshot = live.load();
                    out(&format!(
                        "ready: serving Gateway {} (version {})\n",
                        snapshot.gateway(),
                        snapshot.version()
                    ));
                }
                Event::Listed { kind, objects } => out(&format!("listed {kind}: {objects}\n")),
                Event::Skipped { kind } => {
                    out(&format!("skipped {kind}: not served by the API server\n"))
                }
                Event::WatchError { kind, error } => {
                    out(&format!("watch error ({kind}), retrying: {error}\n"))
                }
                other => out(&format!("{other:?}\n")),
            };
            tokio::select! {
                result = follower.run(report) => {
                    result.map_err(|e| Failure::Other(format!("{}: {e}", cluster.describe())))?;
                }
                _ = stop.wait_for(|done| *done) => {}
            }
            Ok(Status::Ok)
        })
    }
}
