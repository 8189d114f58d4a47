//! End-to-end: an HTTP/1.1 upgrade (WebSocket handshake) forwarded to the backend with its
//! `Upgrade` header, and the connection spliced both ways after the backend's 101.

use crate::support::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const CONFIG: &str = r#"
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: default}
spec:
  gatewayClassName: trieway
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ws, namespace: default}
spec:
  parentRefs: [{name: gw}]
  hostnames: [ws.example.com]
  rules: [{backendRefs: [{name: ws, port: 80}]}]
"#;

/// Reads an HTTP head (up to the blank line).
async fn read_head(s: &mut TcpStream) -> String {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        if s.read(&mut byte).await.unwrap() == 0 {
            break;
        }
        head.push(byte[0]);
    }
    String::from_utf8_lossy(&head).into_owned()
}

/// A backend that answers an upgrade with 101, then sends back what it receives in upper
/// case; it reports the request heads it received.
async fn ws_backend() -> (
    std::net::SocketAddr,
    tokio::sync::mpsc::UnboundedReceiver<String>,
) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((mut s, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let head = read_head(&mut s).await;
                let upgrade = head.to_ascii_lowercase().contains("upgrade: websocket");
                let _ = tx.send(head);
                if !upgrade {
                    let _ = s
                        .write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n")
                        .await;
                    return;
                }
                s.write_all(
                    b"HTTP/1.1 101 Switching Protocols\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n",
                )
                .await
                .unwrap();
                let mut buf = [0u8; 1024];
                loop {
                    let n = match s.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => n,
                    };
                    buf[..n].make_ascii_uppercase();
                    if s.write_all(&buf[..n]).await.is_err() {
                        return;
                    }
                }
            });
        }
    });
    (addr, rx)
}

#[tokio::test]
async fn websocket_upgrade_is_spliced_after_101() {
    let (backend, mut heads) = ws_backend().await;
    let (proxy, _dir) = proxy(CONFIG, &[("default/ws", backend)], false).await;
    let mut c = TcpStream::connect(proxy.addr(80).unwrap()).await.unwrap();
    c.write_all(
        b"GET /chat HTTP/1.1\r\nHost: ws.example.com\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n\r\n",
    )
    .await
    .unwrap();
    let head = read_head(&mut c).await;
    assert!(head.starts_with("HTTP/1.1 101"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("upgrade: websocket"),
        "{head}"
    );
    let sent = heads.recv().await.unwrap().to_ascii_lowercase();
    assert!(sent.starts_with("get /chat http/1.1"), "{sent}");
    assert!(sent.contains("connection: upgrade"), "{sent}");
    assert!(sent.contains("sec-websocket-version: 13"), "{sent}");
    // Both ways, several times, over the spliced connection.
    for msg in ["hello", "second frame"] {
        c.write_all(msg.as_bytes()).await.unwrap();
        let mut got = vec![0u8; msg.len()];
        tokio::time::timeout(std::time::Duration::from_secs(5), c.read_exact(&mut got))
            .await
            .expect("echo in time")
            .unwrap();
        assert_eq!(got, msg.to_ascii_uppercase().as_bytes());
    }
    // A plain request on the same route is not upgraded (the backend answers 400 here).
    let c2 = client();
    let r = get(&c2, proxy.addr(80).unwrap(), "ws.example.com", "/plain").await;
    assert_eq!(r.status, 400);
    let sent = heads.recv().await.unwrap().to_ascii_lowercase();
    assert!(!sent.contains("upgrade"), "{sent}");
    proxy.shutdown().await;
}
