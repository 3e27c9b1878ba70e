//! What `compare` refuses to read: a document that is not a summary ([`CompareError`]).

use serde_json::Value;

/// Why two documents cannot be compared.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum CompareError {
    /// The document is not a JSON object: pass a `summary.json`.
    #[error("{which}: expected a summary.json object")]
    NotAnObject {
        /// `baseline` or `current`.
        which: &'static str,
    },
    /// The `format` tag is not a summary's: pass the `summary.json` (or `actuals.json`) a run
    /// (or `fit`) wrote.
    #[error("{which}: {found}")]
    WrongFormat {
        /// `baseline` or `current`.
        which: &'static str,
        /// What the file is instead: no `format` key, another omnisim kind, or another format.
        found: String,
    },
}

/// What `compare` reads, named in its refusals.
const WANTED: &str = "summary.json or actuals.json of omnisim";

pub(super) fn check(which: &'static str, v: &Value) -> Result<(), CompareError> {
    let obj = v.as_object().ok_or(CompareError::NotAnObject { which })?;
    match obj.get("format") {
        None => Err(CompareError::WrongFormat {
            which,
            found: format!("not a {WANTED} (no \"format\" key)"),
        }),
        Some(Value::String(f)) if f.starts_with("omnisim.summary/") => Ok(()),
        Some(Value::String(f)) if f.starts_with("omnisim.") => Err(CompareError::WrongFormat {
            which,
            found: format!(
                "an omnisim {} file (format {f:?}), not a {WANTED}",
                f.trim_start_matches("omnisim.")
                    .split('/')
                    .next()
                    .unwrap_or("")
            ),
        }),
        Some(other) => Err(CompareError::WrongFormat {
            which,
            found: format!(
                "format is {:?}: not a {WANTED} (format \"omnisim.summary/1\")",
                other
                    .as_str()
                    .map_or_else(|| other.to_string(), String::from)
            ),
        }),
    }
}
