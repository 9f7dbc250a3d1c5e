//! The `/v1/auth/*` endpoints as `@descope/react-sdk` uses them, against the real binary.

mod common;

use common::{PROJECT_ID, StandIn, unix_now, validate_session_like_the_backend};
use serde_json::{Value, json};

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

async fn jwks(stand_in: &StandIn) -> Value {
    let answer = stand_in.get(&format!("/v2/keys/{PROJECT_ID}"), None).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.json
}

#[tokio::test]
async fn sign_in_answers_a_jwt_response_whose_tokens_pass_the_backend_rules() {
    let stand_in = StandIn::start();
    let jwks = jwks(&stand_in).await;

    for (login_id, user_id, name, roles) in USERS {
        let before = unix_now();
        let response = stand_in.sign_in(login_id).await;
        let after = unix_now();

        let session_jwt = response["sessionJwt"].as_str().expect("sessionJwt");
        let refresh_jwt = response["refreshJwt"].as_str().expect("refreshJwt");
        let claims = validate_session_like_the_backend(&jwks, session_jwt, after);
        assert_eq!(claims["sub"], user_id);
        assert_eq!(claims["roles"], json!(roles));
        assert_eq!(
            claims["iss"],
            format!("https://api.descope.com/{PROJECT_ID}")
        );

        // About ten minutes, and the SDK's own clock for it.
        let exp = claims["exp"].as_u64().unwrap();
        assert!((before + 600..=after + 600).contains(&exp), "exp {exp}");
        assert_eq!(response["sessionExpiration"], exp);
        assert_eq!(
            response["claims"], claims,
            "claims mirror the session token"
        );

        // The refresh token lives longer, is marked DSR, and is signed by the same served key.
        let refresh_header = jsonwebtoken::decode_header(refresh_jwt).unwrap();
        assert_eq!(
            refresh_header.kid.as_deref(),
            jwks["keys"][0]["kid"].as_str()
        );
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
    let jwks = jwks(&stand_in).await;
    let response = stand_in.sign_in("teacher@example.com").await;
    let refresh_jwt = response["refreshJwt"].as_str().unwrap();

    // Signature and claims are fine; only `drn` tells the two apart, as in Descope.
    let header = jsonwebtoken::decode_header(refresh_jwt).unwrap();
    let key = &jwks["keys"][0];
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
    let decoding = jsonwebtoken::DecodingKey::from_rsa_components(
        key["n"].as_str().unwrap(),
        key["e"].as_str().unwrap(),
    )
    .unwrap();
    let validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    let claims = jsonwebtoken::decode::<Value>(refresh_jwt, &decoding, &validation)
        .unwrap()
        .claims;
    assert_eq!(claims["drn"], "DSR");
    assert_eq!(claims["sub"], "U2LocalTeacher");
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
    let jwks = jwks(&stand_in).await;
    let signed_in = stand_in.sign_in("both@example.com").await;
    let refresh_jwt = signed_in["refreshJwt"].as_str().unwrap().to_owned();
    let token = Some(refresh_jwt.as_str());

    // Page load: the SDK calls try-refresh with the stored refresh token and query flags.
    let tried = stand_in
        .post("/v1/auth/try-refresh?dcs=t&dcr=t", "{}", token)
        .await;
    assert_eq!(tried.status, 200, "{}", tried.body);
    let claims = validate_session_like_the_backend(
        &jwks,
        tried.json["sessionJwt"].as_str().unwrap(),
        unix_now(),
    );
    assert_eq!(claims["sub"], "U2LocalBoth");
    assert_eq!(tried.json["sessionExpiration"], claims["exp"]);
    assert_eq!(tried.json["refreshJwt"], refresh_jwt.as_str());
    assert_eq!(tried.json["user"]["userId"], "U2LocalBoth");

    // Timer-driven refresh.
    let refreshed = stand_in
        .post("/v1/auth/refresh?dcs=t&dcr=t", "{}", token)
        .await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    validate_session_like_the_backend(
        &jwks,
        refreshed.json["sessionJwt"].as_str().unwrap(),
        unix_now(),
    );
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
