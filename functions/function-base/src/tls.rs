//! TLS for the functions' HTTPS clients, trusting the Mozilla root set compiled into the binary.
//!
//! Why not the system store: reqwest's own rustls setup goes through rustls-platform-verifier,
//! which on Linux reads `/etc/ssl/certs` (the bundle, then every file in the folder) and parses
//! each certificate while the client is built. In Lambda a client is built on every cold start,
//! and that work costs several times a no-op function's whole init (figures in the README's
//! Performance section). Every host the functions call is on a public CA the Mozilla set covers
//! (Descope's API; S3's presigned URLs); `webpki-roots` ships those roots already parsed into
//! trust anchors, so building the store is a copy with no file or parse work. The costs: the
//! roots update with this crate's dependencies (`cargo update -p webpki-roots`), not with the
//! Lambda image, and an https `DESCOPE_BASE_URI` behind a private CA is not trusted. Both of
//! reqwest 0.13's rustls features still compile the platform verifier in; with a preconfigured
//! config it is never run.

use std::sync::Arc;

/// For `reqwest::ClientBuilder::tls_backend_preconfigured`: aws-lc-rs, TLS 1.2 and 1.3, the
/// compiled-in roots, HTTP/1.1 only. The workspace pins the rustls version reqwest uses, since
/// reqwest takes the config only when it is its own rustls version's type.
pub fn client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()?
    .with_root_certificates(compiled_in_roots())
    .with_no_client_auth();
    // What reqwest offers itself when HTTP/2 is not compiled in (this workspace leaves it out).
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn compiled_in_roots() -> rustls::RootCertStore {
    rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_config_trusts_the_mozilla_roots_with_aws_lc_rs_over_http_1_1() {
        let roots = compiled_in_roots();
        assert_eq!(roots.len(), webpki_roots::TLS_SERVER_ROOTS.len());
        // Mozilla's program holds well over a hundred roots; a handful would mean a wrong set.
        assert!(roots.len() > 100, "only {} roots", roots.len());

        let config = client_config().expect("TLS config");
        let aws_lc_rs = rustls::crypto::aws_lc_rs::default_provider();
        assert_eq!(
            config.crypto_provider().cipher_suites,
            aws_lc_rs.cipher_suites
        );
        assert_eq!(config.alpn_protocols, vec![b"http/1.1".to_vec()]);
        assert!(config.enable_sni);
    }
}
