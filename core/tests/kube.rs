//! `trieway::kube` against a real Kubernetes API server (kube-apiserver + etcd built from Go
//! modules by `kube-testenv/start.sh`; no mocks).
//!
//! The tests run when `TRIEWAY_KUBECONFIG` names the kubeconfig `start.sh` printed (`.ci/run`
//! starts the server and sets it); without it each test prints why it is skipped and passes.
//! `TRIEWAY_KUBE_RESTART`, when set, is a shell command that restarts the API server (the
//! restart test needs it: `kube-testenv/start.sh --restart-apiserver DIR`);
//! `TRIEWAY_KUBE_COMPACT_RESTART` likewise restarts it after compacting etcd's history (the
//! 410 test: `kube-testenv/start.sh --compact-restart DIR`).
//!
//! Every test uses its own namespaces and Gateway (`Options::gateway`), so they share the one
//! server; they run one at a time (a lock), since one of them restarts the server. Waiting is
//! polling of the Live router with a deadline: a deadline that passes fails the test, and the
//! measured propagation time is printed (never asserted).
#![cfg(feature = "kube")]

use kube::api::{Api, DeleteParams, DynamicObject, Patch, PatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::discovery::ApiResource;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use trieway::kube::{Event, FollowOptions, Follower};
use trieway::{Live, Options, Outcome, Request};

static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
const DEADLINE: Duration = Duration::from_secs(60);

async fn client() -> Option<kube::Client> {
    let Ok(path) = std::env::var("TRIEWAY_KUBECONFIG") else {
        println!(
            "skipped: TRIEWAY_KUBECONFIG is not set (run kube-testenv/start.sh and set it to \
             the kubeconfig path it prints; .ci/run does)"
        );
        return None;
    };
    let kubeconfig = Kubeconfig::read_from(&path).expect("read TRIEWAY_KUBECONFIG");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &KubeConfigOptions::default())
        .await
        .expect("kubeconfig");
    Some(kube::Client::try_from(config).expect("client"))
}

fn resource(api_version: &str, kind: &str, plural: &str) -> ApiResource {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version: api_version.into(),
        kind: kind.into(),
        plural: plural.into(),
    }
}

fn resource_of(object: &Value) -> ApiResource {
    let api_version = object["apiVersion"].as_str().unwrap();
    let kind = object["kind"].as_str().unwrap();
    let plural = match kind {
        "Namespace" => "namespaces",
        "Service" => "services",
        "Gateway" => "gateways",
        "GatewayClass" => "gatewayclasses",
        "HTTPRoute" => "httproutes",
        "ListenerSet" => "listenersets",
        "ConfigMap" => "configmaps",
        "BackendTLSPolicy" => "backendtlspolicies",
        other => panic!("no plural for {other}"),
    };
    resource(api_version, kind, plural)
}

fn api(client: &kube::Client, object: &Value) -> Api<DynamicObject> {
    let r = resource_of(object);
    match object["metadata"]["namespace"].as_str() {
        Some(ns) => Api::namespaced_with(client.clone(), ns, &r),
        None => Api::all_with(client.clone(), &r),
    }
}

/// Creates or updates `object` (server-side apply, as `kubectl apply --server-side`).
async fn apply(client: &kube::Client, object: Value) -> Result<(), kube::Error> {
    let name = object["metadata"]["name"].as_str().unwrap().to_string();
    let params = PatchParams::apply("trieway-test").force();
    api(client, &object)
        .patch(&name, &params, &Patch::Apply(&object))
        .await
        .map(|_| ())
}

async fn delete(client: &kube::Client, object: Value) {
    let name = object["metadata"]["name"].as_str().unwrap().to_string();
    api(client, &object)
        .delete(&name, &DeleteParams::default())
        .await
        .expect("delete");
}

/// Deletes `object` if it exists (so that a test starts from a known state on a server an
/// earlier run used) and waits until it is gone.
async fn delete_if_exists(client: &kube::Client, object: Value) {
    let name = object["metadata"]["name"].as_str().unwrap().to_string();
    let api = api(client, &object);
    let _ = api.delete(&name, &DeleteParams::default()).await;
    let start = Instant::now();
    while api.get_opt(&name).await.expect("get").is_some() {
        assert!(start.elapsed() < DEADLINE, "{name} not deleted");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})
}

