//! SQLite accounts and sessions.

use super::*;

const USER_COLUMNS: &str = "u.id, u.username, u.password_hash, u.role, u.district_code, u.department_code, u.active, u.failed_logins, u.locked_until";

fn user_from_row(r: &SqliteRow) -> Result<User> {
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
        failed_logins: r.try_get::<i64, _>("failed_logins").map_err(db)? as i32,
        locked_until: opt_ts(r.try_get("locked_until").map_err(db)?)?,
    })
}

#[async_trait]
impl Accounts for SqliteStore {
    async fn create_user(&self, u: &NewUser, now: DateTime<Utc>) -> Result<User> {
        let mut tx = self.begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO users (username, password_hash, role, district_code, department_code, active, failed_logins, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, 1, 0, ?, ?) ON CONFLICT (username) DO NOTHING",
        )
        .bind(&u.username)
        .bind(&u.password_hash)
        .bind(u.role.as_str())
        .bind(&u.district)
        .bind(&u.department)
        .bind(ts(now))
        .bind(ts(now))
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
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = ?"
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
            "SELECT {USER_COLUMNS} FROM users u WHERE u.username = ?"
        ))
        .bind(username.trim().to_ascii_lowercase())
        .fetch_optional(&self.reader)
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
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE users SET failed_logins = CASE WHEN ?1 IS NULL THEN failed_logins + 1 ELSE 0 END, \
             locked_until = COALESCE(?1, locked_until), updated_at = ?2 WHERE id = ?3",
        )
        .bind(lock_until.map(ts))
        .bind(ts(now))
        .bind(user_id)
        .execute(&mut *tx)
        .await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn clear_failed_logins(&self, user_id: i64, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
        )
        .bind(ts(now))
        .bind(user_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(())
    }

    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
            .bind(password_hash)
            .bind(ts(now))
            .bind(user_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ?")
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
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, kind, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)")
            .bind(token_hash)
            .bind(user_id)
            .bind(kind)
            .bind(csrf_token)
            .bind(ts(now))
            .bind(ts(expires_at))
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
             WHERE s.token_hash = ? AND s.expires_at > ? AND u.active = 1"
        ))
        .bind(token_hash)
        .bind(ts(now))
        .fetch_optional(&self.reader)
        .await.map_err(db)?;
        row.map(|r| {
            Ok((
                user_from_row(&r)?,
                Session {
                    kind: r.try_get("kind").map_err(db)?,
                    csrf_token: r.try_get("csrf_token").map_err(db)?,
                    expires_at: parse_ts(&r.try_get::<String, _>("expires_at").map_err(db)?)?,
                },
            ))
        })
        .transpose()
    }

    async fn delete_session(&self, token_hash: &str) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = ?")
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
        .fetch_all(&self.reader)
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
        let mut tx = self.begin().await?;
        let n = sqlx::query("UPDATE users SET active = ?, failed_logins = 0, locked_until = NULL, updated_at = ? WHERE username = ?")
            .bind(active)
            .bind(ts(now))
            .bind(username)
            .execute(&mut *tx)
            .await.map_err(db)?
            .rows_affected();
        if !active {
            sqlx::query(
                "DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE username = ?)",
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
        let mut tx = self.begin().await?;
        let id = sqlx::query_scalar("INSERT INTO api_keys (label, key_hash, prefix, created_at) VALUES (?, ?, ?, ?) RETURNING id")
            .bind(label).bind(key_hash).bind(prefix).bind(ts(now))
            .fetch_one(&mut *tx).await.map_err(db)?;
        tx.commit().await.map_err(db)?;
        Ok(id)
    }

    async fn api_key_valid(&self, key_hash: &str) -> Result<bool> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL",
        )
        .bind(key_hash)
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        Ok(n > 0)
    }

    async fn list_api_keys(&self) -> Result<Vec<crate::ApiKeyInfo>> {
        let rows: Vec<(i64, String, String, String, Option<String>)> = sqlx::query_as(
            "SELECT id, label, prefix, created_at, revoked_at FROM api_keys ORDER BY id",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.into_iter()
            .map(|(id, label, prefix, created, revoked)| {
                Ok(crate::ApiKeyInfo {
                    id,
                    label,
                    prefix,
                    created_at: parse_ts(&created)?,
                    revoked_at: opt_ts(revoked)?,
                })
            })
            .collect()
    }

    async fn revoke_api_key(&self, id: i64, now: DateTime<Utc>) -> Result<bool> {
        let done =
            sqlx::query("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL")
                .bind(ts(now))
                .bind(id)
                .execute(&self.writer.pool)
                .await
                .map_err(db)?;
        Ok(done.rows_affected() == 1)
    }
}
