//! Backend resolution: from a [`trieway::Backend`] (a Service port the engine drew) to the
//! socket address of one endpoint.
//!
//! Two sources, the first that knows the backend wins: the `--backend NS/NAME[:PORT]=ADDR`
//! mapping given on the command line (for running the proxy outside a cluster), then the
//! ready endpoints of the configuration's EndpointSlices (label
//! `kubernetes.io/service-name`), whose port is the slice port named like the Service port
//! (or the slice's only port). Endpoints of one backend are taken round-robin.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use trieway::Config;

/// A `--backend` entry: `NS/NAME[:PORT]=HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendOverride {
    /// Namespace of the Service.
    pub namespace: String,
    /// Name of the Service.
    pub name: String,
    /// Service port, or `None` for every port.
    pub port: Option<u16>,
    /// Where to connect.
    pub addr: SocketAddr,
}

impl std::str::FromStr for BackendOverride {
    type Err = String;

    /// Parses `NS/NAME[:PORT]=IP:PORT`.
    fn from_str(s: &str) -> Result<Self, String> {
        let (key, addr) = s
            .split_once('=')
            .ok_or_else(|| format!("--backend {s}: expected NS/NAME[:PORT]=IP:PORT"))?;
        let addr: SocketAddr = addr
            .parse()
            .map_err(|e| format!("--backend {s}: address {addr}: {e}"))?;
        let (ns, rest) = key
            .split_once('/')
            .ok_or_else(|| format!("--backend {s}: expected NS/NAME before '='"))?;
        let (name, port) = match rest.split_once(':') {
            Some((n, p)) => (
                n,
                Some(
                    p.parse::<u16>()
                        .map_err(|e| format!("--backend {s}: port {p}: {e}"))?,
                ),
            ),
            None => (rest, None),
        };
        if ns.is_empty() || name.is_empty() {
            return Err(format!("--backend {s}: empty namespace or name"));
        }
        Ok(BackendOverride {
            namespace: ns.to_string(),
            name: name.to_string(),
            port,
            addr,
        })
    }
}

/// The endpoints of every backend known, for one configuration version.
#[derive(Debug, Default)]
pub struct Endpoints {
    /// `(namespace, name, service port)` to endpoint addresses.
    by_port: HashMap<(String, String, u16), Vec<SocketAddr>>,
    /// Overrides without a port: `(namespace, name)`.
    by_name: HashMap<(String, String), Vec<SocketAddr>>,
    next: AtomicUsize,
}

impl Endpoints {
    /// Builds the table from the configuration's EndpointSlices, then the overrides (which
    /// replace what the slices say about the same Service).
    pub fn new(config: &Config, overrides: &[BackendOverride]) -> Endpoints {
        let mut e = Endpoints::default();
        for slice in config.endpoint_slices() {
            let ns = &slice.meta.namespace;
            let Some(svc_name) = slice.meta.labels.get("kubernetes.io/service-name") else {
                continue;
            };
            let service = config
                .services()
                .iter()
                .find(|s| &s.meta.namespace == ns && &s.meta.name == svc_name);
            let ips: Vec<IpAddr> = slice
                .spec
                .endpoints
                .iter()
                .filter(|ep| ready(ep))
                .flat_map(|ep| {
                    ep.get("addresses")
                        .and_then(|a| a.as_array())
                        .into_iter()
                        .flatten()
                        .filter_map(|a| a.as_str()?.parse::<IpAddr>().ok())
                })
                .collect();
            // Service port -> slice port: by port name, or the slice's only port.
            let service_ports: Vec<(u16, String)> = match service {
                Some(s) => s
                    .spec
                    .ports
                    .iter()
                    .filter_map(|p| Some((u16::try_from(p.port).ok()?, p.name.clone())))
                    .collect(),
                None => Vec::new(),
            };
            for (svc_port, svc_port_name) in &service_ports {
                let target = slice
                    .spec
                    .ports
                    .iter()
                    .find(|p| p.name.as_deref().unwrap_or("") == svc_port_name)
                    .or_else(|| (slice.spec.ports.len() == 1).then(|| &slice.spec.ports[0]))
                    .and_then(|p| u16::try_from(p.port?).ok());
                let Some(target) = target else { continue };
                e.by_port
                    .entry((ns.clone(), svc_name.clone(), *svc_port))
                    .or_default()
                    .extend(ips.iter().map(|ip| SocketAddr::new(*ip, target)));
            }
        }
        for o in overrides {
            let key = (o.namespace.clone(), o.name.clone());
            match o.port {
                Some(p) => {
                    e.by_port.insert((key.0, key.1, p), vec![o.addr]);
                }
                None => {
                    e.by_port.retain(|k, _| (&k.0, &k.1) != (&key.0, &key.1));
                    e.by_name.entry(key).or_default().push(o.addr);
                }
            }
        }
        e
    }

    /// One endpoint of the Service port, round-robin; `None` when none is known (503).
    pub fn pick(&self, namespace: &str, name: &str, port: Option<u16>) -> Option<SocketAddr> {
        let list = port
            .and_then(|p| {
                self.by_port
                    .get(&(namespace.to_string(), name.to_string(), p))
            })
            .or_else(|| self.by_name.get(&(namespace.to_string(), name.to_string())))?;
        if list.is_empty() {
            return None;
        }
        let i = self.next.fetch_add(1, Ordering::Relaxed);
        Some(list[i % list.len()])
    }

    /// Number of `(Service port, endpoint)` entries known.
    pub fn len(&self) -> usize {
        self.by_port.values().map(Vec::len).sum::<usize>()
            + self.by_name.values().map(Vec::len).sum::<usize>()
    }

    /// Whether no endpoint is known.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// An endpoint is ready unless its `conditions.ready` is `false`.
fn ready(ep: &serde_json::Value) -> bool {
    ep.pointer("/conditions/ready")
        .and_then(|r| r.as_bool())
        .unwrap_or(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_and_win() {
        let o: BackendOverride = "shop/api:8080=127.0.0.1:9000".parse().unwrap();
        assert_eq!(
            (o.namespace.as_str(), o.name.as_str(), o.port),
            ("shop", "api", Some(8080))
        );
        assert!("api=127.0.0.1:1".parse::<BackendOverride>().is_err());
        assert!("a/b=nowhere"
            .parse::<BackendOverride>()
            .unwrap_err()
            .contains("nowhere"));
        let config = Config::from_str(
            r#"
apiVersion: v1
kind: Service
metadata: {name: api, namespace: shop}
spec: {ports: [{name: http, port: 8080}, {name: admin, port: 9090}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: api-1, namespace: shop, labels: {kubernetes.io/service-name: api}}
addressType: IPv4
ports: [{name: http, port: 80}, {name: admin, port: 81}]
endpoints:
  - addresses: [10.0.0.1]
  - addresses: [10.0.0.2]
    conditions: {ready: false}
"#,
        );
        assert!(config.errors().is_empty(), "{:?}", config.errors());
        let e = Endpoints::new(&config, &[]);
        assert_eq!(
            e.pick("shop", "api", Some(8080)),
            Some("10.0.0.1:80".parse().unwrap())
        );
        assert_eq!(
            e.pick("shop", "api", Some(9090)),
            Some("10.0.0.1:81".parse().unwrap())
        );
        assert_eq!(e.pick("shop", "api", Some(1)), None);
        let e = Endpoints::new(&config, &[o]);
        assert_eq!(
            e.pick("shop", "api", Some(8080)),
            Some("127.0.0.1:9000".parse().unwrap())
        );
    }
}