fn gateway(ns: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "edge", "namespace": ns},
        "spec": {"gatewayClassName": "trieway", "listeners": [
            {"name": "http", "port": 80, "protocol": "HTTP"}]},
    })
}

fn service(ns: &str, name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": ns},
        "spec": {"ports": [{"port": 80}]},
    })
}

fn route(ns: &str, name: &str, host: &str, backend: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "parentRefs": [{"name": "edge"}],
            "hostnames": [host],
            "rules": [{"backendRefs": [{"name": backend, "port": 80}]}],
        },
    })
}

/// A Live router for Gateway `ns/edge`, started from a stand-in copy of that Gateway (the
/// cluster's replaces it on the first apply).
fn live(ns: &str) -> Arc<Live> {
    let options = Options {
        gateway: Some(format!("{ns}/edge")),
        ..Options::default()
    };
    let text = serde_json::to_string(&gateway(ns)).unwrap();
    Arc::new(Live::from_yaml(&text, options).expect("stand-in Live"))
}

/// The backend Service `host` routes to now, if any.
fn backend(live: &Live, host: &str) -> Option<String> {
    let snapshot = live.load();
    match snapshot.route(&Request::new("GET", host, "/")) {
        Outcome::Matched(m) => m.backends().first().map(|b| b.name().to_string()),
        _ => None,
    }
}

/// Polls until `backend(live, host) == want`; fails after DEADLINE from `start`. Returns
/// the time since `start`.
async fn until_backend(live: &Live, host: &str, want: Option<&str>, start: Instant) -> Duration {
    loop {
        if backend(live, host).as_deref() == want {
            return start.elapsed();
        }
        assert!(
            start.elapsed() < DEADLINE,
            "{host} still routes to {:?}, not {want:?}, after {DEADLINE:?} (version {})",
            backend(live, host),
            live.version()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

/// Runs the shell command in environment variable `var` (None, with a printed reason, when
/// it is not set); fails the test when the command fails.
async fn run_env_command(var: &str) -> Option<()> {
    let Ok(command) = std::env::var(var) else {
        println!("skipped: {var} is not set (see the top of tests/kube.rs)");
        return None;
    };
    let shown = command.clone();
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("bash")
            .args(["-c", &command])
            .status()
    })
    .await
    .unwrap()
    .unwrap_or_else(|e| panic!("{shown}: {e}"));
    assert!(status.success(), "{shown}: {status}");
    Some(())
}

/// How many complete lists of `kind` the follower reported (initial list and relists).
fn lists(log: &Log, kind: &str) -> usize {
    let prefix = format!("Listed {{ kind: \"{kind}\"");
    log.lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with(&prefix))
        .count()
}

type Log = Arc<Mutex<Vec<String>>>;

