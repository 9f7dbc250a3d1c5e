//! The `/v1/auth/*` endpoints as `@descope/react-sdk` uses them, against the real binary.

mod common;

use common::{PROJECT_ID, StandIn, payload_of, unix_now, validator_for};
use descope_auth::{AuthError, ClaimsError, SessionValidator, TokenRejection};
use serde_json::json;

const USERS: [(&str, &str, &str, &[&str]); 4] = [
    (
        "teacher@example.com",
        "U2LocalTeacher",
        "Tess Teacher",
        &["teacher"],
    ),
    (
        "student@example.com",
        "U2LocalStudent",
        "Sam Student",
        &["student"],
    ),
    (
        "both@example.com",
        "U2LocalBoth",
        "Blake Both",
        &["teacher", "student"],
    ),
    ("norole@example.com", "U2LocalNoRole", "Noa Norole", &[]),
];

/// The refusal a refresh token gets where a session token is expected. The validator checks
/// `drn` only after it found the token's kid among the served keys and checked the signature.
async fn assert_refused_as_a_refresh_token(validator: &SessionValidator, refresh_jwt: &str) {
    let refusal = validator
        .validate_token(refresh_jwt)
        .await
        .expect_err("a refresh token is not a session token");
    assert!(
        matches!(
            refusal,
            AuthError::InvalidToken(TokenRejection::Claims(ClaimsError::RefreshToken))
        ),
        "{refusal:?}"
    );
}

#[tokio::test]
async fn sign_in_answers_a_jwt_response_whose_tokens_pass_the_backend_rules() {
    let stand_in = StandIn::start();
    let validator = validator_for(&stand_in);

    for (login_id, user_id, name, roles) in USERS {
        let before = unix_now();
        let response = stand_in.sign_in(login_id).await;
        let after = unix_now();

        let session_jwt = response["sessionJwt"].as_str().expect("sessionJwt");
        let refresh_jwt = response["refreshJwt"].as_str().expect("refreshJwt");
        let session = validator
            .validate_token(session_jwt)
            .await
            .unwrap_or_else(|refusal| panic!("{login_id}: the backend refused: {refusal}"));
        assert_eq!(session.subject(), user_id);
        assert_eq!(session.roles(), roles);
        assert_eq!(
            session.issuer(),
            format!("https://api.descope.com/{PROJECT_ID}")
        );
        assert!(session.permissions().is_empty());
        assert_eq!(session.tenant_ids().count(), 0);

        // About ten minutes, and the SDK's own clock for it.
        let exp = session.expires_at();
        assert!((before + 600..=after + 600).contains(&exp), "exp {exp}");
        assert_eq!(response["sessionExpiration"], exp);
        // The validator accepted the token, so its payload may be read: the SDK's copy of the
        // claims, and `drn`, which `Session` does not expose.
        let claims = payload_of(session_jwt);
        assert_eq!(claims["drn"], "DS");
        assert_eq!(
            response["claims"], claims,
            "claims mirror the session token"
        );

        // The refresh token lives longer, is marked DSR, and is signed by the same served key.
        assert_refused_as_a_refresh_token(&validator, refresh_jwt).await;
        let cookie_expiration = response["cookieExpiration"].as_u64().unwrap();
        assert!(
            cookie_expiration > exp + 3600,
            "refresh outlives the session"
        );
        assert!(response["cookieMaxAge"].as_u64().unwrap() > 3600);
        assert_eq!(response["cookiePath"], "/");
        assert!(response["cookieDomain"].is_string());
        assert_eq!(response["firstSeen"], false);

        let user = &response["user"];
        assert_eq!(user["userId"], user_id);
        assert_eq!(user["loginIds"], json!([login_id]));
        assert_eq!(user["name"], name);
        assert_eq!(user["email"], login_id);
        assert_eq!(user["verifiedEmail"], true);
        assert_eq!(user["roleNames"], json!(roles));
        assert_eq!(user["userTenants"], json!([]));
    }
}

