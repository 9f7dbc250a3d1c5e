//! Ports and servers on 127.0.0.1, which every double listens on, so no test call leaves the
//! machine.

use std::net::SocketAddr;

use axum::Router;

/// A server on a loopback port, stopped when dropped.
pub struct LocalServer {
    pub addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LocalServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Serves `router` on a free loopback port.
pub async fn serve(router: Router) -> LocalServer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local listener");
    let addr = listener.local_addr().expect("local address");
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.expect("local server");
    });
    LocalServer { addr, task }
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
