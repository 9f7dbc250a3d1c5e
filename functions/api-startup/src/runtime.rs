//! The async runtime an API function runs on, chosen from what Lambda sets.

/// Lambda Managed Instances set it to the invocations one environment runs at once.
const MAX_CONCURRENCY_VAR: &str = "AWS_LAMBDA_MAX_CONCURRENCY";

/// The runtime for this environment. With `AWS_LAMBDA_MAX_CONCURRENCY` = N > 1 the environment
/// serves N invocations at once, on a multi-threaded runtime where it has several cores, so the
/// CPU-bound token checks spread over them. Unset or 1 (classic Lambda), invocations run one at a
/// time on a single thread, which starts faster. `lambda_http::run_concurrent` reads the same
/// variable to decide how many invocations it polls for.
pub fn async_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let concurrency = max_concurrency(std::env::var(MAX_CONCURRENCY_VAR).ok().as_deref());
    // Counting cores reads the cgroup's CPU quota: only worth it where it can matter.
    let cores = if concurrency > 1 {
        std::thread::available_parallelism().map_or(1, usize::from)
    } else {
        1
    };
    tokio_runtime(concurrency, cores)
}

/// The invocations one environment runs at once; anything but a number above 1 means one.
fn max_concurrency(value: Option<&str>) -> usize {
    value
        .and_then(|value| value.trim().parse::<usize>().ok())
        .filter(|&concurrency| concurrency > 1)
        .unwrap_or(1)
}

/// Worker threads pay off only with invocations to run side by side and cores to run them on: a
/// managed-instances environment of one vCPU (2 GB at the default 2 GB per vCPU) gains nothing
/// from them (`scripts/figures.sh` compares both).
fn tokio_runtime(concurrency: usize, cores: usize) -> std::io::Result<tokio::runtime::Runtime> {
    let mut builder = if concurrency > 1 && cores > 1 {
        // One worker per core (tokio's default): more would only take turns on the same cores.
        tokio::runtime::Builder::new_multi_thread()
    } else {
        tokio::runtime::Builder::new_current_thread()
    };
    builder.enable_all().build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_number_above_one_means_concurrent() {
        assert_eq!(max_concurrency(None), 1);
        assert_eq!(max_concurrency(Some("")), 1);
        assert_eq!(max_concurrency(Some("1")), 1);
        assert_eq!(max_concurrency(Some("0")), 1);
        assert_eq!(max_concurrency(Some("-4")), 1);
        assert_eq!(max_concurrency(Some("eight")), 1);
        assert_eq!(max_concurrency(Some("8")), 8);
        assert_eq!(max_concurrency(Some(" 64 ")), 64);
    }

    #[test]
    fn the_runtime_has_worker_threads_only_when_concurrent_on_several_cores() {
        use tokio::runtime::RuntimeFlavor::{CurrentThread, MultiThread};
        let flavor = |concurrency, cores| {
            tokio_runtime(concurrency, cores)
                .unwrap()
                .handle()
                .runtime_flavor()
        };
        assert_eq!(flavor(1, 1), CurrentThread);
        assert_eq!(flavor(1, 4), CurrentThread);
        assert_eq!(flavor(8, 1), CurrentThread);
        assert_eq!(flavor(8, 4), MultiThread);
    }
}
