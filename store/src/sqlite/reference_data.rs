//! sqlite: writing the reference data idempotently.

use super::*;

#[async_trait]
impl ReferenceData for SqliteStore {
    async fn sync_reference(
        &self,
        cat: &Catalogue,
        _now: DateTime<Utc>,
    ) -> Result<ReferenceCounts> {
        let mut tx = self.begin().await?;
        for p in &cat.provinces {
            sqlx::query(
                "INSERT INTO provinces (code, name_en, name_ur, name_sd) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, name_ur = excluded.name_ur, name_sd = excluded.name_sd",
            )
            .bind(&p.code).bind(&p.names.en).bind(&p.names.ur).bind(&p.names.sd)
            .execute(&mut *tx).await.map_err(db)?;
        }
        for d in &cat.districts {
            sqlx::query(
                "INSERT INTO districts (code, province_code, name_en, name_ur, name_sd, is_pilot, accepts_requests) \
                 VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET province_code = excluded.province_code, \
                 name_en = excluded.name_en, name_ur = excluded.name_ur, name_sd = excluded.name_sd, \
                 is_pilot = excluded.is_pilot, accepts_requests = excluded.accepts_requests",
            )
            .bind(&d.code).bind(&d.province).bind(&d.names.en).bind(&d.names.ur).bind(&d.names.sd)
            .bind(d.is_pilot).bind(d.accepts_requests)
            .execute(&mut *tx).await.map_err(db)?;
        }
        for t in &cat.tehsils {
            sqlx::query(
                "INSERT INTO tehsils (code, district_code, name_en, name_ur, name_sd, pcode) VALUES (?, ?, ?, ?, ?, ?) \
                 ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, name_en = excluded.name_en, \
                 name_ur = excluded.name_ur, name_sd = excluded.name_sd, pcode = excluded.pcode",
            )
            .bind(&t.code).bind(&t.district).bind(&t.names.en).bind(&t.names.ur).bind(&t.names.sd).bind(&t.pcode)
            .execute(&mut *tx).await.map_err(db)?;
        }
        sqlx::query("UPDATE services SET active = 0")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for (i, s) in cat.services.iter().enumerate() {
            let def = serde_json::to_string(s).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO services (code, sort_order, definition, active) VALUES (?, ?, ?, 1) \
                 ON CONFLICT (code) DO UPDATE SET sort_order = excluded.sort_order, definition = excluded.definition, active = 1",
            )
            .bind(&s.code).bind(i as i64).bind(def)
            .execute(&mut *tx).await.map_err(db)?;
        }
        sqlx::query("UPDATE departments SET active = 0")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for d in &cat.departments {
            let def = serde_json::to_string(d).map_err(anyhow::Error::from)?;
            sqlx::query(
                "INSERT INTO departments (code, district_code, kind, is_coordinator, definition, active) VALUES (?, ?, ?, ?, ?, 1) \
                 ON CONFLICT (code) DO UPDATE SET district_code = excluded.district_code, kind = excluded.kind, \
                 is_coordinator = excluded.is_coordinator, definition = excluded.definition, active = 1",
            )
            .bind(&d.code).bind(&d.district).bind(&d.kind).bind(d.coordinator).bind(def)
            .execute(&mut *tx).await.map_err(db)?;
        }
        sqlx::query("DELETE FROM routing_rules")
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        for r in &cat.routing {
            sqlx::query(
                "INSERT INTO routing_rules (district_code, tehsil_code, service_code, department_code, note) VALUES (?, ?, ?, ?, ?)",
            )
            .bind(&r.district).bind(r.tehsil.as_deref().unwrap_or("")).bind(&r.service).bind(&r.department).bind(&r.note)
            .execute(&mut *tx).await.map_err(db)?;
        }
        let count = |sql: &'static str| sqlx::query_scalar::<_, i64>(sql);
        let counts = ReferenceCounts {
            provinces: count("SELECT COUNT(*) FROM provinces")
                .fetch_one(&mut *tx)
                .await
                .map_err(db)? as usize,
            districts: count("SELECT COUNT(*) FROM districts")
                .fetch_one(&mut *tx)
                .await
                .map_err(db)? as usize,
            tehsils: count("SELECT COUNT(*) FROM tehsils")
                .fetch_one(&mut *tx)
                .await
                .map_err(db)? as usize,
            services: count("SELECT COUNT(*) FROM services WHERE active = 1")
                .fetch_one(&mut *tx)
                .await
                .map_err(db)? as usize,
            departments: count("SELECT COUNT(*) FROM departments WHERE active = 1")
                .fetch_one(&mut *tx)
                .await
                .map_err(db)? as usize,
            routing_rules: count("SELECT COUNT(*) FROM routing_rules")
                .fetch_one(&mut *tx)
                .await
                .map_err(db)? as usize,
        };
        tx.commit().await.map_err(db)?;
        Ok(counts)
    }
}