#[tokio::test]
async fn a_refresh_token_is_refused_where_a_session_token_is_expected() {
    let stand_in = StandIn::start();
    let response = stand_in.sign_in("teacher@example.com").await;
    let refresh_jwt = response["refreshJwt"].as_str().unwrap();

    // Signature and claims are fine; only `drn` tells the two apart, as in Descope.
    assert_refused_as_a_refresh_token(&validator_for(&stand_in), refresh_jwt).await;
    // Refused at the drn rule, past the signature check: the token is the teacher's.
    assert_eq!(payload_of(refresh_jwt)["sub"], "U2LocalTeacher");
}

#[tokio::test]
async fn wrong_password_and_unknown_user_get_the_same_401() {
    let stand_in = StandIn::start();
    let wrong_password = stand_in
        .post(
            "/v1/auth/password/signin",
            r#"{"loginId":"teacher@example.com","password":"not-the-password"}"#,
            None,
        )
        .await;
    wrong_password.assert_error(401, "E062108");
    let unknown_user = stand_in
        .post(
            "/v1/auth/password/signin",
            r#"{"loginId":"nobody@example.com","password":"demo-password"}"#,
            None,
        )
        .await;
    assert_eq!(unknown_user.body, wrong_password.body);
    assert_eq!(unknown_user.status, 401);
}

