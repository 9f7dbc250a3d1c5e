//! Measures function binaries under the local Lambda Runtime API, as Lambda would run them:
//! cold init (process start → first poll for an event), cold first response, warm invocation
//! latency percentiles, peak RSS and key-server hits; then the throughput of one environment
//! serving many invocations at once (`AWS_LAMBDA_MAX_CONCURRENCY`, Lambda Managed Instances);
//! then the key fetch's place on the request path: the first request of an environment
//! initialised ahead of traffic, and requests across a refresh of the keys, each beside warm
//! requests of the same environment. Every binary is measured in the same run as the no-op
//! baseline, so the figures read as ratios. Driven by `scripts/figures.sh`.
//!
//! Usage: lambda-figures [--cold-starts K] [--invocations N] [--burst N] [--concurrency 1,4,16]
//!                       --baseline PATH NAME=PATH EVENT ...
//! where each function is given as `NAME=PATH` followed by the API Gateway event fixture to send.

use std::path::{Path, PathBuf};
use std::time::Duration;

use test_support::{
    FunctionProcess, KeyServer, Outcome, RuntimeApi, ShiftedWallClock, lambda_environment,
    with_authorization,
};
use test_support::{PROJECT_ID, TestKeys, session_claims_at};

const ANSWER_WITHIN: Duration = Duration::from_secs(10);

struct Target {
    name: String,
    binary: PathBuf,
    event: String,
}

#[derive(Default)]
struct Figures {
    init_us: Vec<f64>,
    first_response_us: Vec<f64>,
    warm_us: Vec<f64>,
    peak_rss_kib: u64,
    key_fetches: usize,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let mut cold_starts = 5usize;
    let mut invocations = 1000usize;
    let mut burst = 2000usize;
    let mut concurrencies = vec![1usize, 4, 16];
    let mut baseline: Option<PathBuf> = None;
    let mut targets = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--cold-starts" => cold_starts = parse_count(args.next()),
            "--invocations" => invocations = parse_count(args.next()),
            "--burst" => burst = parse_count(args.next()),
            "--concurrency" => {
                concurrencies = args
                    .next()
                    .expect("--concurrency 1,4,16")
                    .split(',')
                    .map(|n| parse_count(Some(n.to_owned())))
                    .collect();
            }
            "--baseline" => baseline = Some(args.next().expect("--baseline PATH").into()),
            function => {
                let (name, binary) = function
                    .split_once('=')
                    .unwrap_or_else(|| panic!("expected NAME=PATH, got {function}"));
                let fixture = args.next().expect("an event fixture after NAME=PATH");
                let event = std::fs::read_to_string(&fixture)
                    .unwrap_or_else(|e| panic!("read {fixture}: {e}"));
                targets.push(Target {
                    name: name.to_owned(),
                    binary: binary.into(),
                    event,
                });
            }
        }
    }
    let baseline = baseline.expect("--baseline PATH (the no-op function)");

    let keys = TestKeys::generate();
    // Ten minutes of validity: far longer than a run.
    let token = keys
        .key()
        .session_token(PROJECT_ID, &["teacher", "student"]);
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;

    let noop_event = targets
        .first()
        .map(|t| t.event.clone())
        .expect("at least one function to measure");
    let noop_event_for_throughput = noop_event.clone();
    let mut rows = vec![(
        "noop (baseline)".to_owned(),
        measure(
            &baseline,
            &noop_event,
            &[],
            cold_starts,
            invocations,
            &key_server,
        )
        .await,
    )];
    let authorization = format!("Bearer {token}");
    // What the functions read at a cold start: the stand-in's project, keys from the key server.
    let env = [
        ("DESCOPE_PROJECT_ID".to_owned(), PROJECT_ID.to_owned()),
        ("DESCOPE_BASE_URI".to_owned(), key_server.base_uri()),
    ];
    for target in &targets {
        let event = with_authorization(&target.event, &[&authorization]);
        let figures = measure(
            &target.binary,
            &event,
            &env,
            cold_starts,
            invocations,
            &key_server,
        )
        .await;
        rows.push((target.name.clone(), figures));
    }
    print_table(&rows, cold_starts, invocations);

    key_fetch_figures(
        &targets,
        &baseline,
        &keys,
        cold_starts,
        &concurrencies,
        burst,
    )
    .await;

    println!();
    println!(
        "throughput: {burst} invocations queued at once, one environment, {} cores",
        std::thread::available_parallelism().map_or(1, usize::from)
    );
    println!(
        "{:<18} {:>16} {:>10} {:>11} {:>11} {:>15}",
        "function", "mode", "req/s", "p50", "p99", "cost vs no-op"
    );
    for &concurrency in &concurrencies {
        let noop = throughput(
            &baseline,
            &noop_event_for_throughput,
            &[],
            concurrency,
            concurrency,
            burst,
        )
        .await;
        print_throughput("noop (baseline)", concurrency, concurrency, &noop, &noop);
        for target in &targets {
            let event = with_authorization(&target.event, &[&authorization]);
            // The same binary with the variable unset, offered the same slots: what one
            // invocation at a time makes of them.
            let sequential = throughput(&target.binary, &event, &env, 1, concurrency, burst).await;
            print_throughput(&target.name, 1, concurrency, &sequential, &noop);
            if concurrency > 1 {
                let concurrent = throughput(
                    &target.binary,
                    &event,
                    &env,
                    concurrency,
                    concurrency,
                    burst,
                )
                .await;
                print_throughput(&target.name, concurrency, concurrency, &concurrent, &noop);
            }
        }
    }
}

