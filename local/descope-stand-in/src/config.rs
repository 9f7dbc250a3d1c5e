//! Command-line options and their environment variables, read once at start.
//!
//! An option on the command line wins over its environment variable, which wins over the
//! defaults of the local-development contract (127.0.0.1:8787, project `P2LocalStandInProject`).

use std::ffi::OsString;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use clap::Parser;

pub const DEFAULT_PORT: u16 = 8787;
pub const DEFAULT_PROJECT_ID: &str = "P2LocalStandInProject";
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(10 * 60);
pub const DEFAULT_REFRESH_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The SDK refreshes 20 s before a session expires, and a session shorter than that would be
/// refreshed in a tight loop; a minute leaves a margin.
pub const MIN_SESSION_TTL: Duration = Duration::from_secs(60);

pub const PORT_VAR: &str = "STAND_IN_PORT";
pub const HOST_VAR: &str = "STAND_IN_HOST";
pub const PROJECT_ID_VAR: &str = "DESCOPE_PROJECT_ID";
pub const SESSION_TTL_VAR: &str = "STAND_IN_SESSION_TTL";

// Values stay strings here: they are checked after the environment fallback, so that a bad value
// is reported against the option or the variable it came from.
/// Local Descope stand-in: JWKS, password sign-in, refresh, me and logout for demo users.
#[derive(Debug, Parser)]
#[command(
    name = "descope-stand-in",
    // The caller passes the arguments after the program name.
    no_binary_name = true,
    // A repeated option takes its last value, so a wrapper script's default can be overridden.
    args_override_self = true,
    after_help = AFTER_HELP
)]
struct Options {
    /// Port to listen on, 0 picks a free one [env: STAND_IN_PORT] [default: 8787]
    #[arg(long, value_name = "PORT")]
    port: Option<String>,

    /// Address to bind: loopback, or a private one such as the Docker bridge's (172.17.0.1) for
    /// `sam local` [env: STAND_IN_HOST] [default: 127.0.0.1]
    #[arg(long, value_name = "ADDRESS")]
    host: Option<String>,

    /// Descope project ID the stand-in answers for [env: DESCOPE_PROJECT_ID] [default:
    /// P2LocalStandInProject]
    #[arg(long, value_name = "ID")]
    project_id: Option<String>,

    /// Session token lifetime, at least 60 [env: STAND_IN_SESSION_TTL] [default: 600]
    #[arg(long, value_name = "SECONDS")]
    session_ttl: Option<String>,
}

const AFTER_HELP: &str = "\
An option on the command line wins over its environment variable; an empty variable counts as
unset.

Anyone who can reach the address can sign in as a demo user, so only loopback and private
(RFC 1918, fc00::/7) addresses are accepted; never every interface (0.0.0.0, ::).

