//! Starting and stopping the proxy: one tokio listener per Gateway listener port, the admin
//! port, hot reload from the configuration files, graceful shutdown.

use crate::backends::{BackendOverride, Endpoints};
use crate::certs::CertTable;
use crate::http::{self as proxy_http, ConnInfo, UpstreamBody};
use crate::metrics::ProxyMetrics;
use arc_swap::ArcSwap;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::{GracefulShutdown, Watcher as GracefulWatcher};
use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{watch, Semaphore};
use tokio::task::JoinHandle;
use trieway::model::{Listener, ProtocolType};
use trieway::{Config, Live, Options, Router, WatchOptions};

/// How the proxy runs. [`ProxyOptions::new`] gives the defaults for a configuration path.
#[derive(Debug, Clone)]
pub struct ProxyOptions {
    /// Configuration file or directory (YAML/JSON Gateway API objects).
    pub config: PathBuf,
    /// `--backend NS/NAME[:PORT]=ADDR` mappings; they win over EndpointSlices.
    pub backends: Vec<BackendOverride>,
    /// The address listeners bind (default `0.0.0.0`).
    pub listen_ip: IpAddr,
    /// Added to every listener port when binding (`--port-offset`, to run unprivileged).
    pub port_offset: i32,
    /// Bind every listener on a free port chosen by the system (tests); the bound addresses
    /// are in [`RunningProxy::addr`].
    pub ephemeral_ports: bool,
    /// The admin port's address (`/metrics`, `/ready`, `/config`); `None`: no admin port.
    pub admin_addr: Option<SocketAddr>,
    /// Reload the configuration when its files change.
    pub watch: bool,
    /// Quiet time before a reload.
    pub debounce: Duration,
    /// The Gateway to serve (`namespace/name`) when the configuration has several.
    pub gateway: Option<String>,
    /// Largest request head (HTTP/1.1 buffer, HTTP/2 header list), bytes; over it: 431.
    pub max_header_bytes: usize,
    /// Largest request body, bytes; over it: 413.
    pub max_body_bytes: usize,
    /// Most client connections open at once; over it a connection is answered 503 and closed.
    pub max_connections: usize,
    /// Most mirrored requests in flight; over it a mirror is dropped (and counted).
    pub max_mirrors_in_flight: usize,
    /// Time a client has to send a request head.
    pub header_read_timeout: Duration,
    /// Retries when a rule's `retry` gives no `attempts`.
    pub default_retry_attempts: u32,
    /// Wait between tries when a rule's `retry` gives no `backoff`.
    pub default_retry_backoff: Duration,
    /// On shutdown, how long in-flight requests may take to finish.
    pub drain_timeout: Duration,
    /// Print one access log line per request on stderr.
    pub access_log: bool,
    /// Send the access log lines here instead of stderr (tests, or an embedder's logger).
    pub access_log_sink: Option<std::sync::mpsc::Sender<String>>,
}

impl ProxyOptions {
    /// The defaults for a configuration path.
    pub fn new(config: impl Into<PathBuf>) -> ProxyOptions {
        ProxyOptions {
            config: config.into(),
            backends: Vec::new(),
            listen_ip: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            port_offset: 0,
            ephemeral_ports: false,
            admin_addr: None,
            watch: true,
            debounce: Duration::from_millis(200),
            gateway: None,
            max_header_bytes: 16 * 1024,
            max_body_bytes: 8 * 1024 * 1024,
            max_connections: 10_000,
            max_mirrors_in_flight: 64,
            header_read_timeout: Duration::from_secs(10),
            default_retry_attempts: 1,
            default_retry_backoff: Duration::from_millis(25),
            drain_timeout: Duration::from_secs(30),
            access_log: true,
            access_log_sink: None,
        }
    }
}

/// State every connection and request shares.
#[derive(Debug)]
pub struct Shared {
    /// The routing handle: one atomic load per request.
    pub live: Arc<Live>,
    /// Backend endpoints of the current configuration.
    pub endpoints: ArcSwap<Endpoints>,
    /// Listener certificates of the current configuration.
    pub certs: Arc<ArcSwap<CertTable>>,
    /// The proxy's metrics.
    pub metrics: ProxyMetrics,
    /// How the proxy runs.
    pub options: ProxyOptions,
    /// Mirrors in flight.
    pub mirror_slots: Arc<Semaphore>,
    /// Client connections open.
    pub conn_slots: Arc<Semaphore>,
    /// Set once every listener is bound and the first configuration is loaded.
    pub ready: AtomicBool,
    /// What the last reload did, for `/ready` and logs.
    pub last_reload: Mutex<String>,
    /// rustls server configurations by (listener port, ALPN offered).
    pub tls_configs: Mutex<HashMap<(u16, bool), Arc<rustls::ServerConfig>>>,
    /// TLS client configurations for BackendTLSPolicy backends.
    pub upstream_tls: crate::upstream_tls::UpstreamTls,
    h1: Client<HttpConnector, UpstreamBody>,
    /// HTTP/2 with prior knowledge (h2c) for gRPC and `appProtocol: kubernetes.io/h2c`
    /// backends: one connection per endpoint.
    pub h2: crate::h2pool::H2Pool,
}

