//! Builds that are damaged or made to harm: each is refused before anything is published, and
//! CloudFormation is told why.

mod support;

use std::io::Write;

use support::*;
use zip::CompressionMethod;
use zip::write::SimpleFileOptions;

const INDEX_HTML: &str = "<!doctype html><script type=module src=/assets/index-x.js></script>";

/// Publishes `zip` as a Create and returns CloudFormation's Reason, after checking the answer is
/// FAILED and the bucket and distribution were left alone.
async fn refused(site: &Site, zip: Vec<u8>) -> String {
    let build = site.builds.add_zip(1, zip);
    let answer = site
        .send(site.create_event("create", site.properties(&build)))
        .await;
    let reason = failure_reason(&answer).to_owned();
    assert!(
        site.keys().await.is_empty(),
        "nothing is published from a refused build"
    );
    assert!(site.invalidations().await.is_empty());
    reason
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

/// A zip being written that already holds a sound index.html.
fn zip_with_index() -> zip::ZipWriter<std::io::Cursor<Vec<u8>>> {
    let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    writer.start_file("index.html", stored()).unwrap();
    writer.write_all(INDEX_HTML.as_bytes()).unwrap();
    writer
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

/// Overwrites an entry's declared (uncompressed) size in its local header and in the central
/// directory, as a crafted zip would.
fn declare_size(zip: &mut [u8], name: &str, size: u32) {
    let mut patched = 0;
    for at in 0..zip.len().saturating_sub(46) {
        let (size_at, name_at) = match &zip[at..at + 4] {
            b"PK\x03\x04" => (at + 22, at + 30),
            b"PK\x01\x02" => (at + 24, at + 46),
            _ => continue,
        };
        if zip.get(name_at..name_at + name.len()) == Some(name.as_bytes()) {
            zip[size_at..size_at + 4].copy_from_slice(&size.to_le_bytes());
            patched += 1;
        }
    }
    assert_eq!(patched, 2, "{name} has a local and a central header");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_parent_directory_entry_is_refused() {
    let site = Site::start().await;
    let zip = zip_of(&[("index.html", INDEX_HTML), ("../outside.js", "x")]);

    let reason = refused(&site, zip).await;

    assert!(
        reason.contains(r#"unsafe name ("../outside.js"): it has a .. segment"#),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_absolute_entry_is_refused() {
    let site = Site::start().await;
    let zip = zip_of(&[("/index.html", INDEX_HTML)]);

    let reason = refused(&site, zip).await;

    assert!(
        reason.contains(r#"unsafe name ("/index.html"): it is absolute"#),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn names_that_become_one_key_are_refused() {
    let site = Site::start().await;
    for (version, second) in [(1, "./index.html"), (2, ".//index.html")] {
        let zip = zip_of(&[("index.html", INDEX_HTML), (second, "<!doctype html>")]);
        let build = site.builds.add_zip(version, zip);
        let answer = site
            .send(site.create_event(&format!("create-{version}"), site.properties(&build)))
            .await;
        let reason = failure_reason(&answer);
        assert!(
            reason.contains("the frontend build has two entries for index.html"),
            "{second}: {reason}"
        );
    }
    let zip = zip_of(&[
        ("index.html", INDEX_HTML),
        ("assets/a.js", "1"),
        ("assets//a.js", "2"),
    ]);
    let reason = refused(&site, zip).await;
    assert!(reason.contains("two entries for assets/a.js"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exactly_repeated_name_is_refused() {
    let site = Site::start().await;
    // Zip writers refuse a repeated name, so write two and make the second name the first.
    let mut zip = zip_of(&[
        ("index.html", INDEX_HTML),
        ("indey.html", "<!doctype html>"),
    ]);
    let mut renamed = 0;
    for at in 0..zip.len() - 10 {
        if &zip[at..at + 10] == b"indey.html" {
            zip[at..at + 10].copy_from_slice(b"index.html");
            renamed += 1;
        }
    }
    assert_eq!(renamed, 2, "a local and a central header");

    let reason = refused(&site, zip).await;

    assert!(
        reason.contains("the frontend build's zip lists one name twice"),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_entry_is_refused() {
    let site = Site::start().await;
    let mut zip = zip_of(&[("index.html", INDEX_HTML), ("assets/video.mp4", "tiny")]);
    // 64 MiB and a byte: what the header declares is what would be held in memory.
    declare_size(&mut zip, "assets/video.mp4", 64 * 1024 * 1024 + 1);

    let reason = refused(&site, zip).await;

    assert!(
        reason.contains("the frontend build's assets/video.mp4 is larger than 64 MiB"),
        "{reason}"
    );
}

/// The classic bomb: honest headers, every entry a few hundred bytes of deflate that inflate to
/// 60 MiB of zeros, five of them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_zip_bomb_is_refused_before_it_is_inflated() {
    let site = Site::start().await;
    let zeros = {
        let mut writer = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        writer.start_file("zeros", deflated()).unwrap();
        let chunk = vec![0u8; 1024 * 1024];
        for _ in 0..60 {
            writer.write_all(&chunk).unwrap();
        }
        zip::ZipArchive::new(std::io::Cursor::new(writer.finish().unwrap().into_inner())).unwrap()
    };
    let mut zeros = zeros;
    let mut writer = zip_with_index();
    for n in 0..5 {
        let entry = zeros.by_index_raw(0).unwrap();
        writer
            .raw_copy_file_rename(entry, format!("assets/zeros-{n}.bin"))
            .unwrap();
    }
    let zip = writer.finish().unwrap().into_inner();
    assert!(zip.len() < 1024 * 1024, "the bomb is small: {}", zip.len());

    let reason = refused(&site, zip).await;

    assert!(
        reason.contains("the frontend build unpacks to more than 250 MiB"),
        "{reason}"
    );
}

/// A header that understates its entry: 1 KiB declared, 8 MiB inside.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entry_larger_than_its_header_says_is_refused() {
    let site = Site::start().await;
    let mut writer = zip_with_index();
    writer.start_file("assets/lie.js", deflated()).unwrap();
    writer.write_all(&vec![b'x'; 8 * 1024 * 1024]).unwrap();
    let mut zip = writer.finish().unwrap().into_inner();
    declare_size(&mut zip, "assets/lie.js", 1024);

    let reason = refused(&site, zip).await;

    assert!(
        reason
            .contains("the frontend build's assets/lie.js does not unpack to what its header says"),
        "{reason}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_symbolic_link_is_refused() {
    let site = Site::start().await;
    let mut writer = zip_with_index();
    writer
        .add_symlink("assets/passwd", "/etc/passwd", stored())
        .unwrap();
    let zip = writer.finish().unwrap().into_inner();

    let reason = refused(&site, zip).await;

    assert!(reason.contains("symbolic link (assets/passwd)"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_build_cannot_write_the_publishers_own_files() {
    let site = Site::start().await;
    let zip = zip_of(&[
        ("index.html", INDEX_HTML),
        (".frontend-publisher/manifest.json", r#"{"files":[]}"#),
    ]);

    let reason = refused(&site, zip).await;

    assert!(reason.contains("under .frontend-publisher/"), "{reason}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_download_past_the_cap_is_cut_off() {
    let site = Site::start().await;

    let answer = site
        .send(site.create_event("create", site.properties(&layer_arn(ENDLESS_BUILD))))
        .await;

    let reason = failure_reason(&answer);
    assert!(
        reason.contains("the frontend build's zip is larger than 100 MiB"),
        "{reason}"
    );
    assert!(site.keys().await.is_empty());
}
