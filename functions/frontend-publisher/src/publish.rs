//! The work itself: publishing a build to the bucket and emptying the bucket.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{Delete, ObjectIdentifier};
use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use crate::aws_error::error_cause;
use crate::event::SiteProperties;
use crate::site::{self, Build, BuildError, BuildFile, SiteFile};
use crate::source::{BuildSource, FetchError};

/// The publisher's record of what the bucket serves. It lives in the bucket, beside the site,
/// so it is always the truth about that bucket's last publish, whichever build that was (a
/// failed update, a rollback, a hand upload leave no trace in the stack's properties). It holds
/// only names the site serves anyway and a request ID: nothing secret, yet nothing for the
/// public either, so the bucket policy denies CloudFront the reserved prefix it sits under.
pub const MANIFEST_KEY: &str = ".frontend-publisher/manifest.json";

/// Uploads at once: enough to hide S3's per-request latency for a few dozen files, few enough
/// for S3's per-prefix request rate.
const UPLOAD_CONCURRENCY: usize = 8;
/// Bytes of file content held in memory at once by the uploads: each file waits for its size
/// in permits before it is read from the zip. A file is at most `site::MAX_FILE_BYTES`, which
/// this equals, so one such file uploads alone.
const IN_FLIGHT_BYTES: u32 = site::MAX_FILE_BYTES as u32;
/// DeleteObjects takes at most this many keys.
const DELETE_BATCH: usize = 1000;

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    /// Every key of the live build, config.json included.
    pub files: BTreeSet<String>,
    /// Every key of the last build before it whose files differ: tabs opened before the live
    /// build went out may still load them. None when unknown (the first publish, a manifest
    /// written before this was recorded), and then nothing is pruned.
    #[serde(default)]
    pub previous_files: Option<BTreeSet<String>>,
    /// The CloudFormation request that published it; a retry of that request (Lambda retries an
    /// asynchronous invocation that crashed or timed out) finds its work done.
    pub request_id: String,
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("the custom resource's properties are invalid: {0}")]
    Properties(String),
    #[error(transparent)]
    Fetch(#[from] FetchError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("bucket {0} does not exist")]
    NoSuchBucket(String),
    #[error("S3 {operation} failed: {cause}")]
    S3 {
        operation: &'static str,
        cause: String,
    },
    #[error("CloudFront CreateInvalidation failed: {0}")]
    Invalidation(String),
    #[error("the publisher ran out of time before finishing")]
    OutOfTime,
}

/// What a publish did, for the log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub uploaded: usize,
    pub pruned: usize,
    /// None when this request had already published (a retried invocation).
    pub invalidation_id: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Publisher<S> {
    s3: aws_sdk_s3::Client,
    cloudfront: aws_sdk_cloudfront::Client,
    source: S,
}

impl<S: BuildSource> Publisher<S> {
    pub fn new(
        s3: aws_sdk_s3::Client,
        cloudfront: aws_sdk_cloudfront::Client,
        source: S,
    ) -> Publisher<S> {
        Publisher {
            s3,
            cloudfront,
            source,
        }
    }