impl Shared {
    /// The pooled HTTP/1.1 upstream client (HTTP/2 backends: [`Shared::h2`]).
    pub fn client(&self) -> &Client<HttpConnector, UpstreamBody> {
        &self.h1
    }

    /// Rebuilds what derives from the configuration (endpoints, certificates) after a reload.
    pub fn refresh(&self) {
        let config = self.live.config();
        self.endpoints
            .store(Arc::new(Endpoints::new(&config, &self.options.backends)));
        let snapshot = self.live.load();
        let router = snapshot.router();
        let (table, problems) = CertTable::load(router);
        for p in problems {
            eprintln!("trieway-proxy: {p}");
        }
        self.certs.store(Arc::new(table));
        // The rustls configurations carry the ports' client-certificate verifiers: rebuilt
        // on the next handshake from the new table.
        if let Ok(mut m) = self.tls_configs.lock() {
            m.clear();
        }
    }
}

/// What one port of the Gateway serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PortKind {
    Http,
    Tls,
    Tcp,
    Udp,
}

/// The entry point: [`Proxy::start`].
#[derive(Debug)]
pub struct Proxy;

/// A running proxy.
#[derive(Debug)]
pub struct RunningProxy {
    shared: Arc<Shared>,
    binder: Arc<Binder>,
    binder_task: Option<JoinHandle<()>>,
    admin: Option<SocketAddr>,
    stop: watch::Sender<bool>,
    admin_stop: watch::Sender<bool>,
    admin_task: Option<JoinHandle<()>>,
    graceful: Arc<Mutex<Option<GracefulShutdown>>>,
    watcher: Option<trieway::Watcher>,
}

impl RunningProxy {
    /// The bound address of the Gateway listener port `port` (TCP; HTTP, TLS or TCP).
    pub fn addr(&self, port: u16) -> Option<SocketAddr> {
        self.binder.addr(port, false)
    }
    /// The bound UDP address of the Gateway listener port `port`.
    pub fn udp_addr(&self, port: u16) -> Option<SocketAddr> {
        self.binder.addr(port, true)
    }
    /// The admin port's bound address.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin
    }
    /// The routing handle (to apply changes in code, as a controller would).
    pub fn live(&self) -> &Arc<Live> {
        &self.shared.live
    }
    /// The shared state.
    pub fn shared(&self) -> &Arc<Shared> {
        &self.shared
    }

    /// Stops accepting, lets in-flight requests finish (at most
    /// [`ProxyOptions::drain_timeout`]), then returns. The admin port stays up while
    /// requests drain, `/ready` answering 503.
    pub async fn shutdown(mut self) {
        self.shared.ready.store(false, Ordering::SeqCst);
        let _ = self.stop.send(true);
        if let Some(t) = self.binder_task.take() {
            let _ = t.await;
        }
        let tasks = self
            .binder
            .tasks
            .lock()
            .map(|mut t| std::mem::take(&mut *t))
            .unwrap_or_default();
        for t in tasks {
            let _ = t.await;
        }
        if let Some(w) = self.watcher.take() {
            // Joining the watcher thread blocks: off the runtime's workers.
            let _ = tokio::task::spawn_blocking(move || w.stop()).await;
        }
        let graceful = self.graceful.lock().ok().and_then(|mut g| g.take());
        if let Some(g) = graceful {
            let _ = tokio::time::timeout(self.shared.options.drain_timeout, g.shutdown()).await;
        }
        let _ = self.admin_stop.send(true);
        if let Some(t) = self.admin_task.take() {
            let _ = t.await;
        }
    }
}

