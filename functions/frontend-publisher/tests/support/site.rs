//! A stack's frontend as moto holds it, the site bucket and its distribution, with the doubles
//! around it, and the requests CloudFormation sends to publish it.

use std::time::Duration;

use frontend_publisher::handler::Budget;
use frontend_publisher::{BuildSource, CfnRequest, Publisher, Responder};
use serde_json::{Value, json};

use super::builds::{BuildServer, LocalLayers, layer_arn};
use super::clients::{CallLog, cloudfront_client, s3_client};
use super::cloudformation::{ResponseUrl, STACK_ID};
use super::moto::Moto;

pub const PROJECT_ID: &str = "P2TestProject";

/// Time enough for any test's work and its answer.
pub const AMPLE_BUDGET: Budget = Budget {
    time_left: Duration::from_secs(60),
    answer_margin: Duration::from_secs(5),
};

/// A stack's frontend as moto holds it: the bucket, a distribution, and the doubles around it.
pub struct Site {
    pub moto: Moto,
    pub builds: BuildServer,
    pub cfn: ResponseUrl,
    pub calls: CallLog,
    pub s3: aws_sdk_s3::Client,
    pub cloudfront: aws_sdk_cloudfront::Client,
    pub bucket: String,
    pub distribution_id: String,
}

impl Site {
    pub async fn start() -> Site {
        let moto = Moto::start().await;
        let calls = CallLog::default();
        let s3 = s3_client(&moto.endpoint, &calls);
        let cloudfront = cloudfront_client(&moto.endpoint, &calls);
        let bucket = "site-frontendbucket-abc123".to_owned();
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .expect("create the bucket");
        let distribution_id = create_distribution(&cloudfront, &bucket).await;
        Site {
            builds: BuildServer::start().await,
            cfn: ResponseUrl::start().await,
            moto,
            calls,
            s3,
            cloudfront,
            bucket,
            distribution_id,
        }
    }

    pub fn publisher(&self) -> Publisher<LocalLayers> {
        self.publisher_with(self.builds.layers())
    }

    pub fn publisher_with<S: BuildSource>(&self, source: S) -> Publisher<S> {
        Publisher::new(self.s3.clone(), self.cloudfront.clone(), source)
    }

    /// The publisher with its S3 client pointed at `endpoint` instead of moto.
    pub fn publisher_on_s3_at(&self, endpoint: &str) -> Publisher<LocalLayers> {
        Publisher::new(
            s3_client(endpoint, &self.calls),
            self.cloudfront.clone(),
            self.builds.layers(),
        )
    }

    pub fn properties(&self, build: &str) -> Value {
        json!({
            "ServiceToken": "arn:aws:lambda:us-east-1:123456789012:function:site-FrontendPublisher",
            "BucketName": self.bucket,
            "DistributionId": self.distribution_id,
            "FrontendBuild": build,
            "DescopeProjectId": PROJECT_ID,
            "DescopeBaseUri": "",
        })
    }

    /// CloudFormation's Create of the resource, answered at this site's response URL.
    pub fn create_event(&self, request_id: &str, properties: Value) -> Value {
        self.event("Create", request_id, properties)
    }

    /// CloudFormation's Update of the resource `physical_id` from `old_properties`.
    pub fn update_event(
        &self,
        request_id: &str,
        physical_id: &str,
        properties: Value,
        old_properties: Value,
    ) -> Value {
        let mut event = self.event("Update", request_id, properties);
        event["PhysicalResourceId"] = json!(physical_id);
        event["OldResourceProperties"] = old_properties;
        event
    }

    /// CloudFormation's Delete of the resource `physical_id`.
    pub fn delete_event(&self, request_id: &str, physical_id: &str, properties: Value) -> Value {
        let mut event = self.event("Delete", request_id, properties);
        event["PhysicalResourceId"] = json!(physical_id);
        event
    }

    fn event(&self, request_type: &str, request_id: &str, properties: Value) -> Value {
        json!({
            "RequestType": request_type,
            "ServiceToken": properties["ServiceToken"],
            "ResponseURL": self.cfn.url_for(request_id),
            "StackId": STACK_ID,
            "RequestId": request_id,
            "LogicalResourceId": "FrontendSite",
            "ResourceType": "Custom::FrontendSite",
            "ResourceProperties": properties,
        })
    }