struct Throughput {
    per_second: f64,
    latency_us: Vec<f64>,
}

/// Queues `burst` invocations at once for an environment with `slots` Runtime API slots, whose
/// function is told `AWS_LAMBDA_MAX_CONCURRENCY` = `concurrency` (unset for 1), and times them
/// from the first hand-out to the last answer, after one warm-up invocation.
async fn throughput(
    binary: &PathBuf,
    event: &str,
    extra_env: &[(String, String)],
    concurrency: usize,
    slots: usize,
    burst: usize,
) -> Throughput {
    let mut runtime = RuntimeApi::with_max_concurrency(slots).await;
    let mut env = lambda_environment(&runtime.address(), "figures");
    env.extend_from_slice(extra_env);
    if concurrency > 1 {
        env.push((
            "AWS_LAMBDA_MAX_CONCURRENCY".to_owned(),
            concurrency.to_string(),
        ));
    }
    let warm_up = runtime.invoke(event);
    let process = FunctionProcess::spawn(binary, &env);
    expect_ok(&mut runtime, &warm_up, &process).await;

    for _ in 0..burst {
        runtime.invoke(event);
    }
    let mut answers = Vec::with_capacity(burst);
    while answers.len() < burst {
        match runtime.next_outcome(ANSWER_WITHIN).await {
            Some(Outcome::Response(answer)) => answers.push(answer),
            other => panic!(
                "expected a response, got {other:?}\noutput:\n{}",
                process.output()
            ),
        }
    }
    process.kill_and_collect().await;
    let first = answers
        .iter()
        .map(|a| a.handed_out_at)
        .min()
        .expect("answers");
    let last = answers
        .iter()
        .map(|a| a.answered_at)
        .max()
        .expect("answers");
    Throughput {
        per_second: burst as f64 / last.duration_since(first).as_secs_f64(),
        latency_us: answers
            .iter()
            .map(|a| micros(a.answered_at.duration_since(a.handed_out_at)))
            .collect(),
    }
}

fn print_throughput(
    name: &str,
    concurrency: usize,
    slots: usize,
    figures: &Throughput,
    noop: &Throughput,
) {
    let mode = if concurrency > 1 {
        format!("{concurrency} at once")
    } else {
        format!("sequential ({slots} slots)")
    };
    println!(
        "{:<18} {:>16} {:>10.0} {:>8.0} µs {:>8.0} µs {:>14.2}×",
        name,
        mode,
        figures.per_second,
        percentile(&figures.latency_us, 50.0),
        percentile(&figures.latency_us, 99.0),
        // Cost per request is the inverse of throughput.
        noop.per_second / figures.per_second,
    );
}

fn parse_count(value: Option<String>) -> usize {
    value
        .and_then(|v| v.parse().ok())
        .filter(|&n: &usize| n > 0)
        .expect("a positive count")
}

