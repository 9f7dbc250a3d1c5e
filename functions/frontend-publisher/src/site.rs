//! The site's files: the frontend build unpacked from its zip, with each file's headers, and
//! the `config.json` written from the stack's parameters.

use std::io::{Cursor, Read};

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

/// Far above a single-page app's build; stops a damaged or hostile zip from exhausting memory.
const MAX_UNPACKED_BYTES: u64 = 256 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SiteFile {
    pub key: String,
    pub body: Vec<u8>,
    pub content_type: &'static str,
    pub cache_control: &'static str,
}

impl SiteFile {
    fn new(key: String, body: Vec<u8>) -> SiteFile {
        let cache_control = if key.starts_with(ASSETS_PREFIX) {
            IMMUTABLE
        } else {
            NO_CACHE
        };
        SiteFile {
            content_type: content_type(&key),
            cache_control,
            key,
            body,
        }
    }

    /// The order uploads go in, so a visitor never gets an index.html that names a file not
    /// there yet: hashed assets, then other files (config.json among them), index.html last.
    pub fn upload_stage(&self) -> u8 {
        if self.key.starts_with(ASSETS_PREFIX) {
            0
        } else if self.key == INDEX {
            2
        } else {
            1
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the frontend build is not a readable zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    #[error("the frontend build could not be read: {0}")]
    Read(#[from] std::io::Error),
    #[error("the frontend build has an entry outside its root ({0})")]
    UnsafePath(String),
    #[error("the frontend build unpacks to more than {} MiB", MAX_UNPACKED_BYTES / 1024 / 1024)]
    TooLarge,
    #[error("the frontend build has no index.html at its root")]
    NoIndex,
}

/// Unpacks the build and adds `config.json`. A `config.json` in the build (say, one left from a
/// local run) is replaced: the stack's parameters are the deployed site's settings.
pub fn site_files(
    zip: &[u8],
    project_id: &str,
    base_url: &str,
) -> Result<Vec<SiteFile>, BuildError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip))?;
    let mut files = Vec::with_capacity(archive.len() + 1);
    let mut unpacked = 0u64;
    for index in 0..archive.len() {
        let mut entry = archive.by_index(index)?;
        if entry.is_dir() {
            continue;
        }
        let path = entry.enclosed_name().ok_or_else(|| {
            BuildError::UnsafePath(
                entry
                    .name()
                    .map(|name| name.into_owned())
                    .unwrap_or_default(),
            )
        })?;
        let key = path
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if key == CONFIG || key.is_empty() || key.starts_with(crate::publish::MANIFEST_KEY) {
            continue;
        }
        unpacked += entry.size();
        if unpacked > MAX_UNPACKED_BYTES {
            return Err(BuildError::TooLarge);
        }
        let mut body = Vec::with_capacity(entry.size() as usize);
        entry.read_to_end(&mut body)?;
        files.push(SiteFile::new(key, body));
    }
    if !files.iter().any(|file| file.key == INDEX) {
        return Err(BuildError::NoIndex);
    }
    files.push(SiteFile::new(
        CONFIG.to_owned(),
        config_json(project_id, base_url),
    ));
    Ok(files)
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
        let stage = |key: &str| SiteFile::new(key.to_owned(), Vec::new()).upload_stage();
        assert!(stage("assets/a.js") < stage("config.json"));
        assert!(stage("favicon.svg") < stage("index.html"));
    }
}