    /// An Update of a published site to layer version 1, for a publisher whose work never
    /// finishes.
    pub fn update_of_kept_site(&self, request_id: &str) -> CfnRequest {
        let properties = self.properties(&layer_arn(1));
        as_request(self.update_event(
            request_id,
            "frontend-site:kept",
            properties.clone(),
            properties,
        ))
    }

    /// Runs one request through the publisher that fetches builds from the local layer server,
    /// and returns the answer CloudFormation got.
    pub async fn send(&self, event: Value) -> Value {
        self.run(&self.publisher(), &as_request(event)).await
    }

    /// Runs the handler as main does, with time to spare, and returns the recorded answer.
    pub async fn run<S: BuildSource>(
        &self,
        publisher: &Publisher<S>,
        request: &CfnRequest,
    ) -> Value {
        let responder = Responder::new(frontend_publisher::http_client());
        frontend_publisher::handle(publisher, &responder, request, AMPLE_BUDGET, "test-stream")
            .await
            .expect("the answer reaches the response URL");
        self.cfn.answer_to(&request.request_id)
    }

    /// Puts an object in the bucket behind the publisher's back.
    pub async fn put_object(&self, key: &str, body: &str) {
        self.s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .body(body.as_bytes().to_vec().into())
            .send()
            .await
            .unwrap_or_else(|e| panic!("put {key}: {e:?}"));
    }

    pub async fn keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self
            .s3
            .list_objects_v2()
            .bucket(&self.bucket)
            .send()
            .await
            .expect("list the bucket")
            .contents()
            .iter()
            .filter_map(|o| o.key().map(str::to_owned))
            .collect();
        keys.sort();
        keys
    }

    pub async fn object(&self, key: &str) -> (String, String, String) {
        let object = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
            .unwrap_or_else(|e| panic!("get {key}: {e:?}"));
        let content_type = object.content_type().unwrap_or_default().to_owned();
        let cache_control = object.cache_control().unwrap_or_default().to_owned();
        let body = object.body.collect().await.expect("body").into_bytes();
        (
            content_type,
            cache_control,
            String::from_utf8(body.to_vec()).expect("utf-8"),
        )
    }

    /// The caller references of the distribution's invalidations.
    pub async fn invalidations(&self) -> Vec<String> {
        let list = self
            .cloudfront
            .list_invalidations()
            .distribution_id(&self.distribution_id)
            .send()
            .await
            .expect("list invalidations");
        let mut references = Vec::new();
        for summary in list
            .invalidation_list()
            .map(|l| l.items())
            .unwrap_or_default()
        {
            let invalidation = self
                .cloudfront
                .get_invalidation()
                .distribution_id(&self.distribution_id)
                .id(summary.id())
                .send()
                .await
                .expect("get invalidation");
            let batch = invalidation
                .invalidation()
                .and_then(|i| i.invalidation_batch())
                .expect("a batch");
            assert_eq!(
                batch.paths().map(|p| p.items()).unwrap_or_default(),
                ["/*"],
                "one path for everything"
            );
            references.push(batch.caller_reference().to_owned());
        }
        references
    }
}

/// The event as the publisher's handler receives it.
pub fn as_request(event: Value) -> CfnRequest {
    serde_json::from_value(event).expect("a CloudFormation request")
}

async fn create_distribution(cloudfront: &aws_sdk_cloudfront::Client, bucket: &str) -> String {
    use aws_sdk_cloudfront::types::{
        DefaultCacheBehavior, DistributionConfig, Origin, Origins, S3OriginConfig,
        ViewerProtocolPolicy,
    };
    let origin = Origin::builder()
        .id("FrontendBucket")
        .domain_name(format!("{bucket}.s3.us-east-1.amazonaws.com"))
        .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
        .build()
        .expect("origin");
    let config = DistributionConfig::builder()
        .caller_reference("tests")
        .comment("tests")
        .enabled(true)
        .origins(
            Origins::builder()
                .quantity(1)
                .items(origin)
                .build()
                .expect("origins"),
        )
        .default_cache_behavior(
            DefaultCacheBehavior::builder()
                .target_origin_id("FrontendBucket")
                .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
                .cache_policy_id("658327ea-f89d-4fab-a63d-7e88639e58f6")
                .build()
                .expect("cache behaviour"),
        )
        .build()
        .expect("distribution config");
    cloudfront
        .create_distribution()
        .distribution_config(config)
        .send()
        .await
        .expect("create the distribution in moto")
        .distribution()
        .expect("a distribution")
        .id()
        .to_owned()
}
