//! plaintext-secret — see rules/plaintext-secret.md

use super::{Category, Context, Rule, RuleMeta};
use crate::diag::{Finding, Severity};
use crate::model::catalog::quote_ident;
use crate::model::{Column, Table};

pub static META: RuleMeta = RuleMeta {
    name: "plaintext-secret",
    category: Category::Security,
    default_severity: Severity::Warning,
    summary: "A column named like a password, secret, token or private key, with nothing saying it is hashed or encrypted",
    doc: include_str!("../../rules/plaintext-secret.md"),
};

pub struct PlaintextSecret;

/// Name words that say the value is already protected.
const PROTECTED: &[&str] = &[
    "hash",
    "hashed",
    "encrypted",
    "enc",
    "digest",
    "ciphertext",
    "cipher",
    "crypt",
    "bcrypt",
    "argon2",
    "sha256",
    "sha512",
    "vault",
];
/// Words before `key` that make it a credential (`api_key`, `service_role_key`).
const SECRET_KEYS: &[&str] = &[
    "api",
    "private",
    "secret",
    "role",
    "access",
    "signing",
    "encryption",
    "master",
    "auth",
    "service",
    "client",
    "webhook",
    "license",
    "hmac",
    "admin",
];
/// Words before `token` that make it a position, not a credential (`next_page_token`, a
/// pagination cursor; `sync_token`, a change marker).
const POSITION_TOKENS: &[&str] = &[
    "page",
    "cursor",
    "pagination",
    "continuation",
    "sync",
    "resume",
];
/// Words before `password` that make it a login password (`user_password`), which is
/// verified, not used: as likely a hash as a bare `password`.
const LOGIN_PASSWORDS: &[&str] = &["user", "login", "account"];
/// Text-like types a secret can be read from.
fn readable(ty: &str) -> bool {
    ty == "text" || ty == "json" || ty == "jsonb" || ty.starts_with("character") || ty == "text[]"
}

/// What kind of secret the column name says it holds, judged by its LAST word.
fn secret_kind(name: &str) -> Option<&'static str> {
    let words: Vec<&str> = name.split('_').collect();
    if words.iter().any(|w| PROTECTED.contains(w)) {
        return None;
    }
    let last = *words.last()?;
    let before = words
        .len()
        .checked_sub(2)
        .and_then(|i| words.get(i))
        .copied();
    match last {
        // A login password is verified, so frameworks keep its hash in a column of just that
        // name (Django's `auth_user.password`, Laravel, Mattermost, Cal.com): the name alone
        // does not say the text is readable. A password for something else is named for it
        // (`database_password`, `smtp_password`) and must be usable, so it is.
        "password" | "passwd" | "passphrase"
            if before.is_none_or(|b| LOGIN_PASSWORDS.contains(&b)) =>
        {
            None
        }
        "password" | "passwd" | "passphrase" => Some("a password"),
        "secret" => Some("a secret"),
        "token" if before.is_some_and(|b| POSITION_TOKENS.contains(&b)) => None,
        // The row's own token (`api_tokens.token`) is issued and verified, like a login
        // password: Laravel Sanctum and Zabbix keep its hash in a column of just that name.
        "token" if before.is_none() => None,
        "token" => Some("a token"),
        "credentials" | "credential" => Some("credentials"),
        "dsn" => Some("a connection string (which usually carries the password)"),
        "string" if before == Some("connection") => {
            Some("a connection string (which usually carries the password)")
        }
        "key" if before.is_some_and(|b| SECRET_KEYS.contains(&b)) => Some("a secret key"),
        _ => None,
    }
}

/// The word every column of `t` starts with (`bp_` of MediaWiki's `bot_passwords`: `bp_user`,
/// `bp_password`, ...): the table's own prefix, which says nothing of what a column holds.
fn own_prefix(t: &Table) -> Option<&str> {
    let [first, second, ..] = t.columns.as_slice() else {
        return None;
    };
    let end = first.name.find('_')? + 1;
    let prefix = first.name.get(..end)?;
    (second.name.starts_with(prefix) && t.columns.iter().all(|c| c.name.starts_with(prefix)))
        .then_some(prefix)
}

fn finding(t: &Table, c: &Column, kind: &str) -> Finding {
    let enc = format!("{}_encrypted", c.name);
    let help = format!(
        "encrypt it, or keep it in a secret store and reference it: `ALTER TABLE {0} ADD COLUMN {2} bytea; UPDATE {0} SET {2} = pgp_sym_encrypt({1}, <key from outside the database>); ALTER TABLE {0} DROP COLUMN {1};` (pgcrypto; or Supabase Vault: `vault.create_secret(...)` and a `{3}_secret_id uuid` column)",
        t.name,
        quote_ident(&c.name),
        quote_ident(&enc),
        c.name
    );
    Finding {
        rule: META.name,
        severity: META.default_severity,
        span: c.origin,
        message: format!(
            "`{}.{}` ({}) is named as {kind}, with nothing saying it is hashed or encrypted: if it holds the value as written, anyone who can read the table, a backup or a dump can use it",
            t.name, c.name, c.data_type
        ),
        help: Some(help),
        labels: Vec::new(),
        fingerprint: format!("{}:{}.{}", META.name, t.name, c.name),
    }
}

impl Rule for PlaintextSecret {
    fn meta(&self) -> &'static RuleMeta {
        &META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Finding>) {
        for t in ctx.analysis.model.catalog.base_tables() {
            let prefix = own_prefix(t);
            for c in t.columns.iter().filter(|c| readable(&c.data_type)) {
                let name = prefix.and_then(|p| c.name.strip_prefix(p));
                if let Some(kind) = secret_kind(name.unwrap_or(&c.name)) {
                    out.push(finding(t, c, kind));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::secret_kind;

    #[test]
    fn names_are_judged_by_words() {
        for yes in [
            "database_password",
            "jwt_secret",
            "service_role_key",
            "api_key",
            "access_token",
            "smtp_password",
            "connection_string",
            "private_key",
            "reset_token",
            "push_token",
        ] {
            assert!(secret_kind(yes).is_some(), "{yes}");
        }
        for no in [
            "password_hash",
            "encrypted_password",
            "password",
            "user_password",
            "passwd",
            "token_expires_at",
            "anon_key",
            "public_key",
            "idempotency_key",
            "api_key_prefix",
            "secret_id",
            "tokens_used",
            "token",
            "keyboard",
            "passwords_enabled",
            "sort_key",
            "next_page_token",
            "cursor_token",
            "sync_token",
            "continuation_token",
        ] {
            assert!(secret_kind(no).is_none(), "{no}");
        }
    }
}
