//! The compiled function as Lambda runs it: a clean environment, a local Runtime API, its AWS
//! clients configured from the environment (pointed at moto on 127.0.0.1 through
//! AWS_ENDPOINT_URL, Lambda at a local GetLayerVersionByArn, with test credentials), and
//! CloudFormation's response URL on loopback.
//! Proves main's wiring; the handler's behaviour is covered in custom_resource.rs.

mod support;

use std::time::Duration;

use serde_json::json;
use support::*;
use test_support::{FunctionProcess, Outcome, RuntimeApi};

const WITHIN: Duration = Duration::from_secs(20);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_function_answers_cloudformation_through_its_own_clients() {
    let site = Site::start().await;
    site.put_object("index.html", "<!doctype html>").await;
    let layers = LayerApi::start(&site.builds).await;
    let mut runtime = RuntimeApi::start().await;
    // FRONTEND_PUBLISHER_BINARY runs another build of it (say, the release one, to time its
    // cold init) through the same checks.
    let function = FunctionProcess::spawn(
        binary(),
        &function_environment(&runtime.address(), &site.moto, &layers),
    );

    // Delete: the S3 client and the answer, end to end.
    let id = format!("frontend-site:{}", site.bucket);
    let delete = site.delete_event("delete", &id, site.properties(&layer_arn(1)));
    let invocation = runtime.invoke(delete.to_string());
    runtime.expect_response(&invocation, WITHIN).await;
    let init = runtime.first_poll_at().expect("polled") - function.started_at;
    eprintln!("cold init (process start to first poll): {init:?}");
    assert_eq!(site.cfn.answer_to("delete")["Status"], "SUCCESS");
    assert!(site.keys().await.is_empty());

    // Create: the whole path, from the layer version's ARN to the published site.
    let build = site.builds.add_vite_build(1, "v1");
    let create = site.create_event("create", site.properties(&build));
    let invocation = runtime.invoke(create.to_string());
    runtime.expect_response(&invocation, WITHIN).await;
    let output = function.kill_and_collect().await;
    let answer = site.cfn.answer_to("create");
    assert_eq!(answer["Status"], "SUCCESS", "{answer}\n{output}");
    assert_eq!(layers.asked(), [build]);
    assert_eq!(site.builds.downloads(), ["1"]);
    let (content_type, cache_control, _) = site.object("assets/index-v1.js").await;
    assert_eq!(content_type, "text/javascript; charset=utf-8");
    assert_eq!(cache_control, "public, max-age=31536000, immutable");
    assert_eq!(site.invalidations().await, ["create"]);

    assert!(
        !output.contains("X-Amz-Signature"),
        "the presigned URLs stay out of the log"
    );
    assert!(
        output
            .lines()
            .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
            .any(|line| line["level"] == "INFO" && line["message"] == "published the frontend"),
        "JSON logs: {output}"
    );
}

fn binary() -> String {
    std::env::var("FRONTEND_PUBLISHER_BINARY")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_frontend-publisher").to_owned())
}

/// At TRACE the AWS SDK and the HTTP stack log a great deal, GetLayerVersionByArn's answer
/// among it; neither presigned URL (the layer's download, CloudFormation's ResponseURL) may
/// reach the log, nor may the one from a request refused for its ResponseURL.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn at_trace_no_presigned_url_reaches_the_log() {
    let site = Site::start().await;
    let layers = LayerApi::start(&site.builds).await;
    let mut runtime = RuntimeApi::start().await;
    let env: Vec<_> = function_environment(&runtime.address(), &site.moto, &layers)
        .into_iter()
        .filter(|(name, _)| name != "AWS_LAMBDA_LOG_LEVEL")
        .chain([("AWS_LAMBDA_LOG_LEVEL".to_owned(), "TRACE".to_owned())])
        .collect();
    let function = FunctionProcess::spawn(binary(), &env);

    let build = site.builds.add_vite_build(1, "v1");
    let create = site.create_event("create", site.properties(&build));
    let invocation = runtime.invoke(create.to_string());
    runtime.expect_response(&invocation, WITHIN).await;
    assert_eq!(site.cfn.answer_to("create")["Status"], "SUCCESS");

    let mut foreign = site.create_event("foreign", site.properties(&build));
    foreign["ResponseURL"] = json!(format!(
        "https://collector.example.com/cfn-response/foreign?{RESPONSE_URL_SIGNATURE}"
    ));
    let invocation = runtime.invoke(foreign.to_string());
    match runtime.next_outcome(WITHIN).await {
        Some(Outcome::InvocationError(answer)) => assert_eq!(answer.request_id, invocation),
        other => panic!("the refused request fails its invocation: {other:?}"),
    }
    let output = function.kill_and_collect().await;

    let lines: Vec<serde_json::Value> = output
        .lines()
        .filter_map(|line| serde_json::from_str(line).ok())
        .collect();
    assert!(
        lines.iter().any(|line| line["level"] == "TRACE"),
        "TRACE lines are logged:\n{output}"
    );
    assert!(
        lines.iter().any(|line| line["level"] == "ERROR"
            && line["error"]
                .as_str()
                .is_some_and(|error| error.starts_with(
                    "refusing to answer at https://collector.example.com/cfn-response/foreign: "
                ))),
        "the refusal is logged with the URL's host and path:\n{output}"
    );
    for secret in [
        LAYER_URL_SIGNATURE,
        RESPONSE_URL_SIGNATURE,
        "layer0download0signature",
        "response0url0signature",
    ] {
        assert!(
            !output.contains(secret),
            "{secret} reached the log:\n{output}"
        );
    }
}