async fn measure(
    binary: &PathBuf,
    event: &str,
    extra_env: &[(String, String)],
    cold_starts: usize,
    invocations: usize,
    key_server: &KeyServer,
) -> Figures {
    let mut figures = Figures::default();
    let hits_before = key_server.hits();
    for round in 0..cold_starts {
        let mut runtime = RuntimeApi::start().await;
        let mut env = lambda_environment(&runtime.address(), "figures");
        env.extend_from_slice(extra_env);
        // Queued before the process starts, as Lambda has the event waiting on a cold start.
        let first = runtime.invoke(event);
        let process = FunctionProcess::spawn(binary, &env);
        let answer = expect_ok(&mut runtime, &first, &process).await;
        let init = runtime
            .first_poll_at()
            .expect("a function that answered has polled");
        figures
            .init_us
            .push(micros(init.duration_since(process.started_at)));
        figures.first_response_us.push(micros(
            answer.answered_at.duration_since(process.started_at),
        ));
        // Warm figures come from the first environment only: one long-lived process, as in Lambda.
        if round == 0 {
            for _ in 0..invocations {
                let id = runtime.invoke(event);
                let answer = expect_ok(&mut runtime, &id, &process).await;
                figures.warm_us.push(micros(
                    answer.answered_at.duration_since(answer.handed_out_at),
                ));
            }
            figures.peak_rss_kib = process.peak_rss_kib().unwrap_or(0);
        }
        process.kill_and_collect().await;
    }
    figures.key_fetches = key_server.hits() - hits_before;
    figures
}

async fn expect_ok(
    runtime: &mut RuntimeApi,
    request_id: &str,
    process: &FunctionProcess,
) -> test_support::Answer {
    match runtime.next_outcome(ANSWER_WITHIN).await {
        Some(Outcome::Response(answer)) if answer.request_id == request_id => {
            let status = answer.body_json()["statusCode"].as_u64();
            assert_eq!(
                status,
                Some(200),
                "the measured function must succeed: {}",
                answer.body
            );
            answer
        }
        other => panic!(
            "no response to {request_id}: {other:?}\noutput:\n{}",
            process.output()
        ),
    }
}

fn micros(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e6
}

fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn print_table(rows: &[(String, Figures)], cold_starts: usize, invocations: usize) {
    let base = &rows[0].1;
    let base_init = percentile(&base.init_us, 50.0);
    let base_first = percentile(&base.first_response_us, 50.0);
    let base_p50 = percentile(&base.warm_us, 50.0);
    println!(
        "cold starts: median of {cold_starts}; warm: {invocations} sequential invocations in one environment"
    );
    println!(
        "{:<18} {:>12} {:>14} {:>11} {:>11} {:>10} {:>11}",
        "function", "cold init", "cold 1st resp", "warm p50", "warm p99", "peak RSS", "key fetches"
    );
    for (name, f) in rows {
        let init = percentile(&f.init_us, 50.0);
        let first = percentile(&f.first_response_us, 50.0);
        let p50 = percentile(&f.warm_us, 50.0);
        let p99 = percentile(&f.warm_us, 99.0);
        println!(
            "{:<18} {:>9.2} ms {:>11.2} ms {:>8.0} µs {:>8.0} µs {:>7.2} MB {:>11}",
            name,
            init / 1e3,
            first / 1e3,
            p50,
            p99,
            f.peak_rss_kib as f64 / 1024.0,
            f.key_fetches
        );
    }
    println!("ratios to the no-op baseline (same run):");
    for (name, f) in &rows[1..] {
        println!(
            "{:<18} cold init ×{:.2}  cold 1st resp ×{:.2} (+{:.2} ms)  warm p50 ×{:.2} (+{:.0} µs)  peak RSS ×{:.2}",
            name,
            percentile(&f.init_us, 50.0) / base_init,
            percentile(&f.first_response_us, 50.0) / base_first,
            (percentile(&f.first_response_us, 50.0) - base_first) / 1e3,
            percentile(&f.warm_us, 50.0) / base_p50,
            percentile(&f.warm_us, 50.0) - base_p50,
            f.peak_rss_kib as f64 / base.peak_rss_kib.max(1) as f64,
        );
    }
}

/// How long the slow key servers below take to answer.
const AHEAD_OF_TRAFFIC_KEY_DELAY: Duration = Duration::from_millis(100);
const REFRESH_KEY_DELAY: Duration = Duration::from_millis(300);
/// Warm invocations beside each first request.
const WARM_BESIDE_FIRST: usize = 200;