    /// Publishes the build the properties name (Create, Update and a rollback's Update alike).
    ///
    /// Files of the last build that differs from this one stay (the build live until now, or,
    /// when the same build is published again, the one before it), so tabs opened before the
    /// build changed can still lazy-load their chunks; everything older goes. When that build
    /// is unknown (no manifest: the first publish, or a bucket published by other means) nothing
    /// is pruned.
    pub async fn publish(
        &self,
        properties: &SiteProperties,
        request_id: &str,
    ) -> Result<Published, PublishError> {
        let bucket = properties.bucket_name.as_str();
        let live = self.read_manifest(bucket).await?;
        if live
            .as_ref()
            .is_some_and(|manifest| manifest.request_id == request_id)
        {
            tracing::info!("this request already published; answering without repeating it");
            return Ok(Published {
                uploaded: 0,
                pruned: 0,
                invalidation_id: None,
            });
        }

        let zip = self.source.fetch(&properties.frontend_build).await?;
        let build = tokio::task::spawn_blocking(move || Build::open(zip))
            .await
            .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))?;
        let config =
            site::config_file(&properties.descope_project_id, &properties.descope_base_uri);
        let mut new_keys: BTreeSet<String> =
            build.files().iter().map(|file| file.key.clone()).collect();
        new_keys.insert(config.key.clone());

        // The build to keep beside this one is the last one that differs: republishing the
        // same build (a parameters-only update) must not push out the one before it.
        let previous_files = match &live {
            Some(live) if live.files == new_keys => live.previous_files.clone(),
            Some(live) => Some(live.files.clone()),
            None => None,
        };
        let uploaded = new_keys.len();
        self.upload(bucket, build, config).await?;

        let pruned = match &previous_files {
            Some(previous) => {
                let stale: Vec<String> = self
                    .list_keys(bucket)
                    .await?
                    .into_iter()
                    .filter(|key| {
                        !key.starts_with(site::RESERVED_PREFIX)
                            && !new_keys.contains(key)
                            && !previous.contains(key)
                    })
                    .collect();
                self.delete_keys(bucket, &stale).await?;
                stale.len()
            }
            None => 0,
        };

        let invalidation_id = self
            .invalidate(&properties.distribution_id, request_id)
            .await?;
        // Last, so a run that stops earlier is redone in full by a retry.
        self.write_manifest(
            bucket,
            &Manifest {
                files: new_keys,
                previous_files,
                request_id: request_id.to_owned(),
            },
        )
        .await?;
        Ok(Published {
            uploaded,
            pruned,
            invalidation_id: Some(invalidation_id),
        })
    }

    /// Deletes every object, so CloudFormation can delete the bucket. The bucket is not
    /// versioned, so deleted objects leave nothing behind. Returns how many went, or None when
    /// the bucket does not exist.
    pub async fn empty(&self, bucket: &str) -> Result<Option<usize>, PublishError> {
        let keys = match self.list_keys(bucket).await {
            Ok(keys) => keys,
            Err(PublishError::NoSuchBucket(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        self.delete_keys(bucket, &keys).await?;
        Ok(Some(keys.len()))
    }

    async fn upload(
        &self,
        bucket: &str,
        build: Build,
        config: SiteFile,
    ) -> Result<(), PublishError> {
        let mut stages: [Vec<Upload>; 3] = Default::default();
        for file in build.files() {
            stages[usize::from(site::upload_stage(&file.key))]
                .push(Upload::FromBuild(file.clone()));
        }
        stages[usize::from(site::upload_stage(&config.key))].push(Upload::Ready(config));
        let build = Arc::new(Mutex::new(build));
        let in_flight = Arc::new(Semaphore::new(IN_FLIGHT_BYTES as usize));
        for stage in stages {
            // Dropping the set (on an error, or when the deadline cancels the work) aborts the
            // uploads still running.
            let mut uploads = JoinSet::new();
            let mut waiting = stage.into_iter();
            loop {
                while uploads.len() < UPLOAD_CONCURRENCY {
                    let Some(upload) = waiting.next() else { break };
                    uploads.spawn(upload.run(
                        self.s3.clone(),
                        bucket.to_owned(),
                        Arc::clone(&build),
                        Arc::clone(&in_flight),
                    ));
                }
                match uploads.join_next().await {
                    Some(result) => result
                        .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))?,
                    None => break,
                }
            }
        }
        Ok(())
    }

    async fn read_manifest(&self, bucket: &str) -> Result<Option<Manifest>, PublishError> {
        let object = match self
            .s3
            .get_object()
            .bucket(bucket)
            .key(MANIFEST_KEY)
            .send()
            .await
        {
            Ok(object) => object,
            Err(error) if error.code() == Some("NoSuchKey") => return Ok(None),
            Err(error) => return Err(s3_error("GetObject", bucket, error)),
        };
        let body = object
            .body
            .collect()
            .await
            .map_err(|_| PublishError::S3 {
                operation: "GetObject",
                cause: "the manifest's download broke off".to_owned(),
            })?
            .into_bytes();
        match serde_json::from_slice(&body) {
            Ok(manifest) => Ok(Some(manifest)),
            Err(error) => {
                // Unreadable means unknown: prune nothing rather than guess.
                tracing::warn!(%error, "the bucket's manifest is unreadable; ignoring it");
                Ok(None)
            }
        }
    }

    async fn write_manifest(&self, bucket: &str, manifest: &Manifest) -> Result<(), PublishError> {
        let body = serde_json::to_vec(manifest).expect("a manifest always serializes");
        self.s3
            .put_object()
            .bucket(bucket)
            .key(MANIFEST_KEY)
            .content_type("application/json")
            .cache_control(site::NO_CACHE)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|error| s3_error("PutObject", bucket, error))?;
        Ok(())
    }

    async fn list_keys(&self, bucket: &str) -> Result<Vec<String>, PublishError> {
        let mut pages = self
            .s3
            .list_objects_v2()
            .bucket(bucket)
            .into_paginator()
            .send();
        let mut keys = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|error| s3_error("ListObjectsV2", bucket, error))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key().map(str::to_owned)),
            );
        }
        Ok(keys)
    }

    async fn delete_keys(&self, bucket: &str, keys: &[String]) -> Result<(), PublishError> {
        for batch in keys.chunks(DELETE_BATCH) {
            let objects = batch
                .iter()
                .map(|key| ObjectIdentifier::builder().key(key).build())
                .collect::<Result<Vec<_>, _>>()
                .expect("every identifier has a key");
            let delete = Delete::builder()
                .set_objects(Some(objects))
                .quiet(true)
                .build()
                .expect("the delete request lists its objects");
            let output = self
                .s3
                .delete_objects()
                .bucket(bucket)
                .delete(delete)
                .send()
                .await
                .map_err(|error| s3_error("DeleteObjects", bucket, error))?;
            // DeleteObjects answers 200 even when some keys could not be deleted.
            if let Some(failure) = output.errors().first() {
                tracing::error!(
                    failed = output.errors().len(),
                    code = failure.code(),
                    message = failure.message(),
                    "S3 kept some objects"
                );
                return Err(PublishError::S3 {
                    operation: "DeleteObjects",
                    cause: failure
                        .code()
                        .unwrap_or("an object was not deleted")
                        .to_owned(),
                });
            }
        }
        Ok(())
    }

    /// One invalidation of everything: one path to pay for, and it also drops files this build
    /// removed. The caller reference is the CloudFormation request's ID, so if a retried
    /// invocation gets here again CloudFront returns the first invalidation instead of making a
    /// second.
    async fn invalidate(
        &self,
        distribution_id: &str,
        request_id: &str,
    ) -> Result<String, PublishError> {
        use aws_sdk_cloudfront::types::{InvalidationBatch, Paths};
        let batch = InvalidationBatch::builder()
            .caller_reference(request_id)
            .paths(
                Paths::builder()
                    .quantity(1)
                    .items("/*")
                    .build()
                    .expect("the paths have a quantity"),
            )
            .build()
            .expect("the batch has paths and a caller reference");
        let output = self
            .cloudfront
            .create_invalidation()
            .distribution_id(distribution_id)
            .invalidation_batch(batch)
            .send()
            .await
            .map_err(|error| {
                tracing::error!(error = %DisplayErrorContext(&error), "CreateInvalidation failed");
                PublishError::Invalidation(error_cause(&error, "CloudFront"))
            })?;
        let id = output
            .invalidation()
            .map(|invalidation| invalidation.id().to_owned())
            .unwrap_or_default();
        Ok(id)
    }
}