/// Starts a follower of the cluster into `live`; its events are logged into the returned log.
fn follow(
    client: &kube::Client,
    live: &Arc<Live>,
) -> (trieway::kube::Ready, Log, tokio::task::JoinHandle<()>) {
    let follower = Follower::new(client.clone(), live.clone(), FollowOptions::default());
    let ready = follower.ready();
    let log: Log = Arc::default();
    let sink = log.clone();
    let task = tokio::spawn(async move {
        follower
            .run(move |event| {
                let line = match event {
                    Event::Applied(result) => result.to_string(),
                    other => format!("{other:?}"),
                };
                sink.lock().unwrap().push(line);
            })
            .await
            .expect("follower");
    });
    (ready, log, task)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn created_updated_and_deleted_objects_route() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "crud";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    apply(&client, service(ns, "one")).await.unwrap();
    apply(&client, service(ns, "two")).await.unwrap();
    let live = live(ns);
    let (mut ready, log, task) = follow(&client, &live);
    assert!(ready.wait().await);

    let created = {
        let start = Instant::now();
        apply(&client, route(ns, "web", "web.example.com", "one"))
            .await
            .unwrap();
        until_backend(&live, "web.example.com", Some("one"), start).await
    };
    let updated = {
        let start = Instant::now();
        apply(&client, route(ns, "web", "web.example.com", "two"))
            .await
            .unwrap();
        until_backend(&live, "web.example.com", Some("two"), start).await
    };
    let renamed = {
        let start = Instant::now();
        apply(&client, route(ns, "web", "www.example.com", "two"))
            .await
            .unwrap();
        until_backend(&live, "www.example.com", Some("two"), start).await
    };
    assert_eq!(
        backend(&live, "web.example.com"),
        None,
        "the old hostname still routes"
    );
    let deleted = {
        let start = Instant::now();
        delete(&client, route(ns, "web", "", "")).await;
        until_backend(&live, "www.example.com", None, start).await
    };
    println!(
        "propagation (API write to changed routing answer): create {created:?}, update \
         {updated:?}, hostname change {renamed:?}, delete {deleted:?}"
    );
    task.abort();
    let log = log.lock().unwrap();
    assert!(log.iter().all(|l| !l.contains("rejected:")), "{log:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nothing_applies_before_every_kind_is_listed() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "ready";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    for i in 0..20 {
        apply(&client, service(ns, &format!("s{i}"))).await.unwrap();
        let r = route(
            ns,
            &format!("r{i}"),
            &format!("h{i}.example.com"),
            &format!("s{i}"),
        );
        apply(&client, r).await.unwrap();
    }
    let live = live(ns);
    let before = live.version();
    let (mut ready, log, task) = follow(&client, &live);
    // Not ready, and nothing published, until the initial lists are all applied ...
    assert!(!ready.is_ready());
    assert!(ready.wait().await);
    // ... and then all of it at once: one published version holding every route.
    assert_eq!(live.version(), before + 1, "{:#?}", log.lock().unwrap());
    for i in 0..20 {
        let want = format!("s{i}");
        assert_eq!(backend(&live, &format!("h{i}.example.com")), Some(want));
    }
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_route_trieway_cannot_serve_leaves_the_rest_applying() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "invalid";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    apply(&client, service(ns, "ok")).await.unwrap();
    let live = live(ns);
    let (mut ready, log, task) = follow(&client, &live);
    assert!(ready.wait().await);
    // Valid for the API server's schema (which checks no regular expression), refused by
    // trieway: a RegularExpression path that does not compile. Its rule is not served and
    // the problem is reported with the route and the field; the rest applies. (Whole-object
    // rejections need an object the API server accepts and trieway's validation refuses;
    // trieway mirrors the CRD rules, so none is known: Live's own tests cover that path.)
    let mut bad = route(ns, "bad", "bad.example.com", "ok");
    bad["spec"]["rules"][0]["matches"] =
        json!([{"path": {"type": "RegularExpression", "value": "/(unclosed"}}]);
    let start = Instant::now();
    apply(&client, bad).await.unwrap();
    apply(&client, route(ns, "good", "good.example.com", "ok"))
        .await
        .unwrap();
    until_backend(&live, "good.example.com", Some("ok"), start).await;
    assert_eq!(backend(&live, "bad.example.com"), None);
    let lines = log.lock().unwrap().clone();
    assert!(
        lines.iter().any(|l| l.contains(
            "warning: HTTPRoute invalid/bad (kube:HTTPRoute invalid/bad#0): \
             spec.rules[0].matches[0].path.value: invalid regular expression"
        )),
        "no report of the invalid route: {lines:#?}"
    );
    assert!(lines.iter().all(|l| !l.contains("rejected:")), "{lines:#?}");
    task.abort();
    // The CLI's tests check the whole cluster, where an object trieway finds invalid counts
    // whatever its Gateway.
    delete(&client, route(ns, "bad", "", "")).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watch_resumes_after_an_api_server_restart() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "restart";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    apply(&client, service(ns, "a")).await.unwrap();
    let live = live(ns);
    let (mut ready, log, task) = follow(&client, &live);
    assert!(ready.wait().await);
    let start = Instant::now();
    apply(&client, route(ns, "before", "before.example.com", "a"))
        .await
        .unwrap();
    until_backend(&live, "before.example.com", Some("a"), start).await;

    if run_env_command("TRIEWAY_KUBE_RESTART").await.is_none() {
        task.abort();
        return;
    }

    // Changes made after the restart reach the same follower (its watches resumed).
    let start = Instant::now();
    apply(&client, route(ns, "after", "after.example.com", "a"))
        .await
        .unwrap();
    let after = until_backend(&live, "after.example.com", Some("a"), start).await;
    let start = Instant::now();
    delete(&client, route(ns, "before", "", "")).await;
    until_backend(&live, "before.example.com", None, start).await;
    println!("after the restart: a new route routed in {after:?}");
    // (kube-apiserver 1.36 answers a watch from a resourceVersion older than its fresh watch
    // cache with 410 Gone, so after a restart the follower relists rather than resumes:
    // either way nothing is lost.)
    let log = log.lock().unwrap();
    assert!(log.iter().all(|l| !l.contains("rejected:")), "{log:#?}");
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_expired_watch_relists_and_converges() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "relist";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    apply(&client, service(ns, "a")).await.unwrap();
    apply(&client, route(ns, "old", "old.example.com", "a"))
        .await
        .unwrap();
    let live = live(ns);
    let (mut ready, log, task) = follow(&client, &live);
    assert!(ready.wait().await);
    until_backend(&live, "old.example.com", Some("a"), Instant::now()).await;
    assert_eq!(lists(&log, "HTTPRoute"), 1);

    // etcd's history is compacted while the API server is down: the follower's watches
    // resume from a resourceVersion that no longer exists, get 410 Gone and relist.
    if run_env_command("TRIEWAY_KUBE_COMPACT_RESTART")
        .await
        .is_none()
    {
        task.abort();
        return;
    }
    let start = Instant::now();
    delete(&client, route(ns, "old", "", "")).await;
    apply(&client, route(ns, "new", "new.example.com", "a"))
        .await
        .unwrap();
    let converged = until_backend(&live, "new.example.com", Some("a"), start).await;
    until_backend(&live, "old.example.com", None, start).await;
    println!("after a compaction (410): converged in {converged:?}");
    assert!(
        lists(&log, "HTTPRoute") >= 2,
        "no relist: {:#?}",
        log.lock().unwrap()
    );
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn route_status_is_written_by_the_lease_holder_only_when_it_changes() {
    use trieway::kube::{StatusOptions, StatusWriter};
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "status";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    apply(&client, service(ns, "a")).await.unwrap();
    apply(&client, route(ns, "web", "status.example.com", "a"))
        .await
        .unwrap();
    // Another controller's entry, which must survive every write.
    let other = json!({
        "parentRef": {"name": "elsewhere"},
        "controllerName": "other.example.com/gateway",
        "conditions": [{"type": "Accepted", "status": "False", "reason": "NotAllowedByListeners",
                        "message": "theirs", "lastTransitionTime": "2026-01-01T00:00:00Z"}],
    });
    let routes: Api<DynamicObject> = Api::namespaced_with(
        client.clone(),
        ns,
        &resource("gateway.networking.k8s.io/v1", "HTTPRoute", "httproutes"),
    );
    let theirs = json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "web", "namespace": ns},
        "status": {"parents": [other.clone()]},
    });
    routes
        .patch_status(
            "web",
            &PatchParams::apply("other").force(),
            &Patch::Apply(&theirs),
        )
        .await
        .unwrap();
    // As stored (the API server defaults parentRef's group and kind).
    let other = routes.get("web").await.unwrap().data["status"]["parents"][0].clone();
    assert_eq!(other["controllerName"], "other.example.com/gateway");

    let live = live(ns);
    let (mut ready, _log, task) = follow(&client, &live);
    assert!(ready.wait().await);
    until_backend(&live, "status.example.com", Some("a"), Instant::now()).await;

    let mut options = StatusOptions::new("trieway.dev/test", "replica-a");
    options.lease_namespace = ns.into();
    let a = StatusWriter::new(client.clone(), live.clone(), options.clone());
    options.identity = "replica-b".into();
    let b = StatusWriter::new(client.clone(), live.clone(), options);

    let first = a.write().await.unwrap();
    assert!(first.leader, "{first:?}");
    // (Routes of the other tests' namespaces attach to their own `edge` Gateways, which this
    // controller serves too: their status is written as well.)
    assert!(
        first.written.iter().any(|r| r == "HTTPRoute status/web"),
        "{first:?}"
    );
    let second = b.write().await.unwrap();
    assert!(!second.leader && second.written.is_empty(), "{second:?}");
    // A resync writes nothing.
    let again = a.write().await.unwrap();
    assert!(
        again.written.is_empty() && again.unchanged >= 1,
        "{again:?}"
    );

    let read = |o: &DynamicObject| -> (i64, Vec<Value>) {
        let parents = o.data["status"]["parents"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        (o.metadata.generation.unwrap_or(0), parents)
    };
    let (generation, parents) = read(&routes.get("web").await.unwrap());
    assert_eq!(parents.len(), 2, "{parents:#?}");
    assert_eq!(parents[0], other, "the other controller's entry changed");
    let ours = &parents[1];
    assert_eq!(ours["controllerName"], "trieway.dev/test");
    assert_eq!(ours["parentRef"]["name"], "edge");
    let accepted = ours["conditions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["type"] == "Accepted")
        .expect("Accepted condition");
    assert_eq!(accepted["status"], "True", "{ours:#}");
    assert_eq!(accepted["observedGeneration"], generation);

    // A spec change (new generation) is written again, with the new observedGeneration.
    let start = Instant::now();
    apply(&client, route(ns, "web", "status2.example.com", "a"))
        .await
        .unwrap();
    until_backend(&live, "status2.example.com", Some("a"), start).await;
    let third = a.write().await.unwrap();
    assert!(
        third.written.iter().any(|r| r == "HTTPRoute status/web"),
        "{third:?}"
    );
    let (generation2, parents) = read(&routes.get("web").await.unwrap());
    assert!(generation2 > generation);
    assert_eq!(
        parents[1]["conditions"][0]["observedGeneration"],
        generation2
    );
    assert_eq!(parents[0], other);
    task.abort();

    // Two writers racing for a free Lease: never both hold it.
    for round in 0..10 {
        let mut options = StatusOptions::new(&format!("trieway.dev/race-{round}"), "a");
        options.lease_namespace = ns.into();
        let a = StatusWriter::new(client.clone(), live.clone(), options.clone());
        options.identity = "b".into();
        let b = StatusWriter::new(client.clone(), live.clone(), options);
        let (x, y) = tokio::join!(a.acquire(), b.acquire());
        let (x, y) = (x.unwrap(), y.unwrap());
        assert!(x != y, "round {round}: a holds {x}, b holds {y}");
    }
}

/// ConfigMap `ns/ca` holding `pem` as `ca.crt`.
fn config_map(ns: &str, pem: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": {"name": "ca", "namespace": ns}, "data": {"ca.crt": pem},
    })
}