/// The key fetch on the request path, for the first function given: the first request of an
/// environment initialised ahead of traffic, and requests across a refresh ahead of expiry.
async fn key_fetch_figures(
    targets: &[Target],
    baseline: &Path,
    keys: &TestKeys,
    rounds: usize,
    concurrencies: &[usize],
    burst: usize,
) {
    let Some(target) = targets.first() else {
        return;
    };
    println!();
    println!(
        "first request, key server answering in {} ms: {} environments of {}, median; warm = p50 of {WARM_BESIDE_FIRST} invocations after it, same environment",
        AHEAD_OF_TRAFFIC_KEY_DELAY.as_millis(),
        rounds,
        target.name
    );
    // The no-op function's own first request, the same way: what any first request costs.
    let noop = Target {
        name: "noop (baseline)".to_owned(),
        binary: baseline.to_path_buf(),
        event: target.event.clone(),
    };
    let mut ahead = Vec::new();
    let mut queued = Vec::new();
    let mut warm = Vec::new();
    let mut noop_ahead = Vec::new();
    let mut noop_warm = Vec::new();
    for _ in 0..rounds {
        let (first_ahead, warm_p50) = first_request(target, keys, true, true).await;
        ahead.push(first_ahead);
        warm.push(warm_p50);
        queued.push(first_request(target, keys, false, true).await.0);
        let (first_ahead, warm_p50) = first_request(&noop, keys, true, false).await;
        noop_ahead.push(first_ahead);
        noop_warm.push(warm_p50);
    }
    for (label, values, warm) in [
        ("initialised ahead of traffic", &ahead, &warm),
        ("waiting at a cold start", &queued, &warm),
        ("no-op, ahead of traffic", &noop_ahead, &noop_warm),
    ] {
        let median = percentile(values, 50.0);
        let warm_p50 = percentile(warm, 50.0);
        println!(
            "{:<30} {:>9.0} µs   warm {:>6.0} µs   ×{:.2}",
            label,
            median,
            warm_p50,
            median / warm_p50
        );
    }

    println!();
    println!(
        "across a key refresh, key server answering in {} ms: {burst} invocations queued at once, {}",
        REFRESH_KEY_DELAY.as_millis(),
        target.name
    );
    println!(
        "{:<18} {:>17} {:>17} {:>17} {:>12} {:>12}",
        "mode", "warm p50/p99", "9m30s p50/p99", "10m30s p50/p99", "10m30s max", "p99 ×warm"
    );
    for &concurrency in concurrencies {
        if concurrency != 1 && concurrency != *concurrencies.iter().max().unwrap_or(&1) {
            continue;
        }
        across_refresh(target, keys, concurrency, burst).await;
    }
}

/// One environment's first request, and the p50 of warm ones after it (µs). `ahead`: the
/// process starts with nothing queued and the request comes once its init fetch is done, as
/// with provisioned concurrency; otherwise the event waits as the process starts, as on an
/// on-demand cold start.
async fn first_request(
    target: &Target,
    keys: &TestKeys,
    ahead: bool,
    fetches_keys: bool,
) -> (f64, f64) {
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    key_server.set_answer_delay(AHEAD_OF_TRAFFIC_KEY_DELAY);
    let token = keys
        .key()
        .session_token(PROJECT_ID, &["teacher", "student"]);
    let event = with_authorization(&target.event, &[&format!("Bearer {token}")]);
    let mut runtime = RuntimeApi::start().await;
    let env = function_env(&runtime, &key_server, &[]);
    let first = if ahead {
        None
    } else {
        Some(runtime.invoke(event.as_str()))
    };
    let mut process = FunctionProcess::spawn(&target.binary, &env);
    let first = match first {
        Some(first) => first,
        None => {
            assert!(runtime.wait_for_first_poll(ANSWER_WITHIN).await);
            if fetches_keys {
                assert!(
                    process
                        .wait_for_output(|out| out.contains("signing keys fetched"), ANSWER_WITHIN)
                        .await,
                    "no key fetch during init:\n{}",
                    process.output()
                );
            }
            runtime.invoke(event.as_str())
        }
    };
    let answer = expect_ok(&mut runtime, &first, &process).await;
    let first_us = micros(answer.answered_at.duration_since(answer.handed_out_at));
    let mut warm = Vec::with_capacity(WARM_BESIDE_FIRST);
    for _ in 0..WARM_BESIDE_FIRST {
        let id = runtime.invoke(event.as_str());
        let answer = expect_ok(&mut runtime, &id, &process).await;
        warm.push(micros(
            answer.answered_at.duration_since(answer.handed_out_at),
        ));
    }
    assert_eq!(
        key_server.hits(),
        usize::from(fetches_keys),
        "key fetches per environment"
    );
    process.kill_and_collect().await;
    (first_us, percentile(&warm, 50.0))
}

