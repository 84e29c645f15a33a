//! SQLite photo rows.

use super::*;

const COLUMNS: &str =
    "id, request_id, file, kind, width, height, bytes, uploaded_by, hidden_at, created_at";

fn photo_from_row(r: &SqliteRow) -> Result<Photo> {
    Ok(Photo {
        id: r.try_get("id").map_err(db)?,
        request_id: r.try_get("request_id").map_err(db)?,
        file: r.try_get("file").map_err(db)?,
        kind: PhotoKind::parse(r.try_get("kind").map_err(db)?).unwrap_or(PhotoKind::Report),
        width: u32::try_from(r.try_get::<i64, _>("width").map_err(db)?).unwrap_or(0),
        height: u32::try_from(r.try_get::<i64, _>("height").map_err(db)?).unwrap_or(0),
        bytes: r.try_get("bytes").map_err(db)?,
        uploaded_by: r.try_get("uploaded_by").map_err(db)?,
        hidden: r
            .try_get::<Option<String>, _>("hidden_at")
            .map_err(db)?
            .is_some(),
        created_at: parse_ts(r.try_get("created_at").map_err(db)?)?,
    })
}

#[async_trait]
impl Photos for SqliteStore {
    async fn add_photo(&self, p: &NewPhoto, max: i64, now: DateTime<Utc>) -> Result<PhotoOutcome> {
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let existing = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM photos WHERE request_id = ? AND source_sha256 = ?"
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
            sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE request_id = ? AND kind = ?")
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
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING {COLUMNS}"
        ))
        .bind(p.request_id)
        .bind(&p.file)
        .bind(&p.source_sha256)
        .bind(p.kind.as_str())
        .bind(i64::from(p.width))
        .bind(i64::from(p.height))
        .bind(p.bytes)
        .bind(&p.uploaded_by)
        .bind(&now_s)
        .fetch_one(&mut *tx)
        .await.map_err(db)?;
        let photo = photo_from_row(&row)?;
        record(&mut tx, p.request_id, &[&p.entry], &[], &now_s).await?;
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
            "SELECT {COLUMNS} FROM photos WHERE request_id = ? AND source_sha256 = ?"
        ))
        .bind(request_id)
        .bind(source_sha256)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        let n: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM photos WHERE request_id = ? AND kind = ?")
                .bind(request_id)
                .bind(kind.as_str())
                .fetch_one(&self.reader)
                .await
                .map_err(db)?;
        Ok((existing.as_ref().map(photo_from_row).transpose()?, n))
    }

    async fn photos(&self, request_id: i64) -> Result<Vec<Photo>> {
        let rows = sqlx::query(&format!(
            "SELECT {COLUMNS} FROM photos WHERE request_id = ? ORDER BY id"
        ))
        .bind(request_id)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(photo_from_row).collect()
    }

    async fn first_public_photos(&self, request_ids: &[i64]) -> Result<HashMap<i64, String>> {
        let mut out = HashMap::new();
        if request_ids.is_empty() {
            return Ok(out);
        }
        let mut b = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT request_id, file FROM photos WHERE hidden_at IS NULL AND request_id IN (",
        );
        let mut sep = b.separated(", ");
        for id in request_ids {
            sep.push_bind(*id);
        }
        b.push(") ORDER BY id DESC");
        for r in b.build().fetch_all(&self.reader).await.map_err(db)? {
            out.insert(
                r.try_get("request_id").map_err(db)?,
                r.try_get("file").map_err(db)?,
            );
        }
        Ok(out)
    }

    async fn photo_by_file(&self, file: &str) -> Result<Option<Photo>> {
        let row = sqlx::query(&format!("SELECT {COLUMNS} FROM photos WHERE file = ?"))
            .bind(file)
            .fetch_optional(&self.reader)
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
        let now_s = ts(now);
        let mut tx = self.begin().await?;
        let n = sqlx::query(
            "UPDATE photos SET hidden_at = CASE WHEN ? THEN COALESCE(hidden_at, ?) ELSE NULL END \
             WHERE id = ? AND request_id = ?",
        )
        .bind(hidden)
        .bind(&now_s)
        .bind(photo_id)
        .bind(request_id)
        .execute(&mut *tx)
        .await
        .map_err(db)?
        .rows_affected();
        if n == 0 {
            return Ok(false);
        }
        record(&mut tx, request_id, &[entry], &[], &now_s).await?;
        tx.commit().await.map_err(db)?;
        Ok(true)
    }
}
