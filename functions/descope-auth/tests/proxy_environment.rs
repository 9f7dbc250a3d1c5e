//! Proxy variables in the environment do not reroute the key fetch: whoever controls a proxy
//! could otherwise serve keys of their own and mint sessions.
//!
//! Its own test binary with a single test: it sets process-wide environment variables, which is
//! only sound while no other thread reads the environment.

mod support;

use support::ValidatorOnKeyServer;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use test_support::TestKey;
use tokio::net::TcpListener;

#[tokio::test]
async fn the_key_fetch_goes_straight_to_the_key_server_whatever_the_proxy_variables_say() {
    // A "proxy" that accepts connections, counts them and never answers.
    let proxy = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let connections = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&connections);
    let _proxy = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = proxy.accept().await {
            counted.fetch_add(1, Ordering::SeqCst);
            held.push(stream);
        }
    });
    for variable in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        // SAFETY: this test binary runs this one test, which sets the environment before any
        // HTTP client exists; the runtime's threads do not read the environment.
        unsafe { std::env::set_var(variable, &proxy_url) };
    }
    for variable in ["NO_PROXY", "no_proxy"] {
        // SAFETY: as above.
        unsafe { std::env::remove_var(variable) };
    }

    // The validator (and its HTTP client) is built after the variables are set.
    let auth = ValidatorOnKeyServer::start().await;
    let key = TestKey::rsa("K1");
    auth.serve_keys(&[&key]);
    let outcome = auth.validate(&key.sign(&auth.claims())).await;

    assert!(outcome.is_ok(), "{outcome:?}");
    assert_eq!(auth.fetches(), 1);
    assert_eq!(connections.load(Ordering::SeqCst), 0, "the proxy was used");
}