/// The listeners of the served Gateway that the engine accepted: its own, then those of the
/// ListenerSets it admits (`Report::listeners`), each with the namespace of the object that
/// declares it (the default namespace of its `certificateRefs`).
pub fn served_listeners(router: &Router, config: &Config) -> Vec<(String, Listener)> {
    let gateway = router.gateway();
    let mut out = Vec::new();
    for status in router
        .report()
        .listeners
        .iter()
        .filter(|l| l.gateway == gateway)
    {
        let accepted = status
            .conditions
            .iter()
            .any(|c| c.kind == "Accepted" && c.status == "True");
        if !accepted {
            continue;
        }
        let found = match &status.listener_set {
            None => config
                .gateways()
                .iter()
                .find(|g| g.key() == gateway)
                .and_then(|g| {
                    let l = g.spec.listeners.iter().find(|l| l.name == status.name)?;
                    Some((g.meta.namespace.clone(), l.clone()))
                }),
            Some(set) => config
                .listener_sets()
                .iter()
                .find(|s| &s.key() == set)
                .and_then(|s| {
                    let l = s.spec.listeners.iter().find(|l| l.name == status.name)?;
                    Some((s.meta.namespace.clone(), l.clone()))
                }),
        };
        out.extend(found);
    }
    out
}

fn listener_ports(listeners: &[(String, Listener)]) -> BTreeMap<u16, Vec<PortKind>> {
    let mut ports: BTreeMap<u16, Vec<PortKind>> = BTreeMap::new();
    for (_, l) in listeners {
        let Ok(port) = u16::try_from(l.port) else {
            continue;
        };
        let kind = match l.protocol {
            ProtocolType::Http => PortKind::Http,
            ProtocolType::Https | ProtocolType::Tls => PortKind::Tls,
            ProtocolType::Tcp => PortKind::Tcp,
            ProtocolType::Udp => PortKind::Udp,
            _ => continue,
        };
        let kinds = ports.entry(port).or_default();
        if !kinds.contains(&kind) {
            kinds.push(kind);
        }
    }
    ports
}

impl Proxy {
    /// Loads the configuration, binds every listener port of the served Gateway and the admin
    /// port, starts watching the files, and returns once everything accepts connections.
    /// Must run inside a tokio runtime. `Err` names what failed (file, port).
    pub async fn start(options: ProxyOptions) -> Result<RunningProxy, String> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let path = options
            .config
            .canonicalize()
            .map_err(|e| format!("{}: {e}", options.config.display()))?;
        let config = Config::from_path(&path).map_err(|e| e.to_string())?;
        for e in config.errors() {
            eprintln!("trieway-proxy: error: {e}");
        }
        let engine_options = Options {
            counters: true,
            gateway: options.gateway.clone(),
            ..Options::default()
        };
        let live = Arc::new(Live::new(config, engine_options).map_err(|e| e.to_string())?);
        let gateway = live.load().router().gateway().to_string();
        let ports = listener_ports(&served_listeners(live.load().router(), &live.config()));
        if ports.is_empty() {
            return Err(format!(
                "Gateway {gateway}: no listener the proxy can serve"
            ));
        }
        let mut h1 = HttpConnector::new();
        h1.set_nodelay(true);
        h1.set_connect_timeout(Some(Duration::from_secs(5)));
        let client_h1 = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(h1);
        let shared = Arc::new(Shared {
            endpoints: ArcSwap::from_pointee(Endpoints::default()),
            certs: Arc::new(ArcSwap::from_pointee(CertTable::default())),
            metrics: ProxyMetrics::new(),
            mirror_slots: Arc::new(Semaphore::new(
                options.max_mirrors_in_flight.min(Semaphore::MAX_PERMITS),
            )),
            conn_slots: Arc::new(Semaphore::new(
                options.max_connections.min(Semaphore::MAX_PERMITS),
            )),
            ready: AtomicBool::new(false),
            last_reload: Mutex::new(String::from("initial load")),
            upstream_tls: Default::default(),
            tls_configs: Mutex::default(),
            h1: client_h1,
            h2: crate::h2pool::H2Pool::default(),
            options,
            live,
        });
        shared.refresh();
        let (stop, stop_rx) = watch::channel(false);
        let graceful = Arc::new(Mutex::new(Some(GracefulShutdown::new())));
        let binder = Arc::new(Binder {
            stop: stop_rx.clone(),
            graceful: Arc::clone(&graceful),
            addrs: Mutex::default(),
            tasks: Mutex::default(),
        });
        binder.bind_new(&shared, &ports).await?;
        // Listener ports that a reload adds are bound by this task, woken by the watcher.
        let (rebind_tx, mut rebind_rx) = tokio::sync::mpsc::unbounded_channel::<()>();
        let binder_task = {
            let (shared, binder, mut stop) =
                (Arc::clone(&shared), Arc::clone(&binder), stop_rx.clone());
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        woken = rebind_rx.recv() => if woken.is_none() { return },
                        _ = stop.changed() => return,
                    }
                    if *stop.borrow() {
                        return;
                    }
                    let ports = listener_ports(&served_listeners(
                        shared.live.load().router(),
                        &shared.live.config(),
                    ));
                    if let Err(e) = binder.bind_new(&shared, &ports).await {
                        eprintln!("trieway-proxy: reload: {e}");
                    }
                }
            })
        };
        let mut admin = None;
        let (admin_stop, admin_stop_rx) = watch::channel(false);
        let mut admin_task = None;
        if let Some(a) = shared.options.admin_addr {
            let listener = TcpListener::bind(a)
                .await
                .map_err(|e| format!("admin port: bind {a}: {e}"))?;
            admin = Some(listener.local_addr().map_err(|e| e.to_string())?);
            admin_task = Some(tokio::spawn(crate::admin::admin_loop(
                Arc::clone(&shared),
                listener,
                admin_stop_rx,
            )));
        }
        let watcher = if shared.options.watch {
            let weak = Arc::downgrade(&shared);
            let w = shared
                .live
                .watch(
                    std::slice::from_ref(&path),
                    WatchOptions::default().debounce(shared.options.debounce),
                    move |reload| {
                        let Some(shared) = weak.upgrade() else { return };
                        shared.metrics.reloaded();
                        let line = reload.to_string();
                        if shared.options.access_log {
                            eprintln!("trieway-proxy: reload: {line}");
                        }
                        shared.refresh();
                        let _ = rebind_tx.send(());
                        if let Ok(mut l) = shared.last_reload.lock() {
                            *l = line;
                        };
                    },
                )
                .map_err(|e| format!("watch {}: {e}", path.display()))?;
            Some(w)
        } else {
            None
        };
        shared.ready.store(true, Ordering::SeqCst);
        Ok(RunningProxy {
            shared,
            binder,
            binder_task: Some(binder_task),
            admin,
            stop,
            admin_stop,
            admin_task,
            graceful,
            watcher,
        })
    }
}

