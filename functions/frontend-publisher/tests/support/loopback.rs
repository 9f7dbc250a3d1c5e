//! Ports and servers on 127.0.0.1, which every double listens on, so no test call leaves the
//! machine.

use std::net::SocketAddr;

use axum::Router;

/// Serves `router` on a free loopback port until the returned task is aborted.
pub async fn serve(router: Router) -> (SocketAddr, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local listener");
    let addr = listener.local_addr().expect("local address");
    let server = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("local server");
    });
    (addr, server)
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// An address nothing listens on: connections are refused at once.
pub fn refusing_endpoint() -> String {
    format!("http://127.0.0.1:{}", free_port())
}
