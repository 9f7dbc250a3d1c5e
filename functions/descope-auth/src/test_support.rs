//! Test-only helpers (feature `test-support`).