fn listener_set(ns: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "ListenerSet",
        "metadata": {"name": "extra", "namespace": ns},
        "spec": {"parentRef": {"name": "edge"}, "listeners": [
            {"name": "alt", "port": 8080, "protocol": "HTTP"}]},
    })
}

/// A GatewayClass `name` of controller `controller`.
fn gateway_class(name: &str, controller: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "GatewayClass",
        "metadata": {"name": name}, "spec": {"controllerName": controller},
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_empty_live_serves_nothing_until_the_clusters_gateway_builds() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "empty";
    apply(&client, namespace(ns)).await.unwrap();
    delete_if_exists(&client, gateway(ns)).await;
    apply(&client, service(ns, "a")).await.unwrap();
    apply(&client, route(ns, "web", "empty.example.com", "a"))
        .await
        .unwrap();
    let live = Arc::new(Live::empty(Options {
        gateway: Some(format!("{ns}/edge")),
        ..Options::default()
    }));
    let (ready, log, task) = follow(&client, &live);
    // Every kind gets listed, but without the Gateway no Router builds: not ready, 404.
    let start = Instant::now();
    while lists(&log, "HTTPRoute") == 0 || lists(&log, "ConfigMap") == 0 {
        assert!(start.elapsed() < DEADLINE, "{:#?}", log.lock().unwrap());
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert!(!ready.is_ready(), "{:#?}", log.lock().unwrap());
    assert_eq!(live.version(), 0);
    assert_eq!(backend(&live, "empty.example.com"), None);
    // The Gateway arrives: the pending objects build with it, and the follower is ready.
    let start = Instant::now();
    apply(&client, gateway(ns)).await.unwrap();
    let took = until_backend(&live, "empty.example.com", Some("a"), start).await;
    let mut ready = ready;
    assert!(ready.wait().await);
    assert_eq!(live.version(), 1, "{:#?}", log.lock().unwrap());
    println!("empty Live: first Router {took:?} after the Gateway was created");
    // The experimental kind is followed too (its CRD is installed by start.sh).
    assert!(
        lists(&log, "XBackendTrafficPolicy") >= 1,
        "{:#?}",
        log.lock().unwrap()
    );
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_ca_configmap_resolves_a_backend_tls_policy() {
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "configmap";
    apply(&client, namespace(ns)).await.unwrap();
    apply(&client, gateway(ns)).await.unwrap();
    apply(&client, service(ns, "a")).await.unwrap();
    apply(&client, route(ns, "web", "cm.example.com", "a"))
        .await
        .unwrap();
    apply(
        &client,
        json!({
            "apiVersion": "gateway.networking.k8s.io/v1", "kind": "BackendTLSPolicy",
            "metadata": {"name": "tls", "namespace": ns},
            "spec": {
                "targetRefs": [{"group": "", "kind": "Service", "name": "a"}],
                "validation": {
                    "caCertificateRefs": [{"group": "", "kind": "ConfigMap", "name": "ca"}],
                    "hostname": "a.example.com",
                },
            },
        }),
    )
    .await
    .unwrap();
    delete_if_exists(&client, config_map(ns, "")).await;
    let live = live(ns);
    let (mut ready, _log, task) = follow(&client, &live);
    assert!(ready.wait().await);
    let resolved = |live: &Live| {
        live.load()
            .report()
            .backend_tls_policy(ns, "tls", &format!("{ns}/edge"))
            .and_then(|p| trieway::Condition::find(&p.conditions, "ResolvedRefs"))
            .map(|c| c.status.clone())
    };
    assert_eq!(resolved(&live).as_deref(), Some("False"));
    let pem = rcgen::generate_simple_self_signed(vec!["a.example.com".to_string()])
        .unwrap()
        .cert
        .pem();
    let start = Instant::now();
    apply(&client, config_map(ns, &pem)).await.unwrap();
    while resolved(&live).as_deref() != Some("True") {
        assert!(
            start.elapsed() < DEADLINE,
            "ResolvedRefs {:?}",
            resolved(&live)
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_and_listener_set_status_is_written_for_this_controller_only() {
    use trieway::kube::{StatusOptions, StatusWriter};
    let _serial = SERIAL.lock().await;
    let Some(client) = client().await else { return };
    let ns = "gwstatus";
    let controller = "trieway.dev/gwstatus";
    apply(&client, namespace(ns)).await.unwrap();
    delete_if_exists(&client, gateway_class("gwstatus-ours", controller)).await;
    apply(&client, gateway_class("gwstatus-ours", controller))
        .await
        .unwrap();
    apply(
        &client,
        gateway_class("gwstatus-theirs", "other.example.com/c"),
    )
    .await
    .unwrap();
    // Fresh objects: no status from an earlier run on the same server.
    delete_if_exists(&client, listener_set(ns)).await;
    delete_if_exists(&client, gateway(ns)).await;
    let mut ours = gateway(ns);
    ours["spec"]["gatewayClassName"] = json!("gwstatus-ours");
    ours["spec"]["allowedListeners"] = json!({"namespaces": {"from": "Same"}});
    apply(&client, ours).await.unwrap();
    let mut theirs = gateway(ns);
    theirs["metadata"]["name"] = json!("theirs");
    theirs["spec"]["gatewayClassName"] = json!("gwstatus-theirs");
    apply(&client, theirs).await.unwrap();
    apply(&client, service(ns, "a")).await.unwrap();
    apply(&client, route(ns, "web", "gw.example.com", "a"))
        .await
        .unwrap();
    apply(&client, listener_set(ns)).await.unwrap();
    // Serves every Gateway (no controller in the Options): the writer still writes only
    // the Gateways of its own controller.
    let live = live(ns);
    let (mut ready, _log, task) = follow(&client, &live);
    assert!(ready.wait().await);
    until_backend(&live, "gw.example.com", Some("a"), Instant::now()).await;
    let start = Instant::now();
    while live.load().report().listener_set(ns, "extra").is_none() {
        assert!(start.elapsed() < DEADLINE);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    let mut options = StatusOptions::new(controller, "replica-a");
    options.lease_namespace = ns.into();
    options.gateway_addresses = vec!["10.0.0.7".into()];
    let writer = StatusWriter::new(client.clone(), live.clone(), options);
    let first = writer.write().await.unwrap();
    assert!(first.failed.is_empty(), "{first:?}");
    for written in [
        format!("Gateway {ns}/edge"),
        format!("ListenerSet {ns}/extra"),
    ] {
        assert!(first.written.contains(&written), "{written}: {first:?}");
    }
    assert!(
        !first.written.contains(&format!("Gateway {ns}/theirs")),
        "{first:?}"
    );
    // A resync writes nothing.
    let again = writer.write().await.unwrap();
    assert!(
        again.written.is_empty() && again.failed.is_empty() && again.unchanged >= 3,
        "{again:?}"
    );

    let get = |kind: &str, name: &str| {
        let object = json!({"apiVersion": "gateway.networking.k8s.io/v1", "kind": kind,
                            "metadata": {"name": name, "namespace": ns}});
        let api = api(&client, &object);
        let name = name.to_string();
        async move { api.get(&name).await.unwrap() }
    };
    let gw = get("Gateway", "edge").await;
    let generation = gw.metadata.generation.unwrap();
    let status = &gw.data["status"];
    let condition = |conditions: &Value, kind: &str| -> Value {
        conditions
            .as_array()
            .and_then(|cs| cs.iter().find(|c| c["type"] == kind).cloned())
            .unwrap_or_else(|| panic!("no {kind} in {conditions:#}"))
    };
    for kind in ["Accepted", "Programmed"] {
        let c = condition(&status["conditions"], kind);
        assert_eq!(c["status"], "True", "{status:#}");
        assert_eq!(c["observedGeneration"], generation);
    }
    assert_eq!(
        status["addresses"],
        json!([{"type": "IPAddress", "value": "10.0.0.7"}])
    );
    assert_eq!(status["attachedListenerSets"], 1, "{status:#}");
    let listeners = status["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 1, "{status:#}");
    assert_eq!(listeners[0]["name"], "http");
    assert_eq!(listeners[0]["attachedRoutes"], 1, "{status:#}");
    assert_eq!(
        listeners[0]["supportedKinds"][0]["kind"], "HTTPRoute",
        "{status:#}"
    );
    assert_eq!(
        condition(&listeners[0]["conditions"], "Programmed")["status"],
        "True"
    );

    let set = get("ListenerSet", "extra").await;
    let status = &set.data["status"];
    assert_eq!(
        condition(&status["conditions"], "Accepted")["status"],
        "True",
        "{status:#}"
    );
    assert_eq!(status["listeners"][0]["name"], "alt", "{status:#}");

    // The GatewayClass of this controller too; the other one keeps the API server's default.
    let classes: Api<DynamicObject> = Api::all_with(
        client.clone(),
        &resource(
            "gateway.networking.k8s.io/v1",
            "GatewayClass",
            "gatewayclasses",
        ),
    );
    let class = classes.get("gwstatus-ours").await.unwrap();
    let accepted = condition(&class.data["status"]["conditions"], "Accepted");
    assert_eq!(accepted["status"], "True", "{:#}", class.data["status"]);
    assert_eq!(
        accepted["observedGeneration"],
        class.metadata.generation.unwrap()
    );
    let other = classes.get("gwstatus-theirs").await.unwrap();
    let accepted = condition(&other.data["status"]["conditions"], "Accepted");
    assert_ne!(accepted["status"], "True", "{:#}", other.data["status"]);

    let theirs = get("Gateway", "theirs").await;
    assert!(
        theirs.data["status"]["listeners"].is_null(),
        "another controller's Gateway got status: {:#}",
        theirs.data["status"]
    );

    // A new listener (new generation): written again, observedGeneration follows.
    let mut changed = gateway(ns);
    changed["spec"]["gatewayClassName"] = json!("gwstatus-ours");
    changed["spec"]["allowedListeners"] = json!({"namespaces": {"from": "Same"}});
    changed["spec"]["listeners"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "more", "port": 81, "protocol": "HTTP"}));
    apply(&client, changed).await.unwrap();
    let start = Instant::now();
    while live
        .load()
        .report()
        .listener(&format!("{ns}/edge"), None, "more")
        .is_none()
    {
        assert!(start.elapsed() < DEADLINE);
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let third = writer.write().await.unwrap();
    assert!(
        third.written.contains(&format!("Gateway {ns}/edge")),
        "{third:?}"
    );
    let gw = get("Gateway", "edge").await;
    let listeners = gw.data["status"]["listeners"].as_array().unwrap();
    assert_eq!(listeners.len(), 2, "{:#}", gw.data["status"]);
    assert_eq!(
        condition(&gw.data["status"]["conditions"], "Accepted")["observedGeneration"],
        gw.metadata.generation.unwrap()
    );
    task.abort();
}
