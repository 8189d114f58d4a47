//! `trieway-proxy -c FILE|DIR [--backend NS/NAME[:PORT]=IP:PORT]... [options]`: serves the
//! Gateway's listeners of a configuration (see proxy/README.md).

/// mimalloc instead of the system allocator: building a Router allocates a lot, and with
/// glibc's malloc a full build of 100,000 rules (a reload) took 1.4 s against 0.6 s
/// (`live_update`, README "Live updates"). An embedder chooses its own allocator; this one
/// is the proxy's choice.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;
use trieway_proxy::backends::BackendOverride;
use trieway_proxy::{Proxy, ProxyOptions};

const USAGE: &str = "usage: trieway-proxy -c FILE|DIR [options]
  -c, --config FILE|DIR          Gateway API objects (YAML/JSON); reloaded when they change
  --backend NS/NAME[:PORT]=IP:PORT   where a Service (port) is served (wins over EndpointSlices)
  --gateway NS/NAME              the Gateway to serve when there are several
  --listen-addr IP               address the listeners bind (default 0.0.0.0)
  --port-offset N                add N to every listener port (e.g. 8000: 80 -> 8080)
  --admin ADDR                   admin port: /metrics, /ready, /config (default 127.0.0.1:9901)
  --no-admin                     no admin port
  --no-watch                     do not reload when the files change
  --max-header-bytes N           request head limit (default 16384; 431 over it)
  --max-body-bytes N             request body limit (default 8388608; 413 over it)
  --max-connections N            open connections limit (default 10000; 503 over it)
  --drain-timeout SECONDS        graceful shutdown limit (default 30)
  --quiet                        no access log";

fn parse(args: Vec<String>) -> Result<ProxyOptions, String> {
    let mut config = None;
    let mut o = ProxyOptions::new("");
    o.admin_addr = Some(SocketAddr::from(([127, 0, 0, 1], 9901)));
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value = |name: &str| it.next().ok_or_else(|| format!("{name} needs a value"));
        match a.as_str() {
            "-c" | "--config" => config = Some(value(&a)?),
            "--backend" => o.backends.push(value(&a)?.parse::<BackendOverride>()?),
            "--gateway" => o.gateway = Some(value(&a)?),
            "--listen-addr" => {
                let v = value(&a)?;
                o.listen_ip = v.parse().map_err(|e| format!("--listen-addr {v}: {e}"))?;
            }
            "--port-offset" => {
                let v = value(&a)?;
                o.port_offset = v.parse().map_err(|e| format!("--port-offset {v}: {e}"))?;
            }
            "--admin" => {
                let v = value(&a)?;
                o.admin_addr = Some(v.parse().map_err(|e| format!("--admin {v}: {e}"))?);
            }
            "--no-admin" => o.admin_addr = None,
            "--no-watch" => o.watch = false,
            "--quiet" => o.access_log = false,
            "--max-header-bytes" | "--max-body-bytes" | "--max-connections" | "--drain-timeout" => {
                let v = value(&a)?;
                let n: usize = v.parse().map_err(|e| format!("{a} {v}: {e}"))?;
                match a.as_str() {
                    "--max-header-bytes" => o.max_header_bytes = n,
                    "--max-body-bytes" => o.max_body_bytes = n,
                    "--max-connections" => o.max_connections = n,
                    _ => o.drain_timeout = Duration::from_secs(n as u64),
                }
            }
            "-h" | "--help" => return Err(String::new()),
            other => return Err(format!("unknown argument {other}")),
        }
    }
    o.config = config.ok_or("-c FILE|DIR is required")?.into();
    Ok(o)
}

fn main() -> ExitCode {
    let options = match parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            if !e.is_empty() {
                eprintln!("trieway-proxy: {e}");
            }
            eprintln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("trieway-proxy: tokio runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let proxy = match Proxy::start(options).await {
            Ok(p) => p,
            Err(e) => {
                eprintln!("trieway-proxy: {e}");
                return ExitCode::FAILURE;
            }
        };
        let router = proxy.live().load().router().gateway().to_string();
        eprintln!("trieway-proxy: serving Gateway {router}");
        let ports: Vec<String> = (0..=u16::MAX)
            .filter_map(|p| {
                proxy
                    .addr(p)
                    .or(proxy.udp_addr(p))
                    .map(|a| format!("{p} -> {a}"))
            })
            .collect();
        eprintln!("trieway-proxy: listeners: {}", ports.join(", "));
        if let Some(a) = proxy.admin_addr() {
            eprintln!("trieway-proxy: admin on http://{a} (/metrics, /ready, /config)");
        }
        wait_for_signal().await;
        eprintln!("trieway-proxy: shutting down, draining in-flight requests");
        proxy.shutdown().await;
        ExitCode::SUCCESS
    })
}

async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}
