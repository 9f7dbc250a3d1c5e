//! A key endpoint in memory, for tests and benchmarks that measure validation without HTTP.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use descope_auth::{FetchError, KeyFetcher};

/// An in-memory key endpoint: answers with the body or error it was last given, and counts
/// calls.
#[derive(Debug)]
pub struct MemoryFetcher {
    answer: Mutex<Result<Vec<u8>, FetchError>>,
    calls: AtomicUsize,
}

impl MemoryFetcher {
    pub fn serving(body: impl Into<Vec<u8>>) -> Arc<MemoryFetcher> {
        Arc::new(MemoryFetcher {
            answer: Mutex::new(Ok(body.into())),
            calls: AtomicUsize::new(0),
        })
    }

    pub fn failing(error: FetchError) -> Arc<MemoryFetcher> {
        Arc::new(MemoryFetcher {
            answer: Mutex::new(Err(error)),
            calls: AtomicUsize::new(0),
        })
    }

    pub fn serve(&self, body: impl Into<Vec<u8>>) {
        *self
            .answer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Ok(body.into());
    }

    pub fn fail(&self, error: FetchError) {
        *self
            .answer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Err(error);
    }

    pub fn calls(&self) -> usize {
        self.calls.load(Ordering::SeqCst)
    }
}

impl KeyFetcher for MemoryFetcher {
    async fn fetch(&self) -> Result<Vec<u8>, FetchError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.answer
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}
