//! Command-line flags and environment variables, read once at start.
//!
//! Flags win over environment variables, which win over the defaults of the local-development
//! contract (127.0.0.1:8787, project `P2LocalStandInProject`).

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

pub const DEFAULT_PORT: u16 = 8787;
pub const DEFAULT_PROJECT_ID: &str = "P2LocalStandInProject";
pub const DEFAULT_SESSION_TTL: Duration = Duration::from_secs(10 * 60);
pub const DEFAULT_REFRESH_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// The SDK refreshes 20 s before a session expires, and a session shorter than that would be
/// refreshed in a tight loop; a minute leaves a margin.
pub const MIN_SESSION_TTL: Duration = Duration::from_secs(60);

pub const USAGE: &str = "\
Local Descope stand-in: JWKS, password sign-in, refresh, me and logout for demo users.

Usage: descope-stand-in [OPTIONS]

Options:
  --port PORT              port to listen on, 0 picks a free one               [env STAND_IN_PORT, default 8787]
  --host ADDRESS           address to bind: loopback, or a private one such as [env STAND_IN_HOST, default 127.0.0.1]
                           the Docker bridge's (172.17.0.1) for `sam local`
  --project-id ID          Descope project ID the stand-in answers for         [env DESCOPE_PROJECT_ID, default P2LocalStandInProject]
  --session-ttl SECONDS    session token lifetime, at least 60                 [env STAND_IN_SESSION_TTL, default 600]
  -h, --help               print this help

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

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigError {
    HelpRequested,
    UnknownFlag(String),
    MissingValue(&'static str),
    InvalidPort { source: &'static str, value: String },
    InvalidHost { source: &'static str, value: String },
    NotLocal { source: &'static str, value: String },
    InvalidProjectId { source: &'static str, value: String },
    InvalidSessionTtl { source: &'static str, value: String },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::HelpRequested => f.write_str("help requested"),
            Self::UnknownFlag(flag) => write!(f, "unknown option `{flag}` (see --help)"),
            Self::MissingValue(flag) => write!(f, "option `{flag}` needs a value"),
            Self::InvalidPort { source, value } => {
                write!(f, "{source} must be a port number 0-65535, got `{value}`")
            }
            Self::InvalidHost { source, value } => {
                write!(
                    f,
                    "{source} must be an IP address such as 127.0.0.1, got `{value}`"
                )
            }
            Self::NotLocal { source, value } => write!(
                f,
                "refusing to listen on {value} (from {source}): the stand-in issues tokens for \
                 anyone who knows the demo password, so it only binds a loopback address \
                 (127.0.0.0/8, ::1) or a single private one such as the Docker bridge's \
                 (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, fc00::/7)"
            ),
            Self::InvalidProjectId { source, value } => write!(
                f,
                "{source} must be 1-64 letters, digits, `-` or `_`, got `{value}`"
            ),
            Self::InvalidSessionTtl { source, value } => write!(
                f,
                "{source} must be a whole number of seconds, at least {}, got `{value}`",
                MIN_SESSION_TTL.as_secs()
            ),
        }
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// Reads the process's arguments and environment.
    pub fn from_env_and_args() -> Result<Self, ConfigError> {
        Self::parse(std::env::args().skip(1), |name| std::env::var(name).ok())
    }

    /// `args` excludes the program name; `env` looks a variable up (injected so tests need not
    /// mutate the process environment).
    pub fn parse(
        args: impl IntoIterator<Item = String>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let mut port_flag = None;
        let mut host_flag = None;
        let mut project_flag = None;
        let mut ttl_flag = None;

        let mut args = args.into_iter();
        while let Some(arg) = args.next() {
            let (name, inline_value) = match arg.split_once('=') {
                Some((name, value)) if name.starts_with("--") => {
                    (name.to_owned(), Some(value.to_owned()))
                }
                _ => (arg.clone(), None),
            };
            let (value_slot, flag) = match name.as_str() {
                "-h" | "--help" => return Err(ConfigError::HelpRequested),
                "--port" => (&mut port_flag, "--port"),
                "--host" => (&mut host_flag, "--host"),
                "--project-id" => (&mut project_flag, "--project-id"),
                "--session-ttl" => (&mut ttl_flag, "--session-ttl"),
                _ => return Err(ConfigError::UnknownFlag(arg)),
            };
            let value = match inline_value {
                Some(value) => value,
                None => args.next().ok_or(ConfigError::MissingValue(flag))?,
            };
            *value_slot = Some(value);
        }

        let (port_source, port) = pick(port_flag, "--port", "STAND_IN_PORT", &env);
        let port = match port {
            None => DEFAULT_PORT,
            Some(value) => value
                .trim()
                .parse::<u16>()
                .map_err(|_| ConfigError::InvalidPort {
                    source: port_source,
                    value,
                })?,
        };

        let (host_source, host) = pick(host_flag, "--host", "STAND_IN_HOST", &env);
        let host = match host {
            None => IpAddr::V4(Ipv4Addr::LOCALHOST),
            Some(value) => {
                let ip = value
                    .trim()
                    .trim_start_matches('[')
                    .trim_end_matches(']')
                    .parse::<IpAddr>()
                    .map_err(|_| ConfigError::InvalidHost {
                        source: host_source,
                        value: value.clone(),
                    })?;
                if !is_bindable(ip) {
                    return Err(ConfigError::NotLocal {
                        source: host_source,
                        value,
                    });
                }
                ip
            }
        };

        let (project_source, project_id) =
            pick(project_flag, "--project-id", "DESCOPE_PROJECT_ID", &env);
        let project_id = match project_id {
            None => DEFAULT_PROJECT_ID.to_owned(),
            Some(value) if is_valid_project_id(&value) => value,
            Some(value) => {
                return Err(ConfigError::InvalidProjectId {
                    source: project_source,
                    value,
                });
            }
        };

        let (ttl_source, ttl) = pick(ttl_flag, "--session-ttl", "STAND_IN_SESSION_TTL", &env);
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
                        source: ttl_source,
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

/// The flag's value if given, else the environment variable's (an empty variable counts as unset).
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
    use super::*;

    fn parse(args: &[&str], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::parse(args.iter().map(|s| s.to_string()), move |name| {
            env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
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
                source: "STAND_IN_HOST",
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
        assert_eq!(
            parse(&["--port"], &[]),
            Err(ConfigError::MissingValue("--port"))
        );
        assert!(matches!(
            parse(&["--verbose"], &[]),
            Err(ConfigError::UnknownFlag(_))
        ));
        assert_eq!(parse(&["-h"], &[]), Err(ConfigError::HelpRequested));
    }
}
