//! Admin-port authentication (40 §5): every request except `/health`, `/ready`
//! and `/build` needs `Authorization: Bearer <ADMIN_TOKEN>` when the token is set.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::AUTHORIZATION;
use actix_web::middleware::Next;
use actix_web::web::Data;
use actix_web::{Error, ResponseError};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::error::ApiError;
use crate::domain::secret::Secret;

/// Paths served without the token.
const OPEN_PATHS: [&str; 3] = ["/health", "/ready", "/build"];

/// The configured admin token (`None`: the admin port is open, dev only).
#[derive(Clone, Default)]
pub struct AdminToken(Option<[u8; 32]>);

impl AdminToken {
    /// An empty token counts as unset.
    pub fn new(token: Option<&Secret>) -> Self {
        Self(token.filter(|t| !t.is_empty()).map(|t| digest(t.expose())))
    }

    /// True when no token is set or `authorization` is `Bearer <token>`.
    /// Compares SHA-256 digests in constant time, so neither content nor length leaks.
    pub fn allows(&self, authorization: Option<&str>) -> bool {
        let Some(expected) = &self.0 else {
            return true;
        };
        let Some(given) = authorization.and_then(|v| v.strip_prefix("Bearer ")) else {
            return false;
        };
        digest(given.trim()).ct_eq(expected).into()
    }
}

fn digest(s: &str) -> [u8; 32] {
    Sha256::digest(s.as_bytes()).into()
}

fn unauthorized() -> ApiError {
    ApiError::new(401, "unauthorized", "Missing or invalid admin token.")
}

/// Middleware for the admin scope. Fails closed when the token is not wired.
pub async fn require_admin_token(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    if OPEN_PATHS.contains(&req.path()) {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_boxed_body);
    }
    let Some(token) = req.app_data::<Data<AdminToken>>() else {
        tracing::error!("admin token not wired into the admin app");
        return Ok(req.into_response(ApiError::internal().error_response()));
    };
    let header = req
        .headers()
        .get(AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if !token.allows(header) {
        return Ok(req.into_response(unauthorized().error_response()));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_boxed_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_token_allows_everything() {
        let t = AdminToken::new(None);
        assert!(t.allows(None));
        assert!(AdminToken::new(Some(&Secret::new(""))).allows(None));
    }

    #[test]
    fn a_token_needs_the_exact_bearer_value() {
        let t = AdminToken::new(Some(&Secret::new("s3cret")));
        assert!(t.allows(Some("Bearer s3cret")));
        assert!(!t.allows(None));
        assert!(!t.allows(Some("Bearer s3cre")));
        assert!(!t.allows(Some("Bearer s3cret2")));
        assert!(!t.allows(Some("Basic s3cret")));
        assert!(!t.allows(Some("s3cret")));
    }
}