/// Latencies of `burst` invocations queued at once: with fresh keys, then with the wall clock
/// moved to 9 min 30 s after the keys' fetch (the refresh ahead runs behind the requests), then
/// to 10 min 30 s after that refresh (a request waits for the next). The function reads a wall
/// clock moved from outside by libfaketime, which costs a file read per clock reading: the three
/// columns pay it alike.
async fn across_refresh(target: &Target, keys: &TestKeys, concurrency: usize, burst: usize) {
    let clock = ShiftedWallClock::new();
    let key_server = KeyServer::start(PROJECT_ID, keys.jwks_json()).await;
    key_server.set_answer_delay(REFRESH_KEY_DELAY);
    let mut runtime = RuntimeApi::with_max_concurrency(concurrency).await;
    let mut extra = clock.env();
    if concurrency > 1 {
        extra.push((
            "AWS_LAMBDA_MAX_CONCURRENCY".to_owned(),
            concurrency.to_string(),
        ));
    }
    let env = function_env(&runtime, &key_server, &extra);
    let mut process = FunctionProcess::spawn(&target.binary, &env);
    assert!(
        process
            .wait_for_output(|out| out.contains("signing keys fetched"), ANSWER_WITHIN)
            .await,
        "no key fetch during init:\n{}",
        process.output()
    );
    let mut phases = Vec::new();
    for ahead_secs in [0, 9 * 60 + 30, 20 * 60] {
        clock.set_ahead(Duration::from_secs(ahead_secs));
        let token = keys.key().sign(&session_claims_at(
            PROJECT_ID,
            &["teacher", "student"],
            clock.unix_now(),
        ));
        let event = with_authorization(&target.event, &[&format!("Bearer {token}")]);
        phases.push(burst_latencies(&mut runtime, &process, &event, burst).await);
    }
    process.kill_and_collect().await;
    let [warm, refresh, waited] = &phases[..] else {
        unreachable!("three phases")
    };
    let mode = if concurrency > 1 {
        format!("{concurrency} at once")
    } else {
        "one at a time".to_owned()
    };
    println!(
        "{:<18} {:>7.0}/{:>6.0} µs {:>7.0}/{:>6.0} µs {:>7.0}/{:>6.0} µs {:>9.0} µs {:>11.2}×   key fetches {}",
        mode,
        percentile(warm, 50.0),
        percentile(warm, 99.0),
        percentile(refresh, 50.0),
        percentile(refresh, 99.0),
        percentile(waited, 50.0),
        percentile(waited, 99.0),
        percentile(waited, 100.0),
        percentile(refresh, 99.0) / percentile(warm, 99.0),
        key_server.hits(),
    );
}

async fn burst_latencies(
    runtime: &mut RuntimeApi,
    process: &FunctionProcess,
    event: &str,
    burst: usize,
) -> Vec<f64> {
    for _ in 0..burst {
        runtime.invoke(event);
    }
    let mut latencies = Vec::with_capacity(burst);
    while latencies.len() < burst {
        match runtime.next_outcome(ANSWER_WITHIN).await {
            Some(Outcome::Response(answer)) => {
                let status = answer.body_json()["statusCode"].as_u64();
                assert_eq!(status, Some(200), "{}", answer.body);
                latencies.push(micros(
                    answer.answered_at.duration_since(answer.handed_out_at),
                ));
            }
            other => panic!(
                "expected a response, got {other:?}\noutput:\n{}",
                process.output()
            ),
        }
    }
    latencies
}

/// The environment Lambda gives the functions, their configuration, and `extra`.
fn function_env(
    runtime: &RuntimeApi,
    key_server: &KeyServer,
    extra: &[(String, String)],
) -> Vec<(String, String)> {
    let mut env = lambda_environment(&runtime.address(), "figures");
    env.push(("DESCOPE_PROJECT_ID".to_owned(), PROJECT_ID.to_owned()));
    env.push(("DESCOPE_BASE_URI".to_owned(), key_server.base_uri()));
    env.extend_from_slice(extra);
    env
}
