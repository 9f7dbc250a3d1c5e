//! The site's files: the frontend build, checked and read from its zip, with each file's headers,
//! and the `config.json` written from the stack's parameters.

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;

use serde_json::json;

/// Vite's output under `assets/` carries a content hash in every name, so a name never changes
/// meaning and browsers may keep it for a year.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// Everything else (index.html, config.json, favicon...) keeps its name across builds, so
/// browsers and CloudFront must revalidate it.
pub const NO_CACHE: &str = "no-cache";

pub const INDEX: &str = "index.html";
pub const CONFIG: &str = "config.json";
const ASSETS_PREFIX: &str = "assets/";
/// Keys under this prefix are the publisher's own (its manifest); no build may write there.
pub const RESERVED_PREFIX: &str = ".frontend-publisher/";

/// Lambda's own limit on a layer's unzipped size: no real layer version unpacks to more, so a
/// build that says it does is damaged or hostile (a zip bomb).
pub const MAX_UNPACKED_BYTES: u64 = 250 * 1024 * 1024;
/// The largest single file. A file is held in memory while it uploads, so this is also the
/// most memory the uploads take together (see `IN_FLIGHT_BYTES` in publish.rs).
pub const MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;
/// Each file is one PutObject; a single-page app has dozens, a few hundred with its images.
pub const MAX_FILES: usize = 10_000;
/// S3's own limit on a key.
const MAX_KEY_BYTES: usize = 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub key: String,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

impl SiteFile {
    pub fn new(key: String, body: Vec<u8>) -> SiteFile {
        SiteFile {
            content_type: content_type(&key),
            cache_control: cache_control(&key),
            key,
            body,
        }
    }
}

fn cache_control(key: &str) -> &'static str {
    if key.starts_with(ASSETS_PREFIX) {
        IMMUTABLE
    } else {
        NO_CACHE
    }
}

/// The order uploads go in, so a visitor never gets an index.html that names a file not there
/// yet: hashed assets, then other files (config.json among them), index.html last.
pub fn upload_stage(key: &str) -> u8 {
    if key.starts_with(ASSETS_PREFIX) {
        0
    } else if key == INDEX {
        2
    } else {
        1
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the frontend build is not a readable zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("the frontend build could not be read: {0}")]
    Read(#[from] std::io::Error),
    #[error("the frontend build has an entry with an unsafe name ({name:?}): {reason}")]
    UnsafePath { name: String, reason: &'static str },
    #[error("the frontend build has two entries for {0}")]
    Duplicate(String),
    #[error("the frontend build's zip lists one name twice")]
    DuplicateEntries,
    #[error(
        "the frontend build has an entry under {RESERVED_PREFIX}, which the publisher keeps for itself ({0})"
    )]
    Reserved(String),
    #[error("the frontend build has a symbolic link ({0}); only files can be published")]
    Symlink(String),
    #[error("the frontend build's {0} is larger than {max} MiB", max = MAX_FILE_BYTES / 1024 / 1024)]
    FileTooLarge(String),
    #[error("the frontend build unpacks to more than {} MiB", MAX_UNPACKED_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the frontend build has more than {MAX_FILES} files")]
    TooManyFiles,
    #[error("the frontend build's {key} does not unpack to what its header says: {reason}")]
    Damaged { key: String, reason: String },
    #[error("the frontend build has no index.html at its root")]
    NoIndex,
}

/// One file of the build: where it goes and where it is in the zip.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildFile {
    pub key: String,
    pub size: u64,
    index: usize,
}

/// A build zip whose every entry has been checked, and read through once, before anything is
/// published: a damaged or hostile build fails with nothing changed. Files are read from the
/// zip again one at a time as they upload, so memory holds only the files in flight.
pub struct Build {
    archive: zip::ZipArchive<File>,
    files: Vec<BuildFile>,
}

impl std::fmt::Debug for Build {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Build").field("files", &self.files).finish()
    }
}

impl Build {
    /// Checks the zip's directory (names, kinds, sizes) and then every entry's content against
    /// its header (sizes and CRC). Blocking: file reads and inflation.
    pub fn open(zip: File) -> Result<Build, BuildError> {
        let mut archive = zip::ZipArchive::new(zip)?;
        if archive.len() > MAX_FILES {
            return Err(BuildError::TooManyFiles);
        }
        // The directory maps names to entries, so of two entries with one name only one would
        // be found: refuse rather than publish either.
        if archive.has_duplicate_names() {
            return Err(BuildError::DuplicateEntries);
        }
        let mut files = Vec::with_capacity(archive.len());
        let mut keys = BTreeSet::new();
        let mut unpacked = 0u64;
        for index in 0..archive.len() {
            let entry = archive.by_index_raw(index)?;
            // UTF-8 or CP437, as the entry's flags say.
            let name = entry.name()?.into_owned();
            if entry.is_dir() {
                continue;
            }
            if entry.is_symlink() {
                return Err(BuildError::Symlink(name));
            }
            let key = site_key(&name)?;
            if key.starts_with(RESERVED_PREFIX) {
                return Err(BuildError::Reserved(key));
            }
            if !keys.insert(key.clone()) {
                return Err(BuildError::Duplicate(key));
            }
            // A config.json in the build (say, one left from a local run) is replaced: the
            // stack's parameters are the deployed site's settings.
            if key == CONFIG {
                continue;
            }
            let size = entry.size();
            if size > MAX_FILE_BYTES {
                return Err(BuildError::FileTooLarge(key));
            }
            unpacked += size;
            if unpacked > MAX_UNPACKED_BYTES {
                return Err(BuildError::TooLarge);
            }
            files.push(BuildFile { key, size, index });
        }
        if !keys.contains(INDEX) {
            return Err(BuildError::NoIndex);
        }
        let mut build = Build { archive, files };
        for file in build.files.clone() {
            build.read_into(&file, &mut std::io::sink())?;
        }
        Ok(build)
    }