The first line on stdout is `listening on http://ADDRESS:PORT`.";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub bind: SocketAddr,
    pub project_id: String,
    pub session_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// `origin` names the option or the environment variable the refused value came from.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// `--help`, or a command line clap refuses (an unknown option, an option without its
    /// value): clap's own text and exit code, 0 for help and 2 otherwise.
    #[error(transparent)]
    CommandLine(#[from] clap::Error),
    #[error("{origin} must be a port number 0-65535, got `{value}`")]
    InvalidPort { origin: &'static str, value: String },
    #[error("{origin} must be an IP address such as 127.0.0.1, got `{value}`")]
    InvalidHost { origin: &'static str, value: String },
    #[error(
        "refusing to listen on {value} (from {origin}): the stand-in issues tokens for anyone who \
         knows the demo password, so it only binds a loopback address (127.0.0.0/8, ::1) or a \
         single private one such as the Docker bridge's (10.0.0.0/8, 172.16.0.0/12, \
         192.168.0.0/16, fc00::/7)"
    )]
    NotLocal { origin: &'static str, value: String },
    #[error("{origin} must be 1-64 letters, digits, `-` or `_`, got `{value}`")]
    InvalidProjectId { origin: &'static str, value: String },
    #[error(
        "{origin} must be a whole number of seconds, at least {min}, got `{value}`",
        min = MIN_SESSION_TTL.as_secs()
    )]
    InvalidSessionTtl { origin: &'static str, value: String },
}

impl ConfigError {
    /// What the process exits with: clap's code for the command line, 2 for a refused value.
    pub fn exit_code(&self) -> u8 {
        match self {
            Self::CommandLine(err) => u8::try_from(err.exit_code()).unwrap_or(2),
            _ => 2,
        }
    }
}

impl Config {
    /// Reads the process's arguments and environment.
    pub fn from_env_and_args() -> Result<Self, ConfigError> {
        Self::parse(std::env::args_os().skip(1), |name| std::env::var(name).ok())
    }

    /// `args` excludes the program name; `env` looks a variable up. The variables are read
    /// through `env` rather than clap's `env` attribute, which reads the process environment
    /// itself: tests inject their own, and an empty variable counts as unset.
    pub fn parse(
        args: impl IntoIterator<Item = impl Into<OsString> + Clone>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let options = Options::try_parse_from(args)?;

        let (port_origin, port) = pick(options.port, "--port", PORT_VAR, &env);
        let port = match port {
            None => DEFAULT_PORT,
            Some(value) => value
                .trim()
                .parse::<u16>()
                .map_err(|_| ConfigError::InvalidPort {
                    origin: port_origin,
                    value,
                })?,
        };

        let (host_origin, host) = pick(options.host, "--host", HOST_VAR, &env);
        let host = match host {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(value) => {
                let ip = value
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .map_err(|_| ConfigError::InvalidHost {
                        origin: host_origin,
                        value: value.clone(),
                    })?;
                if !is_bindable(ip) {
                    return Err(ConfigError::NotLocal {
                        origin: host_origin,
                        value,
                    });
                }
                ip
            }
        };

        let (project_origin, project_id) =
            pick(options.project_id, "--project-id", PROJECT_ID_VAR, &env);
        let project_id = match project_id {
            None => DEFAULT_PROJECT_ID.to_owned(),
            Some(value) if is_valid_project_id(&value) => value,
            Some(value) => {
                return Err(ConfigError::InvalidProjectId {
                    origin: project_origin,
                    value,
                });
            }
        };

        let (ttl_origin, ttl) = pick(options.session_ttl, "--session-ttl", SESSION_TTL_VAR, &env);
        let session_ttl = match ttl {
            None => DEFAULT_SESSION_TTL,
            Some(value) => match value.trim().parse::<u64>() {
                Ok(secs)
                    if secs >= MIN_SESSION_TTL.as_secs()
                        && secs <= DEFAULT_REFRESH_TTL.as_secs() =>
                {
                    Duration::from_secs(secs)
                }
                _ => {
                    return Err(ConfigError::InvalidSessionTtl {
                        origin: ttl_origin,
                        value,
                    });
                }
            },
        };

        Ok(Config {
            bind: SocketAddr::new(host, port),
            project_id,
            session_ttl,
            refresh_ttl: DEFAULT_REFRESH_TTL,
        })
    }
}

/// The option's value if given, else the environment variable's (an empty variable counts as
/// unset), with the name of whichever it came from.
fn pick(
    flag: Option<String>,
    flag_name: &'static str,
    env_name: &'static str,
    env: &impl Fn(&str) -> Option<String>,
) -> (&'static str, Option<String>) {
    match flag {
        Some(value) => (flag_name, Some(value)),
        None => (env_name, env(env_name).filter(|value| !value.is_empty())),
    }
}

/// Loopback, or a private address: a container bridge (Docker's 172.17.0.1, Podman's 10.88.0.1)
/// lets `sam local` containers reach the stand-in without a relay. Public and unspecified
/// addresses would hand demo tokens to whole networks.
pub fn is_bindable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4.is_loopback() || v4.is_private(),
        IpAddr::V6(v6) => v6.is_loopback() || is_unique_local(v6),
    }
}

/// fc00::/7 (`Ipv6Addr::is_unique_local` is not stable yet).
fn is_unique_local(ip: Ipv6Addr) -> bool {
    (ip.segments()[0] & 0xfe00) == 0xfc00
}