#[tokio::test]
async fn bad_request_bodies_get_400_json() {
    let stand_in = StandIn::start();
    let signin = "/v1/auth/password/signin";

    stand_in
        .post(signin, "loginId=teacher", None)
        .await
        .assert_error(400, "E011001");
    stand_in
        .post(signin, "[1,2]", None)
        .await
        .assert_error(400, "E011001");
    stand_in
        .post(signin, "", None)
        .await
        .assert_error(400, "E011003");
    stand_in
        .post(signin, r#"{"loginId":"teacher@example.com"}"#, None)
        .await
        .assert_error(400, "E011003");
    stand_in
        .post(signin, r#"{"loginId":"","password":"demo-password"}"#, None)
        .await
        .assert_error(400, "E011003");

    // A wrongly typed field is refused without echoing its value back.
    let typed = stand_in
        .post(
            signin,
            r#"{"loginId":"teacher@example.com","password":98765}"#,
            None,
        )
        .await;
    typed.assert_error(400, "E011001");
    assert!(!typed.body.contains("98765"), "{}", typed.body);

    stand_in
        .post("/v1/auth/refresh", "{not json", None)
        .await
        .assert_error(400, "E011001");
}

#[tokio::test]
async fn refresh_me_and_logout_follow_the_sdk_flow() {
    let stand_in = StandIn::start();
    let validator = validator_for(&stand_in);
    let signed_in = stand_in.sign_in("both@example.com").await;
    let refresh_jwt = signed_in["refreshJwt"].as_str().unwrap().to_owned();
    let token = Some(refresh_jwt.as_str());

    // Page load: the SDK calls try-refresh with the stored refresh token and query flags.
    let tried = stand_in
        .post("/v1/auth/try-refresh?dcs=t&dcr=t", "{}", token)
        .await;
    assert_eq!(tried.status, 200, "{}", tried.body);
    let session = validator
        .validate_token(tried.json["sessionJwt"].as_str().unwrap())
        .await
        .expect("the backend accepts the refreshed session");
    assert_eq!(session.subject(), "U2LocalBoth");
    assert_eq!(tried.json["sessionExpiration"], session.expires_at());
    assert_eq!(tried.json["refreshJwt"], refresh_jwt.as_str());
    assert_eq!(tried.json["user"]["userId"], "U2LocalBoth");

    // Timer-driven refresh.
    let refreshed = stand_in
        .post("/v1/auth/refresh?dcs=t&dcr=t", "{}", token)
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    validator
        .validate_token(refreshed.json["sessionJwt"].as_str().unwrap())
        .await
        .expect("the backend accepts the refreshed session");
    assert!(refreshed.json["sessionExpiration"].is_u64());

    let me = stand_in.get("/v1/auth/me", token).await;
    assert_eq!(me.status, 200, "{}", me.body);
    assert_eq!(me.json["userId"], "U2LocalBoth");
    assert_eq!(me.json["name"], "Blake Both");
    assert_eq!(me.json["roleNames"], json!(["teacher", "student"]));

    let logout = stand_in.post("/v1/auth/logout", "{}", token).await;
    assert_eq!(logout.status, 200, "{}", logout.body);
    assert_eq!(logout.json, json!({}));

    // Logout revoked the refresh token everywhere.
    stand_in
        .post("/v1/auth/refresh", "{}", token)
        .await
        .assert_error(401, "E061301");
    stand_in
        .post("/v1/auth/try-refresh", "{}", token)
        .await
        .assert_error(401, "E061301");
    stand_in
        .get("/v1/auth/me", token)
        .await
        .assert_error(401, "E061301");
    stand_in
        .post("/v1/auth/logout", "{}", token)
        .await
        .assert_error(401, "E061301");

    // Another sign-in of the same user is unaffected.
    let again = stand_in.sign_in("both@example.com").await;
    let again_token = again["refreshJwt"].as_str();
    assert_eq!(stand_in.get("/v1/auth/me", again_token).await.status, 200);
}

#[tokio::test]
async fn try_refresh_without_a_token_is_an_empty_success() {
    let stand_in = StandIn::start();
    let url = stand_in.url("/v1/auth/try-refresh?dcs=f&dcr=f");

    // The SDK sends `Bearer <projectId>` alone when it holds no refresh token.
    let project_only = stand_in
        .client
        .post(&url)
        .header("authorization", format!("Bearer {PROJECT_ID}"))
        .body("{}")
        .send()
        .await
        .unwrap();
    let answer = common::Answer::from(project_only).await;
    assert_eq!((answer.status, answer.json), (200, json!({})));

    let no_header = stand_in.post("/v1/auth/try-refresh", "{}", None).await;
    assert_eq!((no_header.status, no_header.json), (200, json!({})));

    // Refresh, me and logout need a token.
    stand_in
        .post("/v1/auth/refresh", "{}", None)
        .await
        .assert_error(401, "E061301");
    stand_in
        .get("/v1/auth/me", None)
        .await
        .assert_error(401, "E061301");
    stand_in
        .post("/v1/auth/logout", "{}", None)
        .await
        .assert_error(401, "E061301");
}

#[tokio::test]
async fn bad_refresh_tokens_get_401() {
    let stand_in = StandIn::start();
    let signed_in = stand_in.sign_in("student@example.com").await;
    let session_jwt = signed_in["sessionJwt"].as_str().unwrap();
    let refresh_jwt = signed_in["refreshJwt"].as_str().unwrap();

    // A tampered payload breaks the signature.
    let mut parts: Vec<String> = refresh_jwt.split('.').map(str::to_owned).collect();
    parts[1] = parts[1].chars().rev().collect();
    let tampered = parts.join(".");

    // A token from another run of the stand-in (another key).
    let other_run = StandIn::start();
    let foreign = other_run.sign_in("student@example.com").await;
    let foreign_refresh = foreign["refreshJwt"].as_str().unwrap();

    for token in [
        session_jwt,
        tampered.as_str(),
        foreign_refresh,
        "garbage",
        "a.b.c",
    ] {
        for path in ["/v1/auth/refresh", "/v1/auth/try-refresh"] {
            stand_in
                .post(path, "{}", Some(token))
                .await
                .assert_error(401, "E061301");
        }
        stand_in
            .get("/v1/auth/me", Some(token))
            .await
            .assert_error(401, "E061301");
    }
}

#[tokio::test]
async fn another_project_in_the_authorization_header_is_refused() {
    let stand_in = StandIn::start();
    let signed_in = stand_in.sign_in("teacher@example.com").await;
    let refresh_jwt = signed_in["refreshJwt"].as_str().unwrap();
    let response = stand_in
        .client
        .post(stand_in.url("/v1/auth/refresh"))
        .header(
            "authorization",
            format!("Bearer P2SomeOtherProject:{refresh_jwt}"),
        )
        .body("{}")
        .send()
        .await
        .unwrap();
    common::Answer::from(response)
        .await
        .assert_error(400, "E011003");
}
