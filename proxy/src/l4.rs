//! TCPRoute and UDPRoute forwarding: `Router::route_tcp` / `route_udp` name the route of the
//! port, its backends are drawn by weight per connection (TCP) or per client flow (UDP).
//! A UDP flow is the client's address; its upstream socket lives until the flow has been idle
//! for [`UDP_IDLE`].

use crate::server::Shared;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::watch;
use trieway::Target;

/// A UDP flow with no datagram either way for this long is closed.
pub const UDP_IDLE: Duration = Duration::from_secs(60);
/// Most UDP flows open at once per port; a datagram of a new flow over it is dropped.
pub const MAX_UDP_FLOWS: usize = 4096;

fn pick(shared: &Shared, port: u16, udp: bool) -> Option<SocketAddr> {
    let snapshot = shared.live.load();
    let router = snapshot.router();
    let m = if udp {
        router.route_udp(port)
    } else {
        router.route_tcp(port)
    }?;
    match m.pick(crate::http::random()) {
        Target::Backend(b) => shared
            .endpoints
            .load()
            .pick(b.namespace(), b.name(), b.port()),
        _ => None,
    }
}

/// Forwards one TCP connection until either side closes or `stop` (shutdown); closes it when
/// no route or endpoint serves the port.
pub async fn tcp_forward(
    shared: Arc<Shared>,
    mut stream: TcpStream,
    port: u16,
    stop: watch::Receiver<bool>,
) {
    let Some(addr) = pick(&shared, port, false) else {
        return;
    };
    let Ok(mut upstream) = TcpStream::connect(addr).await else {
        shared.metrics.upstream_error("refused");
        return;
    };
    let _ = upstream.set_nodelay(true);
    splice(&mut stream, &mut upstream, stop).await;
}

/// Copies bytes both ways until either side closes or `stop` changes (shutdown).
pub async fn splice<A, B>(a: &mut A, b: &mut B, mut stop: watch::Receiver<bool>)
where
    A: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + ?Sized,
    B: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + ?Sized,
{
    if *stop.borrow() {
        return;
    }
    tokio::select! {
        _ = tokio::io::copy_bidirectional(a, b) => {}
        _ = stop.changed() => {}
    }
}

/// Serves a UDP port until `stop`.
pub async fn udp_loop(
    shared: Arc<Shared>,
    socket: UdpSocket,
    port: u16,
    mut stop: watch::Receiver<bool>,
) {
    let socket = Arc::new(socket);
    let flows: Arc<Mutex<HashMap<SocketAddr, Arc<UdpSocket>>>> = Arc::default();
    let mut buf = vec![0u8; 65_535];
    loop {
        let (n, client) = tokio::select! {
            _ = stop.changed() => return,
            r = socket.recv_from(&mut buf) => match r {
                Ok(x) => x,
                Err(_) => continue,
            },
        };
        let existing = flows.lock().ok().and_then(|f| f.get(&client).cloned());
        let upstream = match existing {
            Some(u) => u,
            None => {
                if flows.lock().map(|f| f.len()).unwrap_or(0) >= MAX_UDP_FLOWS {
                    continue;
                }
                let Some(addr) = pick(&shared, port, true) else {
                    continue;
                };
                let local = if addr.is_ipv4() {
                    "0.0.0.0:0"
                } else {
                    "[::]:0"
                };
                let Ok(u) = UdpSocket::bind(local).await else {
                    continue;
                };
                if u.connect(addr).await.is_err() {
                    continue;
                }
                let u = Arc::new(u);
                if let Ok(mut f) = flows.lock() {
                    f.insert(client, Arc::clone(&u));
                }
                // Replies go back to the client until the flow is idle.
                let (u2, socket2, flows2) =
                    (Arc::clone(&u), Arc::clone(&socket), Arc::clone(&flows));
                tokio::spawn(async move {
                    let mut buf = vec![0u8; 65_535];
                    while let Ok(Ok(n)) = tokio::time::timeout(UDP_IDLE, u2.recv(&mut buf)).await {
                        let _ = socket2.send_to(&buf[..n], client).await;
                    }
                    if let Ok(mut f) = flows2.lock() {
                        f.remove(&client);
                    }
                });
                u
            }
        };
        let _ = upstream.send(&buf[..n]).await;
    }
}
