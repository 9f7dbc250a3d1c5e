use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use descope_stand_in::config::ConfigError;
use descope_stand_in::keys::SigningKey;
use descope_stand_in::users::{DEMO_PASSWORD, DEMO_USERS};
use descope_stand_in::{AppState, Config, serve};
use tokio::net::TcpListener;
use tracing_subscriber::EnvFilter;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let config = match Config::from_env_and_args() {
        Ok(config) => config,
        Err(err) => {
            match &err {
                // clap writes help to stdout, and a usage error with the usage line to stderr.
                ConfigError::CommandLine(clap_error) => {
                    let _ = clap_error.print();
                }
                refused => eprintln!("descope-stand-in: {refused}"),
            }
            return ExitCode::from(err.exit_code());
        }
    };

    // Logs go to stderr: stdout's first line is the address tests and scripts wait for.
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let key = match SigningKey::generate() {
        Ok(key) => key,
        Err(err) => {
            eprintln!("descope-stand-in: {err}");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind(config.bind).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!(
                "descope-stand-in: cannot listen on {}: {err} (choose another address with --host or \
                 STAND_IN_HOST, or another port with --port or STAND_IN_PORT)",
                config.bind
            );
            return ExitCode::FAILURE;
        }
    };
    let address = match listener.local_addr() {
        Ok(address) => address,
        Err(err) => {
            eprintln!("descope-stand-in: cannot read the bound address: {err}");
            return ExitCode::FAILURE;
        }
    };

    announce(&format!("http://{address}"), &config, &key);
    if !address.ip().is_loopback() {
        tracing::warn!(
            %address,
            "listening off loopback: whoever reaches this address can sign in as a demo user"
        );
    }
    tracing::info!(
        project_id = config.project_id,
        kid = key.kid(),
        session_ttl_secs = config.session_ttl.as_secs(),
        "descope stand-in ready"
    );

    let state = Arc::new(AppState::new(&config, key));
    if let Err(err) = serve(listener, state, shutdown_signal()).await {
        eprintln!("descope-stand-in: server failed: {err}");
        return ExitCode::FAILURE;
    }
    tracing::info!("descope stand-in stopped");
    ExitCode::SUCCESS
}

fn announce(base_url: &str, config: &Config, key: &SigningKey) {
    let project = &config.project_id;
    let mut out = std::io::stdout().lock();
    let mut lines = vec![
        format!("listening on {base_url}"),
        format!(
            "project ID: {project} (JWKS: {base_url}/v2/keys/{project}, kid {})",
            key.kid()
        ),
        format!("demo users (password for all: {DEMO_PASSWORD}):"),
    ];
    for user in DEMO_USERS {
        let roles = if user.roles.is_empty() {
            "no roles".to_owned()
        } else {
            format!("roles: {}", user.roles.join(", "))
        };
        lines.push(format!(
            "  {:<21} {:<14} {roles}",
            user.login_id,
            user.name()
        ));
    }
    for line in lines {
        // A closed stdout (the reader went away) must not stop the server.
        let _ = writeln!(out, "{line}");
    }
    let _ = out.flush();
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
