//! PostgreSQL accounts and sessions.

use super::*;

const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, u.district_code, u.department_code, u.active, u.failed_logins, u.locked_until";

fn user_from_row(r: &PgRow) -> Result<User> {
    let role: String = r.try_get("role").map_err(db)?;
    Ok(User {
        id: r.try_get("id").map_err(db)?,
        username: r.try_get("username").map_err(db)?,
        password_hash: r.try_get("password_hash").map_err(db)?,
        role: Role::parse(&role)
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("unknown role {role:?}")))?,
        district: r.try_get("district_code").map_err(db)?,
        department: r.try_get("department_code").map_err(db)?,
        active: r.try_get("active").map_err(db)?,
        failed_logins: r.try_get("failed_logins").map_err(db)?,
        locked_until: r.try_get("locked_until").map_err(db)?,
    })
}

#[async_trait]
impl Accounts for PgStore {
    async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> Result<User> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let inserted = sqlx::query(
            "INSERT INTO users (username, password_hash, role, district_code, department_code, active, failed_logins, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, TRUE, 0, $6, $7) ON CONFLICT (username) DO NOTHING",
        )
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(u.role.as_str())
        .bind(&u.district)
        .bind(&u.department)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await.map_err(db)?
        .rows_affected();
        if inserted == 0 {
            return Err(Error::field(
                "username",
                format!("{:?} is already taken", u.username),
            ));
        }
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"
        ))
        .bind(&u.username)
        .fetch_one(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        user_from_row(&row)
    }

    async fn user_by_username(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1"
        ))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.as_ref().map(user_from_row).transpose()
    }

    async fn record_failed_login(
        &self,
        user_id: i64,
        lock_until: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query(
            "UPDATE users SET failed_logins = CASE WHEN $1::timestamptz IS NULL THEN failed_logins + 1 ELSE 0 END, \
             locked_until = COALESCE($1, locked_until), updated_at = $2 WHERE id = $3",
        )
        .bind(lock_until)
        .bind(now)
        .bind(user_id)
        .execute(&mut *tx)
        .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn clear_failed_logins(&self, user_id: i64, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("UPDATE users SET password_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(password_hash)
            .bind(now)
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn create_session(
        &self,
        token_hash: &str,
        user_id: i64,
        kind: &str,
        csrf_token: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(token_hash)
            .bind(user_id)
            .bind(kind)
            .bind(csrf_token)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *tx)
            .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(User, Session)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.kind, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id \
             WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.pool)
        .await.map_err(db)?;
        row.map(|r| {
            Ok((
                user_from_row(&r)?,
                Session {
                    kind: r.try_get("kind").map_err(db)?,
                    csrf_token: r.try_get("csrf_token").map_err(db)?,
                    expires_at: r.try_get("expires_at").map_err(db)?,
                },
            ))
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn list_users(&self) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u ORDER BY u.username"
        ))
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(user_from_row).collect()
    }

    async fn set_user_active(
        &self,
        username: &str,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query("UPDATE users SET active = $1, failed_logins = 0, locked_until = NULL, updated_at = $2 WHERE username = $3")
            .bind(active)
            .bind(now)
            .bind(username)
            .execute(&mut *tx)
            .await.map_err(db)?
            .rows_affected();
        if !active {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = $1)",
            )
            .bind(username)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)?;
        Ok(n == 1)
    }

    async fn create_api_key(
        &self,
        label: &str,
        key_hash: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        let id = sqlx::query_scalar("INSERT INTO api_keys (label, key_hash, prefix, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(label).bind(key_hash).bind(prefix).bind(now)
            .fetch_one(&self.pool).await.map_err(db)?;
        Ok(id)
    }

    async fn api_key_valid(&self, key_hash: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_one(&self.pool)
        .await
        .map_err(db)?;
        Ok(n > 0)
    }

    async fn list_api_keys(&self) -> Result<Vec<crate::ApiKeyInfo>> {
        type KeyRow = (i64, String, String, DateTime<Utc>, Option<DateTime<Utc>>);
        let rows: Vec<KeyRow> = sqlx::query_as(
            "SELECT id, label, prefix, created_at, revoked_at FROM api_keys ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        Ok(rows
            .into_iter()
            .map(
                |(id, label, prefix, created_at, revoked_at)| crate::ApiKeyInfo {
                    id,
                    label,
                    prefix,
                    created_at,
                    revoked_at,
                },
            )
            .collect())
    }

    async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL")
                .bind(now)
                .bind(id)
                .execute(&self.pool)
                .await
                .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}