/// Binds listener ports and runs their accept loops: those of the first configuration at
/// start, and those a reload adds. A port a reload removes stays bound (its connections find
/// no listener: 404, or closed); a port keeps the kind (HTTP, TLS, TCP) it was bound with.
#[derive(Debug)]
struct Binder {
    stop: watch::Receiver<bool>,
    graceful: Arc<Mutex<Option<GracefulShutdown>>>,
    /// (Gateway port, UDP) -> bound address.
    addrs: Mutex<BTreeMap<(u16, bool), SocketAddr>>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
}

impl Binder {
    fn addr(&self, port: u16, udp: bool) -> Option<SocketAddr> {
        self.addrs.lock().ok()?.get(&(port, udp)).copied()
    }

    fn record(&self, port: u16, udp: bool, addr: SocketAddr, task: JoinHandle<()>) {
        if let Ok(mut a) = self.addrs.lock() {
            a.insert((port, udp), addr);
        }
        if let Ok(mut t) = self.tasks.lock() {
            t.push(task);
        }
    }

    /// Binds every port of `ports` not bound yet; `Err` names the first port that failed
    /// (the others are still bound).
    async fn bind_new(
        &self,
        shared: &Arc<Shared>,
        ports: &BTreeMap<u16, Vec<PortKind>>,
    ) -> Result<(), String> {
        let opts = &shared.options;
        let mut first_error = None;
        for (port, kinds) in ports {
            let bind_port = if opts.ephemeral_ports {
                0
            } else {
                match u16::try_from(i32::from(*port) + opts.port_offset) {
                    Ok(p) => p,
                    Err(_) => {
                        first_error.get_or_insert(format!(
                            "listener port {port} + offset {}: out of range",
                            opts.port_offset
                        ));
                        continue;
                    }
                }
            };
            let bind = SocketAddr::new(opts.listen_ip, bind_port);
            let tcp_kind = kinds.iter().find(|k| **k != PortKind::Udp).copied();
            if let (Some(kind), None) = (tcp_kind, self.addr(*port, false)) {
                match TcpListener::bind(bind).await.and_then(|l| {
                    let a = l.local_addr()?;
                    Ok((l, a))
                }) {
                    Ok((listener, addr)) => {
                        let task = tokio::spawn(accept_loop(
                            Arc::clone(shared),
                            listener,
                            *port,
                            kind,
                            self.stop.clone(),
                            Arc::clone(&self.graceful),
                        ));
                        self.record(*port, false, addr, task);
                    }
                    Err(e) => {
                        first_error
                            .get_or_insert(format!("listener port {port}: bind {bind}: {e}"));
                    }
                }
            }
            if kinds.contains(&PortKind::Udp) && self.addr(*port, true).is_none() {
                match UdpSocket::bind(bind).await.and_then(|s| {
                    let a = s.local_addr()?;
                    Ok((s, a))
                }) {
                    Ok((socket, addr)) => {
                        let task = tokio::spawn(crate::l4::udp_loop(
                            Arc::clone(shared),
                            socket,
                            *port,
                            self.stop.clone(),
                        ));
                        self.record(*port, true, addr, task);
                    }
                    Err(e) => {
                        first_error
                            .get_or_insert(format!("listener port {port}: bind UDP {bind}: {e}"));
                    }
                }
            }
        }
        first_error.map_or(Ok(()), Err)
    }
}

