//! A wall clock that a test can move for a compiled function binary, from outside it: libfaketime
//! preloaded into the process, reading its offset from a file this side rewrites. The binary is
//! the one that ships, reading the wall clock the way it always does; nothing in it knows.
//!
//! Only the wall clock moves (`FAKETIME_DONT_FAKE_MONOTONIC`): as in a Lambda environment thawed
//! after a freeze, the calendar jumped while the process's timers did not.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Where Debian's `faketime` package puts the thread-safe preload library.
const LIBRARY_CANDIDATES: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1",
    "/usr/lib/faketime/libfaketimeMT.so.1",
];

/// An offset from the real wall clock, shared with every process started with [`Self::env`].
pub struct ShiftedWallClock {
    offset_file: PathBuf,
    offset_secs: AtomicU64,
}

impl ShiftedWallClock {
    /// Starts at the real time. Panics, naming the package, if libfaketime is not installed.
    pub fn new() -> ShiftedWallClock {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let offset_file = std::env::temp_dir().join(format!(
            "shifted-wall-clock-{}-{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let clock = ShiftedWallClock {
            offset_file,
            offset_secs: AtomicU64::new(0),
        };
        clock.write(0);
        clock
    }

    /// The variables that make a process read this clock.
    pub fn env(&self) -> Vec<(String, String)> {
        [
            ("LD_PRELOAD", library().to_string_lossy().into_owned()),
            (
                "FAKETIME_TIMESTAMP_FILE",
                self.offset_file.to_string_lossy().into_owned(),
            ),
            // Re-read the file on every call, so a new offset applies at once.
            ("FAKETIME_NO_CACHE", "1".to_owned()),
            ("FAKETIME_DONT_FAKE_MONOTONIC", "1".to_owned()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), value))
        .collect()
    }

    /// From now on the processes' wall clock runs `offset` ahead of the real one.
    pub fn set_ahead(&self, offset: Duration) {
        self.write(offset.as_secs());
    }

    /// The processes' current time in Unix seconds, for minting tokens they accept.
    pub fn unix_now(&self) -> u64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("a clock after 1970")
            .as_secs()
            + self.offset_secs.load(Ordering::SeqCst)
    }

    fn write(&self, offset_secs: u64) {
        self.offset_secs.store(offset_secs, Ordering::SeqCst);
        // Written whole then renamed, so a process never reads half a line.
        let staging = self.offset_file.with_extension("new");
        std::fs::write(&staging, format!("+{offset_secs}\n")).expect("write the clock offset");
        std::fs::rename(&staging, &self.offset_file).expect("install the clock offset");
    }
}

impl Default for ShiftedWallClock {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for ShiftedWallClock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.offset_file);
    }
}

fn library() -> &'static Path {
    LIBRARY_CANDIDATES
        .iter()
        .map(Path::new)
        .find(|path| path.exists())
        .unwrap_or_else(|| {
            panic!(
                "libfaketime is not installed (Debian package `faketime`; scripts/setup.sh \
                 installs it); looked for {LIBRARY_CANDIDATES:?}"
            )
        })
}