/// One file to upload: from the build's zip, or written by the publisher.
enum Upload {
    FromBuild(BuildFile),
    Ready(SiteFile),
}

impl Upload {
    async fn run(
        self,
        s3: aws_sdk_s3::Client,
        bucket: String,
        build: Arc<Mutex<Build>>,
        in_flight: Arc<Semaphore>,
    ) -> Result<(), PublishError> {
        match self {
            Upload::Ready(file) => put_file(s3, bucket, file).await,
            Upload::FromBuild(file) => {
                let bytes = u32::try_from(file.size.max(1))
                    .unwrap_or(IN_FLIGHT_BYTES)
                    .min(IN_FLIGHT_BYTES);
                // Held until the upload ends, as long as the body is in memory.
                let _permit = in_flight
                    .acquire_many_owned(bytes)
                    .await
                    .expect("the semaphore is never closed");
                let file = tokio::task::spawn_blocking(move || {
                    build
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner)
                        .read(&file)
                        .map(|body| SiteFile::new(file.key.clone(), body))
                })
                .await
                .unwrap_or_else(|join| std::panic::resume_unwind(join.into_panic()))?;
                put_file(s3, bucket, file).await
            }
        }
    }
}

async fn put_file(
    s3: aws_sdk_s3::Client,
    bucket: String,
    file: SiteFile,
) -> Result<(), PublishError> {
    s3.put_object()
        .bucket(&bucket)
        .key(&file.key)
        .content_type(file.content_type)
        .cache_control(file.cache_control)
        .body(ByteStream::from(file.body))
        .send()
        .await
        .map_err(|error| s3_error("PutObject", &bucket, error))?;
    Ok(())
}

/// Logs the SDK's whole error chain and keeps the short cause for CloudFormation's Reason.
fn s3_error<E>(
    operation: &'static str,
    bucket: &str,
    error: SdkError<E, HttpResponse>,
) -> PublishError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    tracing::error!(operation, error = %DisplayErrorContext(&error), "S3 call failed");
    match error.code() {
        Some("NoSuchBucket") => PublishError::NoSuchBucket(bucket.to_owned()),
        _ => PublishError::S3 {
            operation,
            cause: error_cause(&error, "S3"),
        },
    }
}
