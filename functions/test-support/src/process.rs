//! Runs a compiled function binary as Lambda would: a clean environment holding the variables the
//! Lambda service sets, output captured (Lambda ships stdout and stderr to CloudWatch).

use std::path::Path;
use std::process::{ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};

use crate::{GatewayResponse, KeyServer, PROJECT_ID, RuntimeApi, with_authorization};
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// Guards against a hung function process; every wait ends as soon as its event happens.
pub const WITHIN: Duration = Duration::from_secs(20);

/// The environment the Lambda service gives an API function `function_name`, pointed at a
/// local Runtime API, with the Descope settings the deployed stack gives it, for [`PROJECT_ID`]
/// and keys from `key_server`.
pub fn api_function_environment(
    runtime: &RuntimeApi,
    key_server: &KeyServer,
    function_name: &str,
) -> Vec<(String, String)> {
    let mut env = lambda_environment(&runtime.address(), function_name);
    env.push(("DESCOPE_PROJECT_ID".into(), PROJECT_ID.into()));
    env.push(("DESCOPE_BASE_URI".into(), key_server.base_uri()));
    env
}

/// The answer of an API function's compiled `binary` (named `function_name`) to one `event`,
/// sent by a caller with `Authorization: Bearer token`: the function starts as Lambda starts it,
/// against a local Runtime API, with its keys from `key_server`, and is killed once it answered.
pub async fn answer_once(
    binary: &str,
    function_name: &str,
    key_server: &KeyServer,
    event: &str,
    token: &str,
) -> GatewayResponse {
    let mut runtime = RuntimeApi::start().await;
    let invocation = runtime.invoke(with_authorization(event, &[&format!("Bearer {token}")]));
    let environment = api_function_environment(&runtime, key_server, function_name);
    let process = FunctionProcess::spawn(binary, &environment);
    let answer = runtime.expect_response(&invocation, WITHIN).await;
    process.kill_and_collect().await;
    answer.gateway_response()
}

/// The environment the Lambda service gives a function, pointed at a local Runtime API.
pub fn lambda_environment(runtime_api: &str, function_name: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", runtime_api),
        ("AWS_LAMBDA_FUNCTION_NAME", function_name),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME",
            &format!("/aws/lambda/{function_name}"),
        ),
        (
            "AWS_LAMBDA_LOG_STREAM_NAME",
            "2026/11/27/[$LATEST]0123456789abcdef0123456789abcdef",
        ),
        ("AWS_LAMBDA_LOG_FORMAT", "JSON"),
        ("AWS_LAMBDA_LOG_LEVEL", "INFO"),
        ("AWS_REGION", "us-east-1"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
        ("AWS_EXECUTION_ENV", "AWS_Lambda_provided.al2023"),
        ("AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"),
        ("LAMBDA_TASK_ROOT", "/var/task"),
        ("TZ", ":UTC"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect()
}

/// A running function binary; killed when dropped.
pub struct FunctionProcess {
    child: Child,
    pid: u32,
    pub started_at: Instant,
    output: Arc<Mutex<String>>,
    output_changed: watch::Receiver<()>,
    readers: Vec<JoinHandle<()>>,
}

impl FunctionProcess {
    /// Starts `binary` with only `env` set (no inherited variables, so the outer shell's
    /// `RUST_LOG` or AWS settings cannot change what is tested).
    pub fn spawn(binary: impl AsRef<Path>, env: &[(String, String)]) -> FunctionProcess {
        let mut command = Command::new(binary.as_ref());
        command
            .env_clear()
            .envs(env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        let started_at = Instant::now();
        let mut child = command
            .spawn()
            .unwrap_or_else(|e| panic!("start {}: {e}", binary.as_ref().display()));
        let pid = child.id().expect("a started child has a pid");
        let output = Arc::new(Mutex::new(String::new()));
        let (notify, output_changed) = watch::channel(());
        let notify = Arc::new(notify);
        let readers = vec![
            spawn_reader(child.stdout.take().expect("piped stdout"), &output, &notify),
            spawn_reader(child.stderr.take().expect("piped stderr"), &output, &notify),
        ];
        FunctionProcess {
            child,
            pid,
            started_at,
            output,
            output_changed,
            readers,
        }
    }

    pub fn pid(&self) -> u32 {
        self.pid
    }

    /// Stops the process (SIGSTOP), as Lambda freezes an environment between invocations:
    /// nothing in it runs, its connections go unanswered, until [`Self::thaw`].
    pub fn freeze(&self) {
        self.signal("-STOP");
    }

    /// Lets a frozen process run again (SIGCONT).
    pub fn thaw(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = std::process::Command::new("kill")
            .args([signal, &self.pid.to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} {}: {status}", self.pid);
    }

    /// Everything written to stdout and stderr so far, line by line.
    pub fn output(&self) -> String {
        self.output.lock().expect("output lock").clone()
    }

    /// Waits until the output satisfies `condition`; false if it did not within `within`.
    pub async fn wait_for_output(
        &mut self,
        condition: impl Fn(&str) -> bool,
        within: Duration,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            if condition(&self.output()) {
                return true;
            }
            match tokio::time::timeout_at(deadline, self.output_changed.changed()).await {
                Ok(Ok(())) => continue,
                // Output closed: one last look.
                Ok(Err(_)) => return condition(&self.output()),
                Err(_) => return false,
            }
        }
    }

    /// Waits for the process to end by itself; `None` if it was still running after `within`.
    pub async fn wait_exit(&mut self, within: Duration) -> Option<ExitStatus> {
        let status = tokio::time::timeout(within, self.child.wait()).await.ok()?;
        let status = status.expect("wait for the function process");
        self.drain_output().await;
        Some(status)
    }

    /// Peak resident set size so far in KiB (`VmHWM`), while the process is alive.
    pub fn peak_rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid)).ok()?;
        status
            .lines()
            .find_map(|line| line.strip_prefix("VmHWM:"))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
    }

    /// Kills the process and returns its complete output.
    pub async fn kill_and_collect(mut self) -> String {
        let _ = self.child.start_kill();
        let _ = self.child.wait().await;
        self.drain_output().await;
        self.output()
    }

    async fn drain_output(&mut self) {
        for reader in self.readers.drain(..) {
            let _ = reader.await;
        }
    }
}

fn spawn_reader(
    stream: impl AsyncRead + Unpin + Send + 'static,
    output: &Arc<Mutex<String>>,
    notify: &Arc<watch::Sender<()>>,
) -> JoinHandle<()> {
    let output = output.clone();
    let notify = notify.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            {
                let mut output = output.lock().expect("output lock");
                output.push_str(&line);
                output.push('\n');
            }
            notify.send_replace(());
        }
    })
}
