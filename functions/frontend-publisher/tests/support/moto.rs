//! moto's server, standing in for S3 and CloudFront.

use std::path::PathBuf;
use std::process::Stdio;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::loopback::free_port;

/// moto's server on a free 127.0.0.1 port, stopped when dropped.
pub struct Moto {
    pub endpoint: String,
    child: Child,
}

/// Where scripts/setup-python-tools.sh installs it.
fn moto_binary() -> PathBuf {
    let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    workspace.join(".venv/bin/moto_server")
}

impl Moto {
    pub async fn start() -> Moto {
        let binary = moto_binary();
        assert!(
            binary.exists(),
            "{} is missing: run scripts/setup-python-tools.sh, which installs moto's server into \
             .venv for these tests",
            binary.display()
        );
        let port = free_port();
        let mut child = Command::new(&binary)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start moto_server");
        // Werkzeug says "Running on http://127.0.0.1:PORT" once it listens.
        let mut lines = BufReader::new(child.stderr.take().expect("moto stderr")).lines();
        let ready = tokio::time::timeout(Duration::from_secs(30), async {
            let mut seen = Vec::new();
            while let Some(line) = lines.next_line().await.expect("read moto's output") {
                if line.contains("Running on") {
                    return Ok(lines);
                }
                seen.push(line);
            }
            Err(seen.join("\n"))
        })
        .await
        .expect("moto_server did not start within 30 s");
        let mut lines = ready.unwrap_or_else(|output| panic!("moto_server exited:\n{output}"));
        // Keep draining its request log so the pipe never fills and blocks it.
        tokio::spawn(async move { while let Ok(Some(_)) = lines.next_line().await {} });
        Moto {
            endpoint: format!("http://127.0.0.1:{port}"),
            child,
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.start_kill();
    }
}