/// The project ID lands in URL paths and token issuers, so it is held to a plain alphabet.
fn is_valid_project_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;
    use clap::error::ErrorKind;

    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::parse(args, move |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    fn command_line_error(result: Result<Config, ConfigError>) -> clap::Error {
        match result {
            Err(ConfigError::CommandLine(err)) => err,
            other => panic!("expected clap's refusal, got {other:?}"),
        }
    }

    #[test]
    fn clap_accepts_the_option_definitions() {
        Options::command().debug_assert();
    }

    #[test]
    fn defaults_follow_the_local_contract() {
        let config = parse(&[], &[]).unwrap();
        assert_eq!(config.bind, "127.0.0.1:8787".parse().unwrap());
        assert_eq!(config.project_id, "P2LocalStandInProject");
        assert_eq!(config.session_ttl, Duration::from_secs(600));
    }

    #[test]
    fn flags_win_over_environment() {
        let env = [("STAND_IN_PORT", "9999"), ("DESCOPE_PROJECT_ID", "FromEnv")];
        let config = parse(&["--port", "0", "--project-id=FromFlag"], &env).unwrap();
        assert_eq!(config.bind.port(), 0);
        assert_eq!(config.project_id, "FromFlag");

        let config = parse(&[], &env).unwrap();
        assert_eq!(config.bind.port(), 9999);
        assert_eq!(config.project_id, "FromEnv");
    }

    #[test]
    fn every_option_has_its_environment_variable() {
        let env = [
            ("STAND_IN_PORT", "9999"),
            ("STAND_IN_HOST", "127.0.0.3"),
            ("DESCOPE_PROJECT_ID", "FromEnv"),
            ("STAND_IN_SESSION_TTL", "120"),
        ];
        let config = parse(&[], &env).unwrap();
        assert_eq!(config.bind, "127.0.0.3:9999".parse().unwrap());
        assert_eq!(config.project_id, "FromEnv");
        assert_eq!(config.session_ttl, Duration::from_secs(120));
    }

    #[test]
    fn an_empty_variable_counts_as_unset() {
        let env = [
            ("STAND_IN_PORT", ""),
            ("STAND_IN_HOST", ""),
            ("DESCOPE_PROJECT_ID", ""),
            ("STAND_IN_SESSION_TTL", ""),
        ];
        assert_eq!(parse(&[], &env).unwrap(), parse(&[], &[]).unwrap());
    }

    #[test]
    fn a_repeated_option_takes_its_last_value() {
        let config = parse(&["--port", "9000", "--port=0"], &[]).unwrap();
        assert_eq!(config.bind.port(), 0);
    }

    #[test]
    fn refuses_unspecified_and_public_addresses() {
        for host in [
            "0.0.0.0",
            "::",
            "8.8.8.8",
            "172.32.0.1",
            "169.254.1.1",
            "2001:db8::1",
            "fe80::1",
        ] {
            assert!(
                matches!(
                    parse(&["--host", host], &[]),
                    Err(ConfigError::NotLocal { .. })
                ),
                "{host}"
            );
        }
        assert!(matches!(
            parse(&[], &[("STAND_IN_HOST", "203.0.113.7")]),
            Err(ConfigError::NotLocal {
                origin: "STAND_IN_HOST",
                ..
            })
        ));
    }

    #[test]
    fn binds_loopback_or_a_private_address_such_as_the_docker_bridge() {
        assert_eq!(
            parse(&["--host", "::1"], &[]).unwrap().bind.to_string(),
            "[::1]:8787"
        );
        assert_eq!(
            parse(&["--host=172.17.0.1"], &[]).unwrap().bind.to_string(),
            "172.17.0.1:8787"
        );
        let env = [("STAND_IN_HOST", "10.88.0.1")];
        assert_eq!(parse(&[], &env).unwrap().bind.to_string(), "10.88.0.1:8787");
        assert_eq!(
            parse(&["--host", "127.0.0.2"], &env)
                .unwrap()
                .bind
                .to_string(),
            "127.0.0.2:8787",
            "the flag wins over STAND_IN_HOST"
        );
        for host in ["192.168.65.1", "fd00::1"] {
            assert!(parse(&["--host", host], &[]).is_ok(), "{host}");
        }
    }

    #[test]
    fn bad_values_name_what_to_fix() {
        let err = parse(&["--port", "http"], &[]).unwrap_err();
        assert!(err.to_string().contains("--port"), "{err}");
        let err = parse(&[], &[("STAND_IN_PORT", "70000")]).unwrap_err();
        assert!(err.to_string().contains("STAND_IN_PORT"), "{err}");
        let err = parse(&["--project-id", "../etc"], &[]).unwrap_err();
        assert!(err.to_string().contains("--project-id"), "{err}");
        let err = parse(&["--session-ttl", "30"], &[]).unwrap_err();
        assert!(err.to_string().contains("at least 60"), "{err}");
        assert_eq!(err.exit_code(), 2);

        let err = command_line_error(parse(&["--port"], &[]));
        assert_eq!(err.kind(), ErrorKind::InvalidValue);
        assert!(err.to_string().contains("--port"), "{err}");
        assert_eq!(err.exit_code(), 2);
        let err = command_line_error(parse(&["--verbose"], &[]));
        assert_eq!(err.kind(), ErrorKind::UnknownArgument);
        assert!(err.to_string().contains("--verbose"), "{err}");
        assert_eq!(err.exit_code(), 2);
        for help in ["-h", "--help"] {
            let err = command_line_error(parse(&[help], &[]));
            assert_eq!(err.kind(), ErrorKind::DisplayHelp, "{help}");
            assert_eq!(err.exit_code(), 0, "{help}");
        }
    }

    #[test]
    fn help_names_every_variable_and_default() {
        let help = Options::command().render_long_help().to_string();
        for needle in [
            "--port <PORT>".to_owned(),
            format!("[env: {PORT_VAR}] [default: {DEFAULT_PORT}]"),
            "--host <ADDRESS>".to_owned(),
            format!("[env: {HOST_VAR}] [default: {}]", Ipv4Addr::LOCALHOST),
            "--project-id <ID>".to_owned(),
            format!("[env: {PROJECT_ID_VAR}] [default: {DEFAULT_PROJECT_ID}]"),
            "--session-ttl <SECONDS>".to_owned(),
            format!("at least {}", MIN_SESSION_TTL.as_secs()),
            format!(
                "[env: {SESSION_TTL_VAR}] [default: {}]",
                DEFAULT_SESSION_TTL.as_secs()
            ),
        ] {
            assert!(help.contains(&needle), "{needle:?} missing from:\n{help}");
        }
    }
}
