//! sqlite: reading requests, their history, reporters and open requests nearby.

use super::*;

#[async_trait]
impl Requests for SqliteStore {
    async fn request_by_reference(&self, reference: &str) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE reference = ?"
        ))
        .bind(reference)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn request_by_token(&self, token: &str) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE token = ?"
        ))
        .bind(token)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn request_by_id(&self, id: i64) -> Result<Option<ServiceRequest>> {
        let row = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE id = ?"
        ))
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(db)?;
        row.as_ref().map(request_from_row).transpose()
    }

    async fn list_requests(&self, q: &RequestQuery) -> Result<Vec<ServiceRequest>> {
        let mut b = QueryBuilder::<Sqlite>::new(format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE 1 = 1"
        ));
        if !q.references.is_empty() {
            b.push(" AND reference IN (");
            let mut sep = b.separated(", ");
            for r in &q.references {
                sep.push_bind(r.clone());
            }
            b.push(")");
        }
        if !q.service_codes.is_empty() {
            b.push(" AND service_code IN (");
            let mut sep = b.separated(", ");
            for s in &q.service_codes {
                sep.push_bind(s.clone());
            }
            b.push(")");
        }
        if !q.statuses.is_empty() {
            b.push(" AND status IN (");
            let mut sep = b.separated(", ");
            for s in &q.statuses {
                sep.push_bind(s.as_str());
            }
            b.push(")");
        }
        if let Some(t) = q.start {
            b.push(" AND created_at >= ").push_bind(ts(t));
        }
        if let Some(t) = q.end {
            b.push(" AND created_at <= ").push_bind(ts(t));
        }
        if let Some(d) = &q.district {
            b.push(" AND district_code = ").push_bind(d.clone());
        }
        if q.public_only {
            b.push(" AND status <> 'rejected'");
        }
        b.push(" ORDER BY created_at DESC, id DESC LIMIT ")
            .push_bind(q.limit as i64)
            .push(" OFFSET ")
            .push_bind(i64::from(q.offset));
        let rows = b.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }

    async fn list_updates(&self, q: &UpdateQuery) -> Result<Vec<RequestUpdate>> {
        let mut b = QueryBuilder::<Sqlite>::new(
            "SELECT u.id, r.reference, r.language, u.status, u.description, u.message, u.created_at FROM request_updates u \
             JOIN service_requests r ON r.id = u.request_id WHERE u.is_public = 1",
        );
        if let Some(t) = q.start {
            b.push(" AND u.created_at >= ").push_bind(ts(t));
        }
        if let Some(t) = q.end {
            b.push(" AND u.created_at <= ").push_bind(ts(t));
        }
        if let Some(r) = &q.reference {
            b.push(" AND r.reference = ").push_bind(r.clone());
        }
        b.push(" ORDER BY u.created_at, u.id LIMIT ")
            .push_bind(q.limit as i64);
        let rows = b.build().fetch_all(&self.reader).await.map_err(db)?;
        rows.iter()
            .map(|row| {
                Ok(RequestUpdate {
                    id: row.try_get("id").map_err(db)?,
                    reference: row.try_get("reference").map_err(db)?,
                    status: enum_col(row, "status", Status::parse)?,
                    description: row.try_get("description").map_err(db)?,
                    message: message_col(row)?,
                    language: enum_col(row, "language", Lang::parse)?,
                    created_at: parse_ts(&row.try_get::<String, _>("created_at").map_err(db)?)?,
                })
            })
            .collect()
    }

    async fn contact(&self, request_id: i64) -> Result<Option<Contact>> {
        let row =
            sqlx::query("SELECT phone, name, email FROM request_contacts WHERE request_id = ?")
                .bind(request_id)
                .fetch_optional(&self.reader)
                .await
                .map_err(db)?;
        row.map(|r| {
            open_contact(
                &self.key,
                r.try_get("phone").map_err(db)?,
                r.try_get("name").map_err(db)?,
                r.try_get("email").map_err(db)?,
            )
        })
        .transpose()
    }

    async fn history(&self, request_id: i64) -> Result<Vec<HistoryRow>> {
        let rows = sqlx::query("SELECT id, status, is_public, description, actor, created_at, message FROM request_updates WHERE request_id = ? ORDER BY id")
            .bind(request_id)
            .fetch_all(&self.reader)
            .await.map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok(HistoryRow {
                    id: r.try_get("id").map_err(db)?,
                    entry: HistoryEntry {
                        status: enum_col(r, "status", Status::parse)?,
                        public: r.try_get("is_public").map_err(db)?,
                        description: r.try_get("description").map_err(db)?,
                        actor: r.try_get("actor").map_err(db)?,
                        message: message_col(r)?,
                    },
                    at: parse_ts(&r.try_get::<String, _>("created_at").map_err(db)?)?,
                })
            })
            .collect()
    }

    async fn reporters(&self, request_id: i64) -> Result<Vec<Reporter>> {
        // One query for one request or a batch (`Batches::reporters_many`).
        let mut all = crate::Batches::reporters_many(self, &[request_id]).await?;
        Ok(all.remove(&request_id).unwrap_or_default())
    }

    async fn reporter_proof(&self, request_id: i64, phone: &Phone) -> Result<ReporterProof> {
        let reporter = self.contact(request_id).await?.and_then(|c| c.phone);
        if reporter.as_ref().is_some_and(|p| p.e164() == phone.e164()) {
            return Ok(ReporterProof::Reporter);
        }
        let row = sqlx::query(
            "SELECT (SELECT id FROM request_voices WHERE request_id = ?1 AND phone_hash = ?2) AS voice, \
             (SELECT language FROM request_voices WHERE request_id = ?1 AND phone_hash = ?2) AS language, \
             (SELECT COUNT(*) FROM request_voices WHERE request_id = ?1 AND phone IS NOT NULL) AS voices",
        )
        .bind(request_id)
        .bind(self.key.lookup_hash(phone.e164()))
        .fetch_one(&self.reader)
        .await
        .map_err(db)?;
        let voice: Option<i64> = row.try_get("voice").map_err(db)?;
        let language: Option<String> = row.try_get("language").map_err(db)?;
        let voices: i64 = row.try_get("voices").map_err(db)?;
        Ok(match (voice, reporter, voices) {
            (Some(id), _, _) => ReporterProof::Voice {
                id,
                language: language
                    .as_deref()
                    .and_then(Lang::parse)
                    .unwrap_or_default(),
            },
            (None, None, 0) => ReporterProof::NoPhoneOnRecord,
            _ => ReporterProof::Mismatch,
        })
    }

    async fn nearby_open(
        &self,
        service: &str,
        lat: f64,
        lon: f64,
        radius_m: f64,
        since: DateTime<Utc>,
        exclude: i64,
    ) -> Result<Vec<ServiceRequest>> {
        let ask = crate::batches::NearbyAsk {
            service: service.to_string(),
            lat,
            lon,
            radius_m,
            since,
            exclude,
        };
        super::nearby::nearby_open(&self.reader, &ask).await
    }

    async fn duplicates_of(&self, request_id: i64) -> Result<Vec<ServiceRequest>> {
        let rows = sqlx::query(&format!(
            "SELECT {REQUEST_COLUMNS} FROM service_requests WHERE duplicate_of = ? ORDER BY id"
        ))
        .bind(request_id)
        .fetch_all(&self.reader)
        .await
        .map_err(db)?;
        rows.iter().map(request_from_row).collect()
    }
}

impl SqliteStore {
    /// A reporter row (`id`, `reference`, `language`, sealed `phone`, `voice_id`).
    pub(super) fn reporter_from_row(&self, r: &SqliteRow) -> Result<Reporter> {
        Ok(Reporter {
            request_id: r.try_get("id").map_err(db)?,
            reference: r.try_get("reference").map_err(db)?,
            phone: r
                .try_get::<Option<String>, _>("phone")
                .map_err(db)?
                .map(|p| self.key.open(&p))
                .transpose()
                .map_err(Error::Internal)?,
            language: r.try_get("language").map_err(db)?,
            voice_id: r.try_get("voice_id").map_err(db)?,
        })
    }
}
