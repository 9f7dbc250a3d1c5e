//! The publisher's handler against moto's S3 and CloudFront on 127.0.0.1, from CloudFormation's
//! request to the answer PUT to its response URL.

mod support;

use std::time::{Duration, Instant};

use frontend_publisher::handler::Budget;
use frontend_publisher::publish::MANIFEST_KEY;
use frontend_publisher::{Responder, handle};
use serde_json::{Value, json};
use support::*;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn physical_id(site: &Site) -> String {
    format!("frontend-site:{}", site.bucket)
}

async fn create(site: &Site, version: u32, tag: &str) -> String {
    let build = site.builds.add_vite_build(version, tag);
    let answer = site
        .send(site.create_event(&format!("create-{tag}"), site.properties(&build)))
        .await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    build
}

async fn update(site: &Site, request_id: &str, build: &str, old_build: &str) -> Value {
    let id = physical_id(site);
    site.send(site.update_event(
        request_id,
        &id,
        site.properties(build),
        site.properties(old_build),
    ))
    .await
}

/// A site created with build v1, then updated to build v2: (v1, v2).
async fn created_then_updated_to_v2(site: &Site) -> (String, String) {
    let v1 = create(site, 1, "v1").await;
    let v2 = site.builds.add_vite_build(2, "v2");
    let answer = update(site, "update-2", &v2, &v1).await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    (v1, v2)
}

