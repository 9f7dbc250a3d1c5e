//! What every Lambda function in the workspace sets up alike, the API functions and the
//! frontend publisher: its log ([`init_tracing`]: JSON lines at Lambda's level, never the
//! runtime's or the AWS SDK's TRACE events) and the TLS configuration of its HTTPS client
//! ([`tls::client_config`]: the Mozilla roots compiled in).

mod logging;
pub mod tls;

pub use logging::init_tracing;
