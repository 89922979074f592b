//! One failing input, as listed in the `fields` array of the error body.

use serde::Serialize;

/// A failing input: `field` is a query name (`pax`, `departures[1]`), `header.<name>`
/// or a dotted body path; `message` is our own human text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}
