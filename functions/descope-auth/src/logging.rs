//! Log set-up for the function binaries.

pub fn init_tracing() {}