/// A build of 50 MB (fifty 1 MiB files that do not compress) published by the real binary: the
/// zip waits in a scratch file and files are read from it as they upload, so the process
/// never holds the build in memory.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_50_mb_build_is_published_without_being_held_in_memory() {
    const BUILD_BYTES: u64 = 50 * 1024 * 1024;
    let site = Site::start().await;
    let layers = LayerApi::start(&site.builds).await;
    let mut runtime = RuntimeApi::start().await;
    let function = FunctionProcess::spawn(
        binary(),
        &function_environment(&runtime.address(), &site.moto, &layers),
    );
    let build = site.builds.add_zip(1, incompressible_build(50));

    let create = site.create_event("create", site.properties(&build));
    let invocation = runtime.invoke(create.to_string());
    runtime
        .expect_response(&invocation, Duration::from_secs(120))
        .await;
    let peak = peak_rss_bytes(function.pid());
    let output = function.kill_and_collect().await;

    assert_eq!(
        site.cfn.answer_to("create")["Status"],
        "SUCCESS",
        "{output}"
    );
    assert_eq!(
        site.keys().await.len(),
        50 + 3,
        "the files, config.json, the manifest"
    );
    eprintln!(
        "peak RSS publishing a {} MiB build: {:.1} MiB",
        BUILD_BYTES / 1024 / 1024,
        peak as f64 / 1024.0 / 1024.0
    );
    assert!(
        peak < BUILD_BYTES,
        "peak RSS {peak} bytes: the build was held in memory"
    );
}

/// `count` files of 1 MiB of pseudo-random bytes, stored, and an index.html.
fn incompressible_build(count: usize) -> Vec<u8> {
    use std::io::Write;
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file("index.html", options).unwrap();
    writer.write_all(b"<!doctype html>").unwrap();
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    for n in 0..count {
        let mut body = Vec::with_capacity(1024 * 1024);
        while body.len() < 1024 * 1024 {
            // xorshift64: cheap bytes no compressor can shrink.
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            body.extend_from_slice(&state.to_le_bytes());
        }
        writer
            .start_file(format!("assets/blob-{n}.bin"), options)
            .unwrap();
        writer.write_all(&body).unwrap();
    }
    writer.finish().unwrap().into_inner()
}

/// The process's peak resident set (VmHWM), read from outside it.
fn peak_rss_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let kib: u64 = status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmHWM in kB");
    kib * 1024
}

/// The lines the stack's alarm on the publisher counts (template.yaml, its ERROR lines): the
/// whole log of a publish that succeeds, then of one that fails (its build's layer version does
/// not exist), saved as `frontend-publisher.publish-succeeded.jsonl` and
/// `frontend-publisher.publish-failed.jsonl`. scripts/check-log-patterns.sh holds the template's
/// own pattern against them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_the_publish_log_lines_the_alarms_count() {
    let samples = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("log-samples");
    std::fs::create_dir_all(&samples).expect("a directory for the log samples");
    let site = Site::start().await;
    let layers = LayerApi::start(&site.builds).await;
    let build = site.builds.add_vite_build(1, "v1");
    for (situation, layer_version, status_wanted) in [
        ("publish-succeeded", build, "SUCCESS"),
        ("publish-failed", layer_arn(99), "FAILED"),
    ] {
        let mut runtime = RuntimeApi::start().await;
        let function = FunctionProcess::spawn(
            binary(),
            &function_environment(&runtime.address(), &site.moto, &layers),
        );
        let create = site.create_event(situation, site.properties(&layer_version));
        let invocation = runtime.invoke(create.to_string());
        runtime.expect_response(&invocation, WITHIN).await;
        let output = function.kill_and_collect().await;
        let answer = site.cfn.answer_to(situation);
        assert_eq!(answer["Status"], status_wanted, "{answer}\n{output}");
        std::fs::write(
            samples.join(format!("frontend-publisher.{situation}.jsonl")),
            output,
        )
        .expect("the log sample written");
    }
}
