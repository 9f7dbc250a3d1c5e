//! Validation of Descope session tokens for Lambda functions.
