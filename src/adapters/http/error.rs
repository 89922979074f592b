//! The one error body (00 §9): `{code, message, fields?, correlation_id}`.
//!
//! `ApiError` renders its status and headers; the request pipeline adds the
//! correlation id to the body, so every error (handlers, extractors, unknown
//! routes) goes through the same renderer.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

use crate::domain::field_error::FieldError;

/// The wire body of every error.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(example = json!({"code":"invalid_parameter","message":"Some parameters are invalid.","fields":[{"field":"pax","message":"Must be an integer from 1 to 100."}],"correlation_id":"3f0c1e2a-5b7d-4c8e-9a10-2b3c4d5e6f70"}))]
pub struct ErrorBody {
    /// Stable snake_case code; clients branch on it.
    #[schema(value_type = String)]
    pub code: Cow<'static, str>,
    /// Human text of our own.
    pub message: String,
    /// One entry per failing input; omitted when empty.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldError>,
    pub correlation_id: String,
}

/// An error answer. Rendered as [`ErrorBody`]; the body is completed by the pipeline.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub fields: Vec<FieldError>,
    /// Seconds (u32 keeps the error small: it travels in every `Result`).
    pub retry_after: Option<u32>,
    pub allow: Option<&'static str>,
    /// `Location` (409 `already_reserved`).
    pub location: Option<Box<str>>,
}

impl ApiError {
    pub fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: Cow::Borrowed(code),
            message: message.into(),
            fields: Vec::new(),
            retry_after: None,
            allow: None,
            location: None,
        }
    }

    pub fn with_fields(mut self, fields: Vec<FieldError>) -> Self {
        self.fields = fields;
        self
    }

    pub fn with_retry_after(mut self, secs: u64) -> Self {
        self.retry_after = Some(u32::try_from(secs).unwrap_or(u32::MAX).max(1));
        self
    }

    pub fn invalid_parameter(fields: Vec<FieldError>) -> Self {
        Self::new(400, "invalid_parameter", "Some parameters are invalid.").with_fields(fields)
    }
    pub fn unauthorized() -> Self {
        Self::new(401, "unauthorized", "Missing or invalid API key.")
    }
    pub fn not_found() -> Self {
        Self::new(404, "not_found", "No such route.")
    }
    pub fn method_not_allowed(allow: &'static str) -> Self {
        let mut e = Self::new(
            405,
            "method_not_allowed",
            "Method not allowed on this route.",
        );
        e.allow = Some(allow);
        e
    }
    pub fn payload_too_large() -> Self {
        Self::new(413, "payload_too_large", "The request body is too large.")
    }
    pub fn invalid_body(message: impl Into<String>) -> Self {
        Self::new(400, "invalid_body", message)
    }
    pub fn overloaded() -> Self {
        Self::new(
            503,
            "overloaded",
            "The service is overloaded; retry shortly.",
        )
        .with_retry_after(1)
    }
    pub fn internal() -> Self {
        Self::new(500, "internal_error", "Internal error.")
    }
    pub fn upstream_error() -> Self {
        Self::new(
            502,
            "upstream_error",
            "The travel platform failed to answer.",
        )
    }
    pub fn upstream_auth_failed() -> Self {
        Self::new(
            502,
            "upstream_auth_failed",
            "The travel platform rejected this client's credentials.",
        )
    }
    pub fn upstream_timeout() -> Self {
        Self::new(
            504,
            "upstream_timeout",
            "The travel platform did not answer in time.",
        )
    }
    pub fn upstream_unavailable(retry_after: u64) -> Self {
        Self::new(
            503,
            "upstream_unavailable",
            "The travel platform is unavailable; retry later.",
        )
        .with_retry_after(retry_after)
    }
    /// The state store (40 §3) failed; `kv.errors` was counted by the adapter.
    pub fn store_unavailable() -> Self {
        Self::new(
            503,
            "store_unavailable",
            "State storage is unavailable; retry shortly.",
        )
        .with_retry_after(1)
    }
    pub fn rate_limited(retry_after: u64) -> Self {
        Self::new(429, "rate_limited", "Too many requests; retry later.")
            .with_retry_after(retry_after)
    }

    /// The final body, once the correlation id is known.
    pub fn body(&self, correlation_id: &str) -> ErrorBody {
        ErrorBody {
            code: self.code.clone(),
            message: self.message.clone(),
            fields: self.fields.clone(),
            correlation_id: correlation_id.to_string(),
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.status.as_u16(), self.code)
    }
}

/// A funnel failure (20), rendered in the one error body.
impl From<crate::domain::funnel_error::FunnelError> for ApiError {
    fn from(e: crate::domain::funnel_error::FunnelError) -> Self {
        let fields = e.field_errors();
        Self {
            status: StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            code: Cow::Owned(e.code),
            message: e.message,
            fields,
            retry_after: e
                .retry_after
                .map(|s| u32::try_from(s).unwrap_or(u32::MAX).max(1)),
            allow: None,
            location: e.location.map(String::into_boxed_str),
        }
    }
}

/// A state-store failure is 503 `store_unavailable` (40 §3).
impl From<crate::ports::kv::StoreError> for ApiError {
    fn from(_: crate::ports::kv::StoreError) -> Self {
        Self::store_unavailable()
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        let mut b = HttpResponse::build(self.status);
        b.insert_header((header::CONTENT_TYPE, super::JSON_CONTENT_TYPE));
        if let Some(s) = self.retry_after {
            b.insert_header((header::RETRY_AFTER, s.to_string()));
        }
        if let Some(location) = &self.location {
            b.insert_header((header::LOCATION, &**location));
        }
        if let Some(allow) = self.allow {
            b.insert_header((header::ALLOW, allow));
        }
        let mut res = b.finish();
        // The pipeline renders the body with the correlation id.
        res.extensions_mut().insert(self.clone());
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::kv::StoreError;

    #[test]
    fn a_store_failure_is_503_store_unavailable() {
        let e = ApiError::from(StoreError::Unavailable("redis get: timed out".into()));
        assert_eq!(
            (e.status.as_u16(), e.code.as_ref()),
            (503, "store_unavailable")
        );
        assert!(!e.message.contains("redis"), "no backend detail leaks");
        assert_eq!(e.retry_after, Some(1));
    }
}
