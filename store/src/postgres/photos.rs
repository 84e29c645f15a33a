//! PostgreSQL photo rows.

use super::*;

const COLUMNS: &str =
    "id, request_id, file, kind, width, height, bytes, uploaded_by, hidden_at, created_at";

fn photo_from_row(r: &PgRow) -> Result<Photo> {
    Ok(Photo {
        id: r.try_get("id").map_err(db)?,
        request_id: r.try_get("request_id").map_err(db)?,
        file: r.try_get("file").map_err(db)?,
        kind: PhotoKind::parse(r.try_get("kind").map_err(db)?).unwrap_or(PhotoKind::Report),
        width: u32::try_from(r.try_get::<i32, _>("width").map_err(db)?).unwrap_or(0),
        height: u32::try_from(r.try_get::<i32, _>("height").map_err(db)?).unwrap_or(0),
        bytes: r.try_get("bytes").map_err(db)?,
        uploaded_by: r.try_get("uploaded_by").map_err(db)?,
        hidden: r
            .try_get::<Option<DateTime<Utc>>, _>("hidden_at")
            .map_err(db)?
            .is_some(),
        created_at: r.try_get("created_at").map_err(db)?,
    })
}

#[async_trait]
impl Photos for PgStore {
    async fn add_photo(&self, p: &NewPhoto, max: i64, now: DateTime<Utc>) -> Result<PhotoOutcome> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        // One upload at a time per request, so the count below cannot race.
        sqlx::query("SELECT id FROM service_requests WHERE id = $1 FOR UPDATE")
            .bind(p.request_id)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        let existing = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM photos WHERE request_id = $1 AND source_sha256 = $2"
        ))
        .bind(p.request_id)
        .bind(&p.source_sha256)
        .fetch_optional(&mut *tx)
        .await
        .map_err(db)?;
        if let Some(row) = existing {
            return Ok(PhotoOutcome::Existing(photo_from_row(&row)?));
        }
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE request_id = $1 AND kind = $2")
                .bind(p.request_id)
                .bind(p.kind.as_str())
                .fetch_one(&mut *tx)
                .await
                .map_err(db)?;
        if n >= max {
            return Ok(PhotoOutcome::TooMany);
        }
        let row = sqlx::query(&format!(
            "INSERT INTO photos (request_id, file, source_sha256, kind, width, height, bytes, uploaded_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING {COLUMNS}"
        ))
        .bind(p.request_id)
        .bind(&p.file)
        .bind(&p.source_sha256)
        .bind(p.kind.as_str())
        .bind(i32::try_from(p.width).unwrap_or(i32::MAX))
        .bind(i32::try_from(p.height).unwrap_or(i32::MAX))
        .bind(p.bytes)
        .bind(&p.uploaded_by)
        .bind(now)
        .fetch_one(&mut *tx)
        .await.map_err(db)?;
        let photo = photo_from_row(&row)?;
        record(&mut tx, p.request_id, &[&p.entry], &[], now).await?;
        tx.commit().await.map_err(db)?;
        Ok(PhotoOutcome::Stored(photo))
    }

    async fn photo_slot(
        &self,
        request_id: i64,
        kind: PhotoKind,
        source_sha256: &str,
    ) -> Result<(Option<Photo>, i64)> {
        let existing = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM photos WHERE request_id = $1 AND source_sha256 = $2"
        ))
        .bind(request_id)
        .bind(source_sha256)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE request_id = $1 AND kind = $2")
                .bind(request_id)
                .bind(kind.as_str())
                .fetch_one(&self.pool)
                .await
                .map_err(db)?;
        Ok((existing.as_ref().map(photo_from_row).transpose()?, n))
    }

    async fn photos(&self, request_id: i64) -> Result<Vec<Photo>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM photos WHERE request_id = $1 ORDER BY id"
        ))
        .bind(request_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db)?;
        rows.iter().map(photo_from_row).collect()
    }

    async fn first_public_photos(&self, request_ids: &[i64]) -> Result<HashMap<i64, String>> {
        let mut out = HashMap::new();
        if request_ids.is_empty() {
            return Ok(out);
        }
        let rows = sqlx::query(
            "SELECT request_id, file FROM photos WHERE hidden_at IS NULL AND request_id = ANY($1) ORDER BY id DESC",
        )
        .bind(request_ids.to_vec())
        .fetch_all(&self.pool)
        .await.map_err(db)?;
        for r in rows {
            out.insert(
                r.try_get("request_id").map_err(db)?,
                r.try_get("file").map_err(db)?,
            );
        }
        Ok(out)
    }

    async fn photo_by_file(&self, file: &str) -> Result<Option<Photo>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM photos WHERE file = $1"))
            .bind(file)
            .fetch_optional(&self.pool)
            .await
            .map_err(db)?;
        row.as_ref().map(photo_from_row).transpose()
    }

    async fn set_photo_hidden(
        &self,
        request_id: i64,
        photo_id: i64,
        hidden: bool,
        entry: &HistoryEntry,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let n = sqlx::query(
            "UPDATE photos SET hidden_at = CASE WHEN $1 THEN COALESCE(hidden_at, $2) ELSE NULL END \
             WHERE id = $3 AND request_id = $4",
        )
        .bind(hidden)
        .bind(now)
        .bind(photo_id)
        .bind(request_id)
        .execute(&mut *tx)
        .await.map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        record(&mut tx, request_id, &[entry], &[], now).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}
