//! The stand-in as a process and a server: start-up contract, key endpoint, fault switch, CORS,
//! fallbacks and logging, against the real binary.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use common::{Answer, PASSWORD, PROJECT_ID, StandIn, stand_in_command, unix_now};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

#[tokio::test]
async fn jwks_is_served_in_descope_shape_for_the_configured_project_only() {
    let stand_in = StandIn::start();
    let answer = stand_in.get(&format!("/v2/keys/{PROJECT_ID}"), None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    let keys = answer.json["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 1);
    let mut fields: Vec<&String> = keys[0].as_object().unwrap().keys().collect();
    fields.sort();
    assert_eq!(fields, ["alg", "e", "kid", "kty", "n", "use"]);
    assert_eq!(keys[0]["alg"], "RS256");
    assert_eq!(keys[0]["e"], "AQAB");
    assert_eq!(keys[0]["kty"], "RSA");
    assert_eq!(keys[0]["use"], "sig");

    stand_in
        .get("/v2/keys/P2SomeOtherProject", None)
        .await
        .assert_error(400, "E011003");
}

#[tokio::test]
async fn project_id_comes_from_the_flag_or_the_environment() {
    let from_flag = StandIn::start_with(&["--project-id", "P2FlagProject"]);
    assert_eq!(
        from_flag.get("/v2/keys/P2FlagProject", None).await.status,
        200
    );
    assert_eq!(
        from_flag
            .get(&format!("/v2/keys/{PROJECT_ID}"), None)
            .await
            .status,
        400
    );

    let mut child = stand_in_command()
        .args(["--port", "0"])
        .env("DESCOPE_PROJECT_ID", "P2EnvProject")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let base_url = first_line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap()
        .to_owned();
    let response = reqwest::get(format!("{base_url}/v2/keys/P2EnvProject"))
        .await
        .unwrap();
    let status = response.status().as_u16();
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn fault_switch_makes_the_key_endpoint_answer_503_until_cleared() {
    let stand_in = StandIn::start();
    let jwks_path = format!("/v2/keys/{PROJECT_ID}");
    let before = stand_in.get(&jwks_path, None).await;
    assert_eq!(before.status, 200);

    let on = stand_in
        .post("/_stand-in/faults", r#"{"keys_unavailable":true}"#, None)
        .await;
    assert_eq!(
        (on.status, on.json.clone()),
        (200, json!({ "keys_unavailable": true }))
    );
    stand_in
        .get(&jwks_path, None)
        .await
        .assert_error(503, "E010503");
    assert_eq!(
        stand_in.get("/_stand-in/faults", None).await.json,
        json!({ "keys_unavailable": true })
    );
    // Sign-in keeps working: only the key endpoint is down.
    stand_in.sign_in("teacher@example.com").await;

    let off = stand_in
        .post("/_stand-in/faults", r#"{"keys_unavailable":false}"#, None)
        .await;
    assert_eq!(off.json, json!({ "keys_unavailable": false }));
    let after = stand_in.get(&jwks_path, None).await;
    assert_eq!(after.status, 200);
    assert_eq!(after.json, before.json, "the same key comes back");

    // A misspelt or missing switch is refused rather than ignored.
    stand_in
        .post("/_stand-in/faults", r#"{"keys_unavailble":true}"#, None)
        .await
        .assert_error(400, "E011001");
    stand_in
        .post("/_stand-in/faults", "{}", None)
        .await
        .assert_error(400, "E011001");
    stand_in
        .post("/_stand-in/faults", "on", None)
        .await
        .assert_error(400, "E011001");
}

/// The stand-in's test hook that issues expired sessions.
const HOOK: &str = "/_stand-in/expired-session";

#[tokio::test]
async fn expired_session_hook_issues_a_long_expired_session_signed_with_the_served_key() {
    let stand_in = StandIn::start();
    let jwks = stand_in
        .get(&format!("/v2/keys/{PROJECT_ID}"), None)
        .await
        .json;
    let key = &jwks["keys"][0];
    let decoding = DecodingKey::from_rsa_components(
        key["n"].as_str().expect("n"),
        key["e"].as_str().expect("e"),
    )
    .expect("RSA key from the JWKS");

    let answer = stand_in.expired_session("Student@Example.com").await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.header("cache-control"), Some("no-store"));
    let fields: Vec<&String> = answer.json.as_object().unwrap().keys().collect();
    assert_eq!(fields, ["sessionJwt"]);
    let token = answer.json["sessionJwt"].as_str().expect("sessionJwt");

    let header = jsonwebtoken::decode_header(token).unwrap();
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    assert_eq!(header.alg, Algorithm::RS256);

    // Refused for its expiry alone, with the backend's leeway: the signature verifies.
    let mut validation = Validation::new(Algorithm::RS256);
    validation.leeway = BACKEND_LEEWAY_SECS;
    validation.set_required_spec_claims(&["exp", "iss", "sub"]);
    let refused = jsonwebtoken::decode::<Value>(token, &decoding, &validation).unwrap_err();
    assert_eq!(refused.kind(), &ErrorKind::ExpiredSignature);

    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<Value>(token, &decoding, &validation)
        .unwrap()
        .claims;
    let now = unix_now();
    let exp = claims["exp"].as_u64().unwrap();
    assert!(
        exp + 60 < now && exp + 3600 > now,
        "expired minutes ago, not moments ago"
    );
    assert!(claims["iat"].as_u64().unwrap() < exp);
    assert_eq!(claims["sub"], "U2LocalStudent");
    assert_eq!(claims["roles"], json!(["student"]));
    assert_eq!(claims["drn"], "DS");
    assert_eq!(
        claims["iss"],
        format!("https://api.descope.com/{PROJECT_ID}")
    );

    // An unknown user, no login ID, an unknown field, the wrong method.
    let with_password = r#"{"loginId":"student@example.com","password":"demo-password"}"#;
    let refusals = [
        (
            stand_in.expired_session("nobody@example.com").await,
            400,
            "E011003",
        ),
        (stand_in.post(HOOK, "{}", None).await, 400, "E011003"),
        (
            stand_in.post(HOOK, with_password, None).await,
            400,
            "E011001",
        ),
        (stand_in.get(HOOK, None).await, 405, "E010405"),
    ];
    for (answer, status, code) in refusals {
        answer.assert_error(status, code);
    }
}

/// The backend's clock-skew allowance (`LEEWAY_SECS` in functions/descope-auth).
const BACKEND_LEEWAY_SECS: u64 = 5;

#[tokio::test]
async fn cors_preflight_and_error_answers_carry_the_exact_loopback_origin() {
    let stand_in = StandIn::start();
    let requested_headers = "authorization,content-type,x-descope-sdk-name,x-descope-sdk-session-id,x-descope-sdk-version,x-descope-project-id";

    for origin in ["http://127.0.0.1:5173", "http://localhost:5173"] {
        let preflight = stand_in
            .client
            .request(reqwest::Method::OPTIONS, stand_in.url("/v1/auth/refresh"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", requested_headers)
            .header("access-control-request-private-network", "true")
            .send()
            .await
            .unwrap();
        assert_eq!(preflight.status().as_u16(), 204);
        let headers = preflight.headers();
        assert_eq!(headers["access-control-allow-origin"], origin);
        assert_eq!(headers["access-control-allow-credentials"], "true");
        assert_eq!(headers["access-control-allow-headers"], requested_headers);
        assert!(
            headers["access-control-allow-methods"]
                .to_str()
                .unwrap()
                .contains("POST")
        );

        // The call the preflight was for fails (bad token); the browser must still see the 401.
        let failed = stand_in
            .client
            .post(stand_in.url("/v1/auth/refresh"))
            .header("origin", origin)
            .header("authorization", format!("Bearer {PROJECT_ID}:not-a-token"))
            .body("{}")
            .send()
            .await
            .unwrap();
        let failed = Answer::from(failed).await;
        failed.assert_error(401, "E061301");
        assert_eq!(failed.header("access-control-allow-origin"), Some(origin));
        assert_eq!(
            failed.header("access-control-allow-credentials"),
            Some("true")
        );

        // The same on the not-found fallback.
        let missing = stand_in
            .client
            .get(stand_in.url("/v1/auth/nothing-here"))
            .header("origin", origin)
            .send()
            .await
            .unwrap();
        let missing = Answer::from(missing).await;
        missing.assert_error(404, "E010404");
        assert_eq!(missing.header("access-control-allow-origin"), Some(origin));
    }
}

#[tokio::test]
async fn cors_refuses_origins_off_the_loopback_interface() {
    let stand_in = StandIn::start();
    for origin in [
        "http://evil.example",
        "https://127.0.0.1:5173",
        "http://localhost.evil.example",
    ] {
        let preflight = stand_in
            .client
            .request(
                reqwest::Method::OPTIONS,
                stand_in.url("/v1/auth/password/signin"),
            )
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
            .send()
            .await
            .unwrap();
        let preflight = Answer::from(preflight).await;
        preflight.assert_error(403, "E010403");
        assert_eq!(preflight.header("access-control-allow-origin"), None);

        let signin = stand_in
            .client
            .post(stand_in.url("/v1/auth/password/signin"))
            .header("origin", origin)
            .body(json!({ "loginId": "teacher@example.com", "password": PASSWORD }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(
            signin.headers().get("access-control-allow-origin"),
            None,
            "{origin}"
        );
    }
}

#[tokio::test]
async fn unknown_paths_and_methods_answer_json() {
    let stand_in = StandIn::start();
    stand_in
        .get("/v1/auth/nowhere", None)
        .await
        .assert_error(404, "E010404");
    stand_in
        .post("/v1/auth/me", "{}", None)
        .await
        .assert_error(405, "E010405");
    let answer = stand_in.get("/v1/auth/password/signin", None).await;
    answer.assert_error(405, "E010405");
    assert_eq!(answer.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn logs_never_contain_tokens_or_passwords() {
    let stand_in = StandIn::start();
    let signed_in = stand_in.sign_in("teacher@example.com").await;
    let session_jwt = signed_in["sessionJwt"].as_str().unwrap().to_owned();
    let refresh_jwt = signed_in["refreshJwt"].as_str().unwrap().to_owned();
    let token = Some(refresh_jwt.as_str());
    assert_eq!(
        stand_in
            .post("/v1/auth/try-refresh?dcs=t&dcr=t", "{}", token)
            .await
            .status,
        200
    );
    assert_eq!(stand_in.get("/v1/auth/me", token).await.status, 200);
    assert_eq!(
        stand_in.post("/v1/auth/logout", "{}", token).await.status,
        200
    );
    assert_eq!(
        stand_in.post("/v1/auth/refresh", "{}", token).await.status,
        401
    );
    let refused = stand_in
        .post(
            "/v1/auth/password/signin",
            r#"{"loginId":"teacher@example.com","password":"wrong-secret-guess"}"#,
            None,
        )
        .await;
    assert_eq!(refused.status, 401);
    let expired = stand_in.expired_session("teacher@example.com").await;
    let expired_jwt = expired.json["sessionJwt"].as_str().unwrap().to_owned();

    let log = stand_in.stop_and_read_log();
    assert!(
        log.contains("/v1/auth/logout"),
        "requests are logged: {log}"
    );
    for secret in [
        session_jwt.as_str(),
        refresh_jwt.as_str(),
        // Any token segment: header, payload or signature.
        refresh_jwt.split('.').nth(1).unwrap(),
        refresh_jwt.split('.').nth(2).unwrap(),
        expired_jwt.split('.').nth(2).unwrap(),
        PASSWORD,
        "wrong-secret-guess",
        "dcs=t",
    ] {
        assert!(!log.contains(secret), "log leaks {secret:?}");
    }
}

#[test]
fn first_stdout_line_is_the_address_then_the_demo_users() {
    let mut child = stand_in_command()
        .args(["--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut banner = Vec::new();
    for _ in 0..7 {
        banner.push(lines.next().unwrap().unwrap());
    }
    child.kill().unwrap();
    child.wait().unwrap();

    let address = banner[0]
        .strip_prefix("listening on http://127.0.0.1:")
        .unwrap();
    assert!(address.parse::<u16>().unwrap() > 0, "{}", banner[0]);
    let rest = banner[1..].join("\n");
    for expected in [
        "demo-password",
        "teacher@example.com",
        "Tess Teacher",
        "student@example.com",
        "Sam Student",
        "both@example.com",
        "Blake Both",
        "teacher, student",
        "norole@example.com",
        "Noa Norole",
        "no roles",
    ] {
        assert!(
            rest.contains(expected),
            "banner lacks {expected:?}:\n{rest}"
        );
    }
}

#[test]
fn refuses_to_listen_on_every_interface_or_a_public_address_and_names_what_to_fix() {
    for (args, env, needle) in [
        (
            vec!["--host", "0.0.0.0"],
            None,
            "refusing to listen on 0.0.0.0",
        ),
        (
            vec![],
            Some(("STAND_IN_HOST", "203.0.113.20")),
            "STAND_IN_HOST",
        ),
        (vec!["--port", "eighty"], None, "--port"),
        (vec![], Some(("STAND_IN_PORT", "99999")), "STAND_IN_PORT"),
        (vec!["--session-ttl", "10"], None, "--session-ttl"),
        (
            vec!["--frobnicate"],
            None,
            "unexpected argument '--frobnicate'",
        ),
        (
            vec!["--port"],
            None,
            "a value is required for '--port <PORT>'",
        ),
    ] {
        let mut command = stand_in_command();
        command.args(&args);
        if let Some((name, value)) = env {
            command.env(name, value);
        }
        let output = command.output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?} {env:?}");
        assert!(
            output.stdout.is_empty(),
            "nothing that looks like a listening line"
        );
        let stderr = String::from_utf8(output.stderr).unwrap();
        assert!(stderr.contains(needle), "{args:?} {env:?}: {stderr}");
    }
}

/// The whole 127.0.0.0/8 block is loopback on Linux, so a second loopback address shows the
/// host option reaching the socket without needing a Docker bridge on the test machine.
#[cfg(target_os = "linux")]
#[tokio::test]
async fn host_from_the_environment_is_bound_and_announced() {
    let mut child = stand_in_command()
        .args(["--port", "0"])
        .env("STAND_IN_HOST", "127.0.0.2")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut first_line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first_line)
        .unwrap();
    let base_url = first_line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("unexpected first line {first_line:?}"))
        .to_owned();
    let response = reqwest::get(format!("{base_url}/v2/keys/{PROJECT_ID}")).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(base_url.starts_with("http://127.0.0.2:"), "{base_url}");
    assert_eq!(response.unwrap().status().as_u16(), 200);
}

#[test]
fn a_private_host_passes_the_check_and_a_missing_one_names_the_host_option() {
    // A unique-local address no machine here holds: accepted by the option, refused by the kernel.
    let output = stand_in_command()
        .args(["--port", "0", "--host", "fd00:5747:a11d::1"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("cannot listen on [fd00:5747:a11d::1]:0"),
        "{stderr}"
    );
    assert!(stderr.contains("--host"), "{stderr}");
}

#[test]
fn help_lists_every_option_and_variable() {
    for flag in ["--help", "-h"] {
        let output = stand_in_command().arg(flag).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{flag}");
        assert!(output.stderr.is_empty(), "{flag}");
        let help = String::from_utf8(output.stdout).unwrap();
        assert!(
            help.contains("Usage: descope-stand-in [OPTIONS]"),
            "{flag}: {help}"
        );
        for needle in [
            "--port",
            "STAND_IN_PORT",
            "--project-id",
            "DESCOPE_PROJECT_ID",
            "--host",
            "STAND_IN_HOST",
            "--session-ttl",
            "STAND_IN_SESSION_TTL",
        ] {
            assert!(help.contains(needle), "{flag}: {needle}");
        }
    }
}

#[test]
fn an_unknown_option_is_refused_with_the_usage_line() {
    let output = stand_in_command()
        .args(["--port", "0", "--verbose"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "nothing is announced");
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(
        stderr.contains("error: unexpected argument '--verbose' found"),
        "{stderr}"
    );
    assert!(stderr.contains("Usage: descope-stand-in "), "{stderr}");
    assert!(stderr.contains("try '--help'"), "{stderr}");
}

#[tokio::test]
async fn session_lifetime_follows_the_session_ttl_option() {
    let stand_in = StandIn::start_with(&["--session-ttl", "120"]);
    let before = common::unix_now();
    let response = stand_in.sign_in("student@example.com").await;
    let after = common::unix_now();
    let expiration = response["sessionExpiration"].as_u64().unwrap();
    assert!(
        (before + 120..=after + 120).contains(&expiration),
        "{expiration}"
    );

    // The backend holds the token to that lifetime, give or take its leeway.
    let session_jwt = response["sessionJwt"].as_str().unwrap();
    let at_expiry = common::validator_at(&stand_in, expiration);
    let session = at_expiry
        .validate_token(session_jwt)
        .await
        .expect("valid until its expiration");
    assert_eq!(session.expires_at(), expiration);
    let past_leeway = expiration + descope_auth::LEEWAY_SECS + 1;
    let refusal = common::validator_at(&stand_in, past_leeway)
        .validate_token(session_jwt)
        .await
        .expect_err("expired past the leeway");
    assert!(
        matches!(
            refusal,
            descope_auth::AuthError::InvalidToken(descope_auth::TokenRejection::Claims(
                descope_auth::ClaimsError::Expired { .. }
            ))
        ),
        "{refusal:?}"
    );
}