    pub fn files(&self) -> &[BuildFile] {
        &self.files
    }

    /// One file's content. Blocking: a file read and inflation.
    pub fn read(&mut self, file: &BuildFile) -> Result<Vec<u8>, BuildError> {
        let mut body = Vec::with_capacity(file.size as usize);
        self.read_into(file, &mut body)?;
        Ok(body)
    }

    /// Reads no more than the header's size plus one byte, so a header that understates the
    /// content (a zip bomb's trick) costs nothing beyond what it declared.
    fn read_into(
        &mut self,
        file: &BuildFile,
        sink: &mut impl std::io::Write,
    ) -> Result<(), BuildError> {
        let damaged = |reason: String| BuildError::Damaged {
            key: file.key.clone(),
            reason,
        };
        let entry = self.archive.by_index(file.index)?;
        let copied = std::io::copy(&mut entry.take(file.size + 1), sink)
            .map_err(|error| damaged(error.to_string()))?;
        if copied != file.size {
            return Err(damaged(format!(
                "{copied} bytes where the header says {}",
                file.size
            )));
        }
        Ok(())
    }
}

/// The S3 key for a zip entry's name: the name as it is, with `.` segments and empty segments
/// dropped (`./index.html` is `index.html`). A name that could mean a place outside the site
/// is refused, not repaired.
pub fn site_key(name: &str) -> Result<String, BuildError> {
    let unsafe_path = |reason| BuildError::UnsafePath {
        name: name.chars().take(200).collect(),
        reason,
    };
    if name.starts_with('/') {
        return Err(unsafe_path("it is absolute"));
    }
    if name.contains('\\') {
        return Err(unsafe_path("it has a backslash"));
    }
    if name.chars().any(char::is_control) {
        return Err(unsafe_path("it has a control character"));
    }
    let mut segments = Vec::new();
    for segment in name.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Err(unsafe_path("it has a .. segment")),
            _ => segments.push(segment),
        }
    }
    if segments.first().is_some_and(|first| first.ends_with(':')) {
        return Err(unsafe_path("it starts with a drive letter"));
    }
    let key = segments.join("/");
    if key.is_empty() {
        return Err(unsafe_path("it names no file"));
    }
    if key.len() > MAX_KEY_BYTES {
        return Err(unsafe_path("it is longer than an S3 key may be"));
    }
    Ok(key)
}

/// `config.json`, written from the stack's parameters.
pub fn config_file(project_id: &str, base_url: &str) -> SiteFile {
    SiteFile::new(CONFIG.to_owned(), config_json(project_id, base_url))
}

/// What the app reads at start-up; an empty `baseUrl` means "Descope's own API".
pub fn config_json(project_id: &str, base_url: &str) -> Vec<u8> {
    json!({ "projectId": project_id, "baseUrl": base_url })
        .to_string()
        .into_bytes()
}

/// The Content-Type S3 serves for a key, from its extension. CloudFront passes it on, and the
/// browser needs the right one for scripts (module scripts are refused otherwise) and styles.
pub fn content_type(key: &str) -> &'static str {
    let extension = key
        .rsplit_once('.')
        .map(|(_, extension)| extension.to_ascii_lowercase())
        .unwrap_or_default();
    match extension.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" => "text/plain; charset=utf-8",
        "xml" => "application/xml",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "avif" => "image/avif",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/index-AbC123.JS"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("assets/font.woff2"), "font/woff2");
        assert_eq!(content_type("LICENSE"), "application/octet-stream");
    }

    #[test]
    fn config_json_holds_exactly_the_two_settings() {
        let value: serde_json::Value =
            serde_json::from_slice(&config_json("P2abc", "")).expect("json");
        assert_eq!(value, json!({ "projectId": "P2abc", "baseUrl": "" }));
    }

    #[test]
    fn upload_stages_put_index_last() {
        assert!(upload_stage("assets/a.js") < upload_stage("config.json"));
        assert!(upload_stage("favicon.svg") < upload_stage("index.html"));
    }

    #[test]
    fn names_become_keys_without_dot_or_empty_segments() {
        assert_eq!(site_key("index.html").unwrap(), "index.html");
        assert_eq!(site_key("./index.html").unwrap(), "index.html");
        assert_eq!(site_key("assets//./a.js").unwrap(), "assets/a.js");
    }

    #[test]
    fn names_that_could_leave_the_site_are_refused() {
        for name in [
            "/index.html",
            "../index.html",
            "assets/../../x.js",
            "assets/../index.html",
            "assets\\a.js",
            "C:/index.html",
            "a\u{0}b",
            ".",
            "./",
        ] {
            assert!(
                matches!(site_key(name), Err(BuildError::UnsafePath { .. })),
                "{name}"
            );
        }
        assert!(site_key(&"a".repeat(1025)).is_err());
    }
}
