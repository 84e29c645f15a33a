//! The daily `retention` job: prunes what Sahulat keeps only for a while (finished jobs, SMS
//! to citizens, expired sessions, stored Idempotency-Key answers, USSD sessions and inbound SMS
//! records older than `SAHULAT_RETENTION_DAYS`) and sweeps photo files no row points at (a
//! crash between writing the file and its row) once they are a day old, so a photo being
//! stored right now is never taken.

use super::JobError;
use crate::context::Worker;
use std::collections::HashSet;
use std::path::Path;

/// A photo file younger than this is never swept: its row may be on its way.
const ORPHAN_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

pub(super) async fn run(w: &Worker) -> Result<(), JobError> {
    let now = w.clock.now();
    let before = now - w.config.retention;
    let pruned = w.store.prune(before, now).await?;
    let known = w.store.photo_files().await?;
    let media = w.config.media_dir.clone();
    let swept = tokio::task::spawn_blocking(move || sweep(&media, &known, ORPHAN_AGE))
        .await
        .map_err(|e| JobError::Retry(e.to_string()))?
        .map_err(|e| JobError::Retry(format!("sweeping photo files: {e}")))?;
    tracing::info!(
        jobs = pruned.jobs,
        citizen_messages = pruned.citizen_messages,
        sessions = pruned.sessions,
        idempotency_keys = pruned.idempotency_keys,
        ussd_sessions = pruned.ussd_sessions,
        sms_inbound = pruned.sms_inbound,
        orphan_photo_files = swept,
        "retention pass"
    );
    Ok(())
}

/// Removes `media/xx/<token>.jpg` and `<token>_t.jpg` whose token the database does not know
/// and that are older than `age`; returns how many files went. Anything else is left alone.
pub fn sweep(
    media: &Path,
    known: &HashSet<String>,
    age: std::time::Duration,
) -> std::io::Result<u64> {
    let mut removed = 0;
    let Ok(dirs) = std::fs::read_dir(media) else {
        return Ok(0);
    };
    for dir in dirs {
        let dir = dir?;
        if !dir.file_type()?.is_dir() {
            continue;
        }
        for f in std::fs::read_dir(dir.path())? {
            let f = f?;
            let name = f.file_name().to_string_lossy().to_string();
            let Some(stem) = name.strip_suffix(".jpg") else {
                continue;
            };
            let token = stem.strip_suffix("_t").unwrap_or(stem);
            if token.is_empty() || known.contains(token) {
                continue;
            }
            let old = f
                .metadata()?
                .modified()
                .ok()
                .and_then(|m| m.elapsed().ok())
                .is_some_and(|e| e >= age);
            if old {
                std::fs::remove_file(f.path())?;
                removed += 1;
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_old_files_no_row_points_at_are_swept() {
        let dir = std::env::temp_dir().join(format!("sahulat-sweep-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("ab")).unwrap();
        for f in [
            "abkept.jpg",
            "abkept_t.jpg",
            "aborphan.jpg",
            "aborphan_t.jpg",
            "notes.txt",
        ] {
            std::fs::write(dir.join("ab").join(f), b"x").unwrap();
        }
        let known: HashSet<String> = ["abkept".to_string()].into();
        assert_eq!(
            sweep(&dir, &known, std::time::Duration::from_secs(3600)).unwrap(),
            0,
            "new files are never swept"
        );
        assert_eq!(sweep(&dir, &known, std::time::Duration::ZERO).unwrap(), 2);
        let left: HashSet<String> = std::fs::read_dir(dir.join("ab"))
            .unwrap()
            .map(|f| f.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert_eq!(
            left,
            ["abkept.jpg", "abkept_t.jpg", "notes.txt"]
                .map(String::from)
                .into()
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}
