//! CLI layer: `ogel-schema.toml`, the project configuration. Loaded from the directory given
//! as PATH, the current directory, or `--config FILE`. Paths in it are relative to the file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diag::Severity;

pub const FILE_NAME: &str = "ogel-schema.toml";

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Info,
    Warning,
    Error,
}

impl Level {
    #[must_use]
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Info => Some(Severity::Info),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Replace {
    pub pattern: String,
    pub value: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Assume {
    #[serde(default)]
    pub schemas: Vec<String>,
    #[serde(default)]
    pub relations: Vec<String>,
}

/// Options rules read.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleOptions {
    /// Column-name prefixes that name external systems (`stripe_customer_id` is not a FK).
    pub external_id_prefixes: Vec<String>,
    /// Schemas exposed through an API (row-level-security rules look at these).
    pub exposed_schemas: Vec<String>,
    /// `supabase` turns on the row-level-security rules and assumes Supabase's schemas.
    pub profile: Option<String>,
}

/// Schemas Supabase creates outside the migrations: assumed under `profile = "supabase"`
/// (`supabase_functions` holds the database webhooks' trigger function, `http_request`).
pub const SUPABASE_SCHEMAS: [&str; 7] = [
    "auth",
    "storage",
    "extensions",
    "realtime",
    "graphql",
    "vault",
    "supabase_functions",
];
/// Of those, the schemas whose every relation is assumed under `profile = "supabase"`.
pub const SUPABASE_RELATION_SCHEMAS: [&str; 5] =
    ["auth", "storage", "realtime", "vault", "supabase_functions"];

impl RuleOptions {
    /// `profile = "supabase"`.
    #[must_use]
    pub fn supabase(&self) -> bool {
        self.profile.as_deref() == Some("supabase")
    }
}

impl Default for RuleOptions {
    fn default() -> Self {
        Self {
            external_id_prefixes: [
                "stripe",
                "github",
                "gitlab",
                "google",
                "apple",
                "facebook",
                "twitter",
                "slack",
                "discord",
                "paypal",
                "braintree",
                "twilio",
                "sendgrid",
                "mailchimp",
                "hubspot",
                "salesforce",
                "shopify",
                "auth0",
                "okta",
                "firebase",
                "aws",
                "azure",
                "gcp",
                "external",
                "provider",
                "oauth",
                "vendor",
                "intercom",
                "segment",
                "zendesk",
                "linear",
                "jira",
                "notion",
                "openai",
                "anthropic",
            ]
            .iter()
            .map(|s| (*s).to_string())
            .collect(),
            exposed_schemas: vec!["public".into()],
            profile: None,
        }
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Migration directories or files, relative to the config file.
    #[serde(default)]
    pub migrations: Vec<PathBuf>,
    #[serde(default)]
    pub search_path: Option<Vec<String>>,
    #[serde(default)]
    pub replace: Vec<Replace>,
    #[serde(default)]
    pub fail_on: Option<String>,
    /// Glob patterns of migration paths to leave out of the analysis.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Application source directories to check (`check --app`).
    #[serde(default)]
    pub app: Vec<PathBuf>,
    /// Per-rule level: `rules = { implied-foreign-key = "off" }`.
    #[serde(default)]
    pub rules: BTreeMap<String, Level>,
    #[serde(default)]
    pub options: RuleOptions,
    #[serde(default)]
    pub assume: Assume,
    /// Diagram groups ("viewpoints"): name -> table globs.
    #[serde(default)]
    pub groups: BTreeMap<String, Vec<String>>,
    /// Directory the file was read from (set after loading).
    #[serde(skip)]
    pub dir: PathBuf,
}

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ConfigError {
    #[error("cannot read {path}: {error}")]
    #[diagnostic(code(ogel_schema::config_read))]
    Read { path: PathBuf, error: String },
    #[error("invalid {path}: {error}")]
    #[diagnostic(
        code(ogel_schema::config_invalid),
        help("see docs/configuration.md for the keys ogel-schema.toml accepts")
    )]
    Invalid { path: PathBuf, error: String },
}

impl Config {
    /// Load `path`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.to_path_buf(),
            error: e.to_string(),
        })?;
        let mut c: Config = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.to_path_buf(),
            error: e.to_string(),
        })?;
        c.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        if c.dir.as_os_str().is_empty() {
            c.dir = PathBuf::from(".");
        }
        Ok(c)
    }

    /// The config in `dir`, if there is one.
    pub fn find_in(dir: &Path) -> Result<Option<Self>, ConfigError> {
        let p = dir.join(FILE_NAME);
        if p.is_file() {
            Self::load(&p).map(Some)
        } else {
            Ok(None)
        }
    }

    /// `migrations` entries made relative to the current directory.
    #[must_use]
    pub fn migration_paths(&self) -> Vec<PathBuf> {
        self.migrations.iter().map(|m| self.dir.join(m)).collect()
    }

    #[must_use]
    pub fn app_paths(&self) -> Vec<PathBuf> {
        self.app.iter().map(|m| self.dir.join(m)).collect()
    }
}
