//! Accounts: users, sign-in failures and lockout, sessions, and the Open311 API keys.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sahulat_domain::accounts::{NewUser, User};
use sahulat_domain::error::Result;

/// A live session.
#[derive(Debug, Clone)]
pub struct Session {
    /// `cookie` (pages) or `bearer` (JSON API).
    pub kind: String,
    /// The CSRF token forms must echo (cookie sessions).
    pub csrf_token: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// Users and sessions.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates an account; a taken username is a validation error naming `username`.
    async fn create_user(&self, user: &NewUser, now: DateTime<Utc>) -> Result<User>;
    /// An account by (lower-case) username.
    async fn user_by_username(&self, username: &str) -> Result<Option<User>>;
    /// Records a failed sign-in; locks the account until `lock_until` when `lock` is set.
    async fn record_failed_login(
        &self,
        user_id: i64,
        lock_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Clears the failure count after a good sign-in.
    async fn clear_failed_logins(&self, user_id: i64, now: DateTime<Utc>) -> Result<()>;
    /// Replaces the password hash and ends every session of the user.
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// Stores a session (only the token's hash).
    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        kind: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()>;
    /// The user and session behind a token hash, if it has not expired.
    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Session)>>;
    /// Ends one session.
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Every account, by username.
    async fn list_users(&self) -> Result<Vec<User>>;
    /// Enables or disables an account; disabling ends its sessions.
    async fn set_user_active(
        &self,
        username: &str,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<bool>;
    /// Stores a new API key's hash.
    async fn create_api_key(
        &self,
        label: &str,
        key_hash: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<i64>;
    /// Whether an unrevoked key with this hash exists.
    async fn api_key_valid(&self, key_hash: &str) -> Result<bool>;
    /// Every API key, oldest first, as the operator identifies them (never the key: only its
    /// hash is stored).
    async fn list_api_keys(&self) -> Result<Vec<ApiKeyInfo>>;
    /// Revokes a key: Open311 refuses it from then on. `false` if there is no such key or it
    /// was already revoked (nothing changes).
    async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> Result<bool>;
}

/// An Open311 API key as `sahulat apikey list` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyInfo {
    /// What `sahulat apikey revoke --id` takes.
    pub id: i64,
    /// Who the key is for.
    pub label: String,
    /// The key's first characters (`shl_` and four more), to tell keys apart.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}
