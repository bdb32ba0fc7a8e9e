//! Who is asking, and what they may do. Every route but `/health` needs credentials: HTTP
//! basic (password checked against its argon2 hash), or an API key as a bearer token or in
//! `X-Api-Key` (looked up by its SHA-256). Roles are Anchore's: full-control, read-write,
//! read-only, policy-editor, image-analyzer. An admin may act in another account with the
//! `x-anchore-account` header.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use base64::Engine as _;
use sha2::{Digest, Sha256};

use crate::AppState;
use crate::error::ApiError;

/// The account that owns the server itself.
pub(crate) const ADMIN_ACCOUNT: &str = "admin";

pub const ROLES: &[&str] = &[
    "full-control",
    "read-write",
    "read-only",
    "policy-editor",
    "image-analyzer",
];

/// What a request may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    ReadImages,
    WriteImages,
    ReadPolicies,
    WritePolicies,
    ReadEvents,
    WriteEvents,
    /// Accounts, users, keys; system operations.
    Administer,
}

pub(crate) fn role_allows(role: &str, action: Action) -> bool {
    use Action::*;
    match role {
        "full-control" => true,
        "read-write" => action != Administer,
        "read-only" => matches!(action, ReadImages | ReadPolicies | ReadEvents),
        "policy-editor" => matches!(
            action,
            ReadImages | ReadPolicies | WritePolicies | ReadEvents
        ),
        "image-analyzer" => matches!(action, ReadImages | WriteImages | ReadPolicies | ReadEvents),
        _ => false,
    }
}

/// An authenticated request.
#[derive(Debug, Clone)]
pub(crate) struct Principal {
    pub(crate) username: String,
    /// The user's own account.
    pub(crate) home_account: String,
    /// The account the request acts in (the home account, or another one for an admin).
    pub(crate) account: String,
    pub(crate) role: String,
}

impl Principal {
    pub(crate) fn require(&self, action: Action) -> Result<(), ApiError> {
        if action == Action::Administer && self.home_account != ADMIN_ACCOUNT {
            return Err(ApiError::forbidden(
                "only users of the admin account administer the system",
            ));
        }
        if role_allows(&self.role, action) {
            Ok(())
        } else {
            Err(ApiError::forbidden(format!(
                "the role {} does not allow this ({action:?})",
                self.role
            )))
        }
    }

    pub(crate) fn is_admin(&self) -> bool {
        self.home_account == ADMIN_ACCOUNT && self.role == "full-control"
    }
}

/// Random bytes from the system's generator (through the crypto library rustls uses).
fn random_bytes<const N: usize>() -> [u8; N] {
    use aws_lc_rs::rand::SecureRandom;
    let mut bytes = [0u8; N];
    aws_lc_rs::rand::SystemRandom::new()
        .fill(&mut bytes)
        .expect("the system's random generator works");
    bytes
}

pub(crate) fn hash_password(password: &str) -> String {
    let salt = SaltString::encode_b64(&random_bytes::<16>()).expect("16 bytes make a salt");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 hashes any password")
        .to_string()
}

pub(crate) fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| {
        Argon2::default()
            .verify_password(password.as_bytes(), &h)
            .is_ok()
    })
}

/// API keys are stored as the SHA-256 of their secret: a key is long and random, so a fast
/// hash is enough, and a lookup by hash finds it.
pub(crate) fn key_hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A new API key's secret: 32 random bytes, URL-safe base64, with a recognisable prefix.
pub(crate) fn new_key_secret() -> String {
    let bytes = random_bytes::<32>();
    format!(
        "cus_{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

impl FromRequestParts<AppState> for Principal {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = |name: &str| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let authorization = header("authorization");
        let api_key = header("x-api-key").or_else(|| {
            authorization
                .as_deref()
                .and_then(|a| a.strip_prefix("Bearer "))
                .map(str::to_string)
        });
        let user = if let Some(secret) = api_key {
            let key = state
                .store
                .api_key_by_hash(&key_hash(secret.trim()))
                .await?
                .ok_or_else(ApiError::unauthorized)?;
            state
                .store
                .user(&key.username)
                .await
                .map_err(|_| ApiError::unauthorized())?
        } else if let Some(basic) = authorization
            .as_deref()
            .and_then(|a| a.strip_prefix("Basic "))
        {
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(basic.trim())
                .map_err(|_| ApiError::unauthorized())?;
            let text = String::from_utf8(decoded).map_err(|_| ApiError::unauthorized())?;
            let (name, password) = text.split_once(':').ok_or_else(ApiError::unauthorized)?;
            let user = match state.store.user(name).await {
                Ok(u) => u,
                Err(customs_store::StoreError::NotFound(_)) => {
                    // Spend the time a check would, so that a missing user is not told apart.
                    let _ = verify_password(password, &state.dummy_hash);
                    return Err(ApiError::unauthorized());
                }
                Err(e) => return Err(e.into()),
            };
            let (password, hash) = (password.to_string(), user.password_hash.clone());
            let ok = tokio::task::spawn_blocking(move || verify_password(&password, &hash))
                .await
                .unwrap_or(false);
            if !ok {
                return Err(ApiError::unauthorized());
            }
            user
        } else {
            return Err(ApiError::unauthorized());
        };
        let account = state.store.account(&user.account).await?;
        if account.state != "enabled" {
            return Err(ApiError::forbidden(format!(
                "the account {} is disabled",
                account.name
            )));
        }
        let mut principal = Principal {
            username: user.username,
            home_account: user.account.clone(),
            account: user.account,
            role: user.role,
        };
        if let Some(other) = header("x-anchore-account").filter(|a| *a != principal.account) {
            if !principal.is_admin() {
                return Err(ApiError::forbidden(
                    "only an admin may act in another account",
                ));
            }
            state.store.account(&other).await?;
            principal.account = other;
        }
        Ok(principal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_and_verify() {
        let h = hash_password("correct horse");
        assert!(h.starts_with("$argon2"));
        assert!(verify_password("correct horse", &h));
        assert!(!verify_password("wrong", &h));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn roles() {
        assert!(role_allows("read-only", Action::ReadImages));
        assert!(!role_allows("read-only", Action::WriteImages));
        assert!(role_allows("policy-editor", Action::WritePolicies));
        assert!(!role_allows("image-analyzer", Action::WritePolicies));
        assert!(!role_allows("read-write", Action::Administer));
        assert!(!role_allows("nobody", Action::ReadImages));
        assert_ne!(new_key_secret(), new_key_secret());
        assert_eq!(key_hash("a").len(), 64);
    }
}