/// The HTTP server settings: HTTP/1.1 and HTTP/2 (h2c by its preface, or ALPN on TLS).
pub(crate) fn http_builder(options: &ProxyOptions) -> auto::Builder<TokioExecutor> {
    let mut b = auto::Builder::new(TokioExecutor::new());
    b.http1()
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout)
        // hyper's smallest buffer is 8 KiB.
        .max_buf_size(options.max_header_bytes.max(8192))
        .max_headers(128);
    b.http2()
        .timer(TokioTimer::new())
        .max_header_list_size(u32::try_from(options.max_header_bytes).unwrap_or(u32::MAX))
        .max_concurrent_streams(256);
    b
}

/// Serves HTTP on one accepted connection (plain or after TLS termination).
pub(crate) async fn serve_http<I>(
    shared: Arc<Shared>,
    io: I,
    conn: ConnInfo,
    watcher: Option<GracefulWatcher>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
{
    let builder = http_builder(&shared.options);
    let service_shared = Arc::clone(&shared);
    let service = hyper::service::service_fn(move |req| {
        proxy_http::handle(Arc::clone(&service_shared), conn.clone(), req)
    });
    // With upgrades: a WebSocket (or other HTTP/1.1 upgrade) the backend accepts is spliced.
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    let _ = match watcher {
        Some(w) => w.watch(connection.into_owned()).await,
        None => connection.await,
    };
}

async fn accept_loop(
    shared: Arc<Shared>,
    listener: TcpListener,
    port: u16,
    kind: PortKind,
    mut stop: watch::Receiver<bool>,
    graceful: Arc<Mutex<Option<GracefulShutdown>>>,
) {
    loop {
        let (stream, peer) = tokio::select! {
            _ = stop.changed() => return,
            r = listener.accept() => match r {
                Ok(x) => x,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let Ok(permit) = Arc::clone(&shared.conn_slots).try_acquire_owned() else {
            tokio::spawn(refuse_connection(stream, kind));
            continue;
        };
        // HTTP connections are drained on shutdown (hyper's graceful shutdown); spliced
        // connections (TCP, TLS passthrough) are closed when shutdown begins.
        let watcher = match kind {
            PortKind::Http | PortKind::Tls => graceful
                .lock()
                .ok()
                .and_then(|g| g.as_ref().map(|g| g.watcher())),
            _ => None,
        };
        let conn_stop = stop.clone();
        let shared = Arc::clone(&shared);
        tokio::spawn(async move {
            let _permit = permit;
            shared.metrics.connections().inc();
            match kind {
                PortKind::Http => {
                    let conn = ConnInfo {
                        port,
                        sni: None,
                        tls: false,
                        peer,
                        client_cert: None,
                    };
                    serve_http(Arc::clone(&shared), stream, conn, watcher).await;
                }
                PortKind::Tls => {
                    crate::tls::serve(Arc::clone(&shared), stream, port, peer, watcher, conn_stop)
                        .await
                }
                PortKind::Tcp => {
                    crate::l4::tcp_forward(Arc::clone(&shared), stream, port, conn_stop).await
                }
                PortKind::Udp => {}
            }
            shared.metrics.connections().dec();
        });
    }
}

/// Over the connection limit: an HTTP port answers 503 and closes; other ports close.
async fn refuse_connection(mut stream: TcpStream, kind: PortKind) {
    if kind == PortKind::Http {
        let _ = stream
            .write_all(
                b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-type: text/plain\r\ncontent-length: 30\r\n\r\n503 too many open connections\n",
            )
            .await;
        let _ = stream.shutdown().await;
    }
}
