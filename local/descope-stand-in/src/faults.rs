//! Fault switches for tests: make parts of the stand-in fail on demand.

use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};

#[derive(Debug, Default)]
pub struct Faults {
    keys_unavailable: AtomicBool,
}

/// The switches as JSON, both what `POST /_stand-in/faults` takes and what it answers. Unknown
/// fields are refused so a misspelt switch fails loudly instead of silently doing nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultSettings {
    pub keys_unavailable: bool,
}

impl Faults {
    pub fn keys_unavailable(&self) -> bool {
        self.keys_unavailable.load(Ordering::SeqCst)
    }

    pub fn set(&self, settings: FaultSettings) {
        self.keys_unavailable
            .store(settings.keys_unavailable, Ordering::SeqCst);
    }

    pub fn settings(&self) -> FaultSettings {
        FaultSettings {
            keys_unavailable: self.keys_unavailable(),
        }
    }
}
