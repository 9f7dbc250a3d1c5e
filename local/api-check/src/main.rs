//! Checks a running API over HTTP against the contract (README, "The API"): the exact bodies and headers
//! of both routes for every demo user, and 401 for every kind of refused token. Given the Descope
//! stand-in's URL it signs the demo users in there; given only the API's URL (a deployed stack's
//! `SiteUrl`) it runs the checks that need no real token.
//!
//! Exit status: 0 when every check passed, 1 when one failed, 2 when it could not start (bad
//! arguments, or the stand-in would not issue the tokens the checks need).

mod checks;
mod http;
mod stand_in;
mod tokens;

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use reqwest::Url;

use crate::checks::Report;
use crate::http::Api;

/// Checks a running API against the contract: both routes, their bodies and headers, and 401 for
/// refused tokens. Prints one line per check, then "N passed, M failed".
#[derive(Debug, Parser)]
#[command(name = "api-check")]
struct Cli {
    /// Base URL of the API: the local one, or a deployed stack's SiteUrl
    #[arg(long, value_name = "URL", value_parser = base_url)]
    api_url: Url,

    /// Base URL of the local Descope stand-in the API trusts; with it, every demo user signs in
    /// and the checks that need real tokens run too
    #[arg(long, value_name = "URL", value_parser = base_url)]
    stand_in_url: Option<Url>,

    /// Seconds each request may take (`sam local` starts a container for each one)
    #[arg(long, value_name = "SECONDS", default_value_t = 30,
          value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,
}

fn base_url(value: &str) -> Result<Url, String> {
    let url = Url::parse(value).map_err(|err| format!("not a URL ({err})"))?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err("not an http:// or https:// URL with a host".to_owned());
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("a base URL takes no query or fragment".to_owned());
    }
    Ok(url)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let api = match Api::new(&cli.api_url, Duration::from_secs(cli.timeout)) {
        Ok(api) => api,
        Err(err) => return setup_failed(&err),
    };
    let mut report = Report::default();
    match &cli.stand_in_url {
        Some(stand_in_url) => {
            let sessions = match stand_in::sign_in_demo_users(&api, stand_in_url).await {
                Ok(sessions) => sessions,
                Err(err) => return setup_failed(&err),
            };
            checks::signed_in(&api, &sessions, &mut report).await;
        }
        None => checks::tokenless(&api, &mut report).await,
    }
    println!();
    println!("{} passed, {} failed", report.passed, report.failed);
    if report.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn setup_failed(message: &str) -> ExitCode {
    eprintln!("api-check: error: {message}");
    ExitCode::from(2)
}
