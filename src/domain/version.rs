//! API version negotiation (00 §5).

use jiff::civil::Date;

use crate::domain::time::{format_date, parse_date};

/// Supported versions with optional deprecation dates; the latest is the highest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiVersions {
    versions: Vec<(Date, Option<Date>)>,
}

/// The version an answer is given in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedVersion {
    /// `YYYY-MM-DD`, echoed in `Travelier-Version`.
    pub version: String,
    /// `YYYY-MM-DD` for the `Deprecation` header.
    pub deprecated_on: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionError {
    /// Malformed, or the two headers disagree.
    Invalid,
    /// Well-formed, not supported.
    Unsupported,
}

impl ApiVersions {
    /// Parses `2023-07-01,2022-01-01:2023-07-01`.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let mut versions = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (v, dep) = match part.split_once(':') {
                Some((v, d)) => (v, Some(d)),
                None => (part, None),
            };
            let v =
                parse_date(v.trim()).ok_or_else(|| format!("`{v}` is not a date YYYY-MM-DD"))?;
            let dep = match dep {
                Some(d) => Some(
                    parse_date(d.trim())
                        .ok_or_else(|| format!("`{d}` is not a date YYYY-MM-DD"))?,
                ),
                None => None,
            };
            versions.push((v, dep));
        }
        if versions.is_empty() {
            return Err("at least one version is required".into());
        }
        versions.sort_by_key(|(v, _)| *v);
        Ok(Self { versions })
    }

    /// The highest listed version.
    pub fn latest(&self) -> ResolvedVersion {
        let (v, dep) = self.versions[self.versions.len() - 1];
        ResolvedVersion {
            version: format_date(v),
            deprecated_on: dep.map(format_date),
        }
    }

    /// Resolves the `Travelier-Version` / `X-Travelier-Version` header values.
    pub fn resolve(
        &self,
        primary: Option<&str>,
        alternate: Option<&str>,
    ) -> Result<ResolvedVersion, VersionError> {
        let requested = match (primary.map(str::trim), alternate.map(str::trim)) {
            (Some(a), Some(b)) if a != b => return Err(VersionError::Invalid),
            (Some(a), _) | (None, Some(a)) => a,
            (None, None) => return Ok(self.latest()),
        };
        let date = parse_date(requested).ok_or(VersionError::Invalid)?;
        self.versions
            .iter()
            .find(|(v, _)| *v == date)
            .map(|(v, dep)| ResolvedVersion {
                version: format_date(*v),
                deprecated_on: dep.map(format_date),
            })
            .ok_or(VersionError::Unsupported)
    }
}

impl Default for ApiVersions {
    fn default() -> Self {
        Self {
            versions: vec![(Date::constant(2023, 7, 1), None)],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn versions() -> ApiVersions {
        ApiVersions::parse("2023-07-01, 2022-01-01:2023-07-01").unwrap()
    }

    #[test]
    fn absent_headers_resolve_to_the_latest() {
        let r = versions().resolve(None, None).unwrap();
        assert_eq!(r.version, "2023-07-01");
        assert_eq!(r.deprecated_on, None);
    }

    #[test]
    fn a_deprecated_version_carries_its_date() {
        let r = versions().resolve(Some("2022-01-01"), None).unwrap();
        assert_eq!(r.deprecated_on.as_deref(), Some("2023-07-01"));
        let r = versions().resolve(None, Some("2022-01-01")).unwrap();
        assert_eq!(r.version, "2022-01-01");
    }

    #[test]
    fn malformed_mismatched_and_unsupported() {
        let v = versions();
        assert_eq!(
            v.resolve(Some("2023-7-1"), None),
            Err(VersionError::Invalid)
        );
        assert_eq!(
            v.resolve(Some("2023-02-30"), None),
            Err(VersionError::Invalid)
        );
        assert_eq!(
            v.resolve(Some("2023-07-01"), Some("2022-01-01")),
            Err(VersionError::Invalid)
        );
        assert_eq!(
            v.resolve(Some("2024-01-01"), None),
            Err(VersionError::Unsupported)
        );
        assert!(v.resolve(Some("2023-07-01"), Some("2023-07-01")).is_ok());
    }

    #[test]
    fn parse_errors() {
        assert!(ApiVersions::parse("").is_err());
        assert!(ApiVersions::parse("yesterday").is_err());
        assert!(ApiVersions::parse("2023-07-01:soon").is_err());
        assert_eq!(
            ApiVersions::default(),
            ApiVersions::parse("2023-07-01").unwrap()
        );
    }
}
