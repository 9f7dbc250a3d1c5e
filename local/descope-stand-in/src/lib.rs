//! A local stand-in for the parts of Descope's API that the backend and `@descope/react-sdk`
//! use, so the app runs and is tested with no Descope account and no network. Never deployed.

pub mod config;
pub mod cors;
pub mod errors;
pub mod faults;
pub mod keys;
pub mod routes;
pub mod tokens;
pub mod users;

use std::sync::Arc;

use tokio::net::TcpListener;

pub use config::Config;
pub use routes::{AppState, router};

/// Runs the server on an already bound listener until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
}