fn build_keys(tag: &str) -> Vec<String> {
    vite_build(tag).into_iter().map(|(key, _)| key).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_uploads_every_file_with_its_headers_and_the_config() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let request = as_request(site.create_event("create-1", site.properties(&build)));

    let answer = site.run(&site.publisher(), &request).await;

    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert_eq!(answer["PhysicalResourceId"], physical_id(&site));
    assert!(answer.get("Reason").is_none());
    let mut expected = build_keys("v1");
    expected.extend([MANIFEST_KEY.to_owned(), "config.json".to_owned()]);
    expected.sort();
    assert_eq!(site.keys().await, expected);

    for (key, body) in vite_build("v1") {
        let (content_type, cache_control, stored) = site.object(&key).await;
        assert_eq!(stored, body, "{key}");
        let (want_type, want_cache) = match key.rsplit('.').next().unwrap() {
            "html" => ("text/html; charset=utf-8", "no-cache"),
            "js" => ("text/javascript; charset=utf-8", IMMUTABLE),
            "css" => ("text/css; charset=utf-8", IMMUTABLE),
            "svg" => ("image/svg+xml", "no-cache"),
            other => panic!("unexpected extension {other}"),
        };
        assert_eq!(content_type, want_type, "{key}");
        assert_eq!(cache_control, want_cache, "{key}");
    }
    let (content_type, cache_control, config) = site.object("config.json").await;
    assert_eq!(content_type, "application/json");
    assert_eq!(cache_control, "no-cache");
    assert_eq!(
        serde_json::from_str::<Value>(&config).unwrap(),
        json!({ "projectId": PROJECT_ID, "baseUrl": "" })
    );
    assert_eq!(site.invalidations().await, ["create-1"]);
    assert_eq!(site.builds.downloads(), ["1"]);
    site.calls.assert_all_local();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn config_json_carries_a_custom_base_url() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let mut properties = site.properties(&build);
    properties["DescopeBaseUri"] = json!("https://auth.example.com");

    let answer = site.send(site.create_event("c", properties)).await;

    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    let (_, _, config) = site.object("config.json").await;
    assert_eq!(
        serde_json::from_str::<Value>(&config).unwrap(),
        json!({ "projectId": PROJECT_ID, "baseUrl": "https://auth.example.com" })
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn updates_keep_the_previous_build_prune_older_ones_and_invalidate_once() {
    let site = Site::start().await;
    let v1 = create(&site, 1, "v1").await;
    let v2 = site.builds.add_vite_build(2, "v2");
    let v3 = site.builds.add_vite_build(3, "v3");

    let answer = update(&site, "update-2", &v2, &v1).await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert_eq!(
        answer["PhysicalResourceId"],
        physical_id(&site),
        "the ID never changes"
    );
    // Tabs still running v1 can lazy-load its chunks.
    let keys = site.keys().await;
    for key in build_keys("v1").iter().chain(&build_keys("v2")) {
        assert!(
            keys.contains(key),
            "{key} is missing after the update: {keys:?}"
        );
    }

    let answer = update(&site, "update-3", &v3, &v2).await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    let keys = site.keys().await;
    for key in build_keys("v2").iter().chain(&build_keys("v3")) {
        assert!(keys.contains(key), "{key} is missing: {keys:?}");
    }
    for key in [
        "assets/index-v1.js",
        "assets/index-v1.css",
        "assets/lazy-v1.js",
    ] {
        assert!(!keys.contains(&key.to_owned()), "{key} outlived two builds");
    }
    let (_, cache_control, index) = site.object("index.html").await;
    assert!(index.contains("index-v3.js"));
    assert_eq!(cache_control, "no-cache");
    assert_eq!(
        site.invalidations().await,
        ["create-v1", "update-2", "update-3"]
    );

    // Lambda retries an invocation that crashed after publishing: the same request again.
    let downloads = site.builds.downloads().len();
    let retry = as_request(site.update_event(
        "update-3",
        &physical_id(&site),
        site.properties(&v3),
        site.properties(&v2),
    ));
    let responder = Responder::new(frontend_publisher::http_client());
    handle(&site.publisher(), &responder, &retry, AMPLE_BUDGET, "")
        .await
        .expect("answered");
    let answers: Vec<_> = site
        .cfn
        .answers_to("update-3")
        .iter()
        .map(|a| a.json())
        .collect();
    assert_eq!(answers.len(), 2);
    assert_eq!(answers[1]["Status"], "SUCCESS");
    assert_eq!(answers[1]["PhysicalResourceId"], physical_id(&site));
    assert_eq!(
        site.invalidations().await,
        ["create-v1", "update-2", "update-3"],
        "a retried request makes no second invalidation"
    );
    assert_eq!(
        site.builds.downloads().len(),
        downloads,
        "nor downloads the build again"
    );
    site.calls.assert_all_local();
}

/// A change to the Descope parameters alone republishes the live build with a new config.json;
/// the build before it stays, since tabs opened before the last build change still need it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parameters_only_update_keeps_the_build_before_the_live_one() {
    let site = Site::start().await;
    let (_, v2) = created_then_updated_to_v2(&site).await;

    for (request_id, base_url) in [
        ("parameters-1", "https://auth.example.com"),
        ("parameters-2", "https://auth2.example.com"),
    ] {
        let mut properties = site.properties(&v2);
        properties["DescopeBaseUri"] = json!(base_url);
        let answer = site
            .send(site.update_event(
                request_id,
                &physical_id(&site),
                properties,
                site.properties(&v2),
            ))
            .await;
        assert_eq!(answer["Status"], "SUCCESS", "{answer}");
        let (_, _, config) = site.object("config.json").await;
        assert_eq!(
            serde_json::from_str::<Value>(&config).unwrap()["baseUrl"],
            base_url
        );
        let keys = site.keys().await;
        for key in build_keys("v1").iter().chain(&build_keys("v2")) {
            assert!(
                keys.contains(key),
                "{request_id}: {key} is missing: {keys:?}"
            );
        }
    }

    // The next build change keeps the live build (v2) and lets v1 go.
    let v3 = site.builds.add_vite_build(3, "v3");
    assert_eq!(
        update(&site, "update-3", &v3, &v2).await["Status"],
        "SUCCESS"
    );
    let keys = site.keys().await;
    for key in build_keys("v2").iter().chain(&build_keys("v3")) {
        assert!(keys.contains(key), "{key} is missing: {keys:?}");
    }
    assert!(
        !keys.contains(&"assets/lazy-v1.js".to_owned()),
        "v1 outlived two build changes: {keys:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_update_republishes_the_previous_build() {
    let site = Site::start().await;
    let (v1, v2) = created_then_updated_to_v2(&site).await;

    // CloudFormation's rollback: an Update whose new properties are the old ones.
    let answer = update(&site, "rollback", &v1, &v2).await;

    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert_eq!(answer["PhysicalResourceId"], physical_id(&site));
    let (_, _, index) = site.object("index.html").await;
    assert!(
        index.contains("index-v1.js"),
        "index.html is v1's again: {index}"
    );
    let keys = site.keys().await;
    for key in build_keys("v1").iter().chain(&build_keys("v2")) {
        assert!(
            keys.contains(key),
            "{key} is missing after the rollback: {keys:?}"
        );
    }
    let (_, _, lazy) = site.object("assets/lazy-v1.js").await;
    assert_eq!(lazy, "export const page='v1'");
    assert_eq!(site.builds.downloads(), ["1", "2", "1"]);
    assert_eq!(site.invalidations().await.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn delete_empties_the_bucket() {
    let site = Site::start().await;
    let v1 = create(&site, 1, "v1").await;
    // Objects the publisher never wrote go too: CloudFormation cannot delete a non-empty bucket.
    site.put_object("stray/upload.txt", "x").await;

    let id = physical_id(&site);
    let answer = site
        .send(site.delete_event("delete", &id, site.properties(&v1)))
        .await;

    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert_eq!(answer["PhysicalResourceId"], id);
    assert!(site.keys().await.is_empty());
    site.s3
        .delete_bucket()
        .bucket(&site.bucket)
        .send()
        .await
        .expect("the emptied bucket can be deleted");
    site.calls.assert_all_local();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_create_into_a_missing_bucket_fails_and_its_delete_succeeds() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let mut properties = site.properties(&build);
    properties["BucketName"] = json!("no-such-bucket");

    let answer = site
        .send(site.create_event("create", properties.clone()))
        .await;

    let reason = failure_reason(&answer);
    assert!(
        reason.contains("bucket no-such-bucket does not exist"),
        "{reason}"
    );
    assert!(
        reason.contains("test-stream"),
        "the reason points at the log: {reason}"
    );
    let failed_id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
    assert!(
        failed_id.starts_with("frontend-site-create-failed:"),
        "{failed_id}"
    );

    // The rollback's Delete of the failed resource.
    let answer = site
        .send(site.delete_event("rollback-delete", &failed_id, properties.clone()))
        .await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert_eq!(answer["PhysicalResourceId"], failed_id.as_str());

    // A Delete of a published site whose bucket is already gone.
    let answer = site
        .send(site.delete_event("delete-gone", "frontend-site:no-such-bucket", properties))
        .await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_create_with_a_half_filled_bucket_is_emptied_on_delete() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let mut properties = site.properties(&build);
    // Uploads succeed, the invalidation fails: the bucket is left holding the build.
    properties["DistributionId"] = json!("ENOSUCHDISTRIBUTION");

    let answer = site
        .send(site.create_event("create", properties.clone()))
        .await;
    let reason = failure_reason(&answer);
    assert!(
        reason.starts_with("CloudFront CreateInvalidation failed: NoSuchDistribution"),
        "{reason}"
    );
    assert!(!site.keys().await.is_empty());

    let failed_id = answer["PhysicalResourceId"].as_str().unwrap().to_owned();
    let answer = site
        .send(site.delete_event("rollback-delete", &failed_id, properties))
        .await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert!(
        site.keys().await.is_empty(),
        "the rollback can delete the bucket"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_answers_failed_with_the_code() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let s3 = denying_s3().await;
    let denied = site.publisher_on_s3_at(&format!("http://{}", s3.addr));

    let answer = site
        .run(
            &denied,
            &as_request(site.create_event("create", site.properties(&build))),
        )
        .await;
    let reason = failure_reason(&answer);
    assert!(
        reason.starts_with("S3 GetObject failed: AccessDenied"),
        "{reason}"
    );

    let id = physical_id(&site);
    let answer = site
        .run(
            &denied,
            &as_request(site.delete_event("delete", &id, site.properties(&build))),
        )
        .await;
    assert_eq!(
        answer["Status"], "FAILED",
        "a Delete that could not empty says so"
    );
    let reason = answer["Reason"].as_str().unwrap();
    assert!(
        reason.starts_with("S3 ListObjectsV2 failed: AccessDenied"),
        "{reason}"
    );
    site.calls.assert_all_local();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_down_answers_failed() {
    let site = Site::start().await;
    let build = site.builds.add_vite_build(1, "v1");
    let down = site.publisher_on_s3_at(&refusing_endpoint());

    let answer = site
        .run(
            &down,
            &as_request(site.create_event("create", site.properties(&build))),
        )
        .await;

    let reason = failure_reason(&answer);
    assert!(
        reason.starts_with("S3 GetObject failed: could not reach S3"),
        "{reason}"
    );
    site.calls.assert_all_local();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_builds_and_properties_answer_failed_and_change_nothing() {
    let site = Site::start().await;
    let no_index = site.builds.add(1, &[("assets/index-x.js", "x")]);
    let missing = layer_arn(404);

    let answer = site
        .send(site.create_event("no-index", site.properties(&no_index)))
        .await;
    assert_eq!(answer["Status"], "FAILED");
    assert!(
        answer["Reason"].as_str().unwrap().contains("no index.html"),
        "{answer}"
    );

    let answer = site
        .send(site.create_event("missing", site.properties(&missing)))
        .await;
    let reason = failure_reason(&answer);
    assert!(
        reason.contains("HTTP 404 Not Found from 127.0.0.1"),
        "{reason}"
    );
    assert!(
        !reason.contains(LAYER_URL_SIGNATURE),
        "the presigned URL stays out of the reason: {reason}"
    );

    let answer = site
        .send(site.create_event("no-bucket-property", json!({ "ServiceToken": "x" })))
        .await;
    assert_eq!(answer["Status"], "FAILED");
    assert!(
        answer["Reason"]
            .as_str()
            .unwrap()
            .contains("properties are invalid"),
        "{answer}"
    );

    assert!(site.keys().await.is_empty());
    assert!(site.invalidations().await.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_handler_that_runs_into_its_deadline_still_answers() {
    let site = Site::start().await;
    let publisher = site.publisher_with(StuckSource);
    let request = site.update_of_kept_site("late");
    let responder = Responder::new(frontend_publisher::http_client());
    // Half a second for the work, the rest kept for the answer.
    let budget = Budget {
        time_left: Duration::from_secs(3),
        answer_margin: Duration::from_millis(2500),
    };

    let started = Instant::now();
    // A guard, so a handler that ignores its deadline fails this test instead of hanging it.
    tokio::time::timeout(
        Duration::from_secs(10),
        handle(&publisher, &responder, &request, budget, ""),
    )
    .await
    .expect("the handler gave up on its own")
    .expect("answered");

    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(500),
        "gave up early: {took:?}"
    );
    assert!(
        took < Duration::from_secs(3),
        "answered after the deadline: {took:?}"
    );
    let answer = site.cfn.answer_to("late");
    assert_eq!(answer["Status"], "FAILED");
    assert_eq!(
        answer["PhysicalResourceId"], "frontend-site:kept",
        "an update keeps its ID"
    );
    assert_eq!(
        answer["Reason"],
        "the publisher ran out of time before finishing"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_update_to_a_new_bucket_takes_a_new_id_so_the_old_bucket_is_emptied() {
    let site = Site::start().await;
    let v1 = create(&site, 1, "v1").await;
    site.s3
        .create_bucket()
        .bucket("site-frontendbucket-new")
        .send()
        .await
        .unwrap();
    let mut properties = site.properties(&v1);
    properties["BucketName"] = json!("site-frontendbucket-new");

    let answer = site
        .send(site.update_event(
            "move",
            &physical_id(&site),
            properties,
            site.properties(&v1),
        ))
        .await;

    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert_eq!(
        answer["PhysicalResourceId"],
        "frontend-site:site-frontendbucket-new"
    );
    // CloudFormation then deletes the old ID with the old properties: the old bucket.
    let old_id = physical_id(&site);
    let answer = site
        .send(site.delete_event("cleanup", &old_id, site.properties(&v1)))
        .await;
    assert_eq!(answer["Status"], "SUCCESS", "{answer}");
    assert!(site.keys().await.is_empty());
}

/// The manifest is the publisher's, not the site's: it sits under the prefix builds may not
/// use, and the bucket policy in template.yaml denies CloudFront that prefix. (moto stores
/// bucket policies but does not evaluate them, so the Deny itself is checked as written.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_manifest_sits_where_the_bucket_policy_keeps_cloudfront_out() {
    use frontend_publisher::site::RESERVED_PREFIX;
    let site = Site::start().await;
    create(&site, 1, "v1").await;

    let private: Vec<String> = site
        .keys()
        .await
        .into_iter()
        .filter(|key| key.starts_with(RESERVED_PREFIX))
        .collect();
    assert_eq!(private, [MANIFEST_KEY]);

    let template =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml"))
            .expect("template.yaml");
    let statements: Vec<&str> = template.split("- Sid: ").collect();
    let denied = format!("${{FrontendBucket.Arn}}/{RESERVED_PREFIX}*");
    assert!(
        statements.iter().any(|statement| {
            let statement = statement.split("\n\n").next().unwrap_or_default();
            statement.contains("Effect: Deny")
                && statement.contains("Service: cloudfront.amazonaws.com")
                && statement.contains("Action: s3:GetObject")
                && statement.contains(&denied)
        }),
        "template.yaml's bucket policy denies CloudFront {denied}"
    );
}
