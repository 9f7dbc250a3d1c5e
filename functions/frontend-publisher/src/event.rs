//! The CloudFormation custom-resource request, and the properties this resource takes.

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum RequestType {
    Create,
    Update,
    Delete,
}

/// What CloudFormation sends. Properties stay raw JSON here so that a request with bad
/// properties still parses, and so still gets its FAILED answer.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct CfnRequest {
    pub request_type: RequestType,
    #[serde(rename = "ResponseURL")]
    pub response_url: String,
    pub stack_id: String,
    pub request_id: String,
    pub logical_resource_id: String,
    #[serde(default)]
    pub physical_resource_id: Option<String>,
    #[serde(default)]
    pub resource_properties: Value,
}

/// The custom resource's properties (template.yaml, `FrontendSite`). CloudFormation passes every
/// value as a string.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SiteProperties {
    pub bucket_name: String,
    pub distribution_id: String,
    /// The frontend layer version's ARN: a new one for every changed build.
    pub frontend_build: String,
    pub descope_project_id: String,
    #[serde(default)]
    pub descope_base_uri: String,
}

impl SiteProperties {
    pub fn from_value(value: &Value) -> Result<SiteProperties, serde_json::Error> {
        SiteProperties::deserialize(value)
    }
}

/// The physical resource ID of a published site. It depends on the bucket alone, so it stays the
/// same across updates: a changed ID would make CloudFormation delete the "old" resource after
/// the update, and Delete empties the bucket. When the bucket itself is replaced the ID changes,
/// and that Delete empties the old bucket so CloudFormation can remove it.
pub fn physical_id(bucket: &str) -> String {
    format!("frontend-site:{bucket}")
}

/// The ID a failed Create answers with. The Delete that CloudFormation sends while rolling back
/// carries it, which tells the publisher nothing of the stack depends on the bucket's contents.
pub fn failed_create_id(request_id: &str) -> String {
    format!("{FAILED_CREATE_PREFIX}{request_id}")
}

pub const FAILED_CREATE_PREFIX: &str = "frontend-site-create-failed:";
