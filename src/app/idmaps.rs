//! The id maps of `mapped` clients (10 §6), shared by every worker and swapped
//! whole on reload: a reader holds one `Arc<IdMaps>` for its whole request, so it
//! never sees a half-loaded or mixed state.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::domain::idmap::{
    BadRow, IdMapTexts, IdMaps, RowCounts, OPERATORS_FILE, POIS_FILE, SEAT_CLASSES_FILE,
    STATIONS_FILE,
};

/// What a reload loaded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReloadReport {
    pub generation: u64,
    pub rows: RowCounts,
    /// Rows left out, with file and line.
    pub bad_rows: Vec<BadRow>,
}

/// The current maps; `Send + Sync`, one per instance.
#[derive(Debug)]
pub struct IdMapStore {
    current: RwLock<Arc<IdMaps>>,
    /// Serializes reloads so generations are swapped in increasing order.
    reloading: Mutex<()>,
}

impl Default for IdMapStore {
    fn default() -> Self {
        Self::new(IdMaps::empty())
    }
}

impl IdMapStore {
    pub fn new(maps: IdMaps) -> Self {
        Self {
            current: RwLock::new(Arc::new(maps)),
            reloading: Mutex::new(()),
        }
    }

    /// The maps to use for one whole request.
    pub fn current(&self) -> Arc<IdMaps> {
        // A poisoned lock still holds a complete `Arc`: swaps are one assignment.
        self.current
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the four files of `dir` (a missing file is an empty map), builds the
    /// next generation and swaps it in.
    ///
    /// # Errors
    /// `dir` or one of its files cannot be read: the current maps stay.
    pub fn reload_from_dir(&self, dir: &Path) -> Result<ReloadReport, String> {
        let _one_at_a_time = self
            .reloading
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        std::fs::read_dir(dir).map_err(|e| format!("cannot read {}: {e}", dir.display()))?;
        let read = |name: &str| match std::fs::read_to_string(dir.join(name)) {
            Ok(text) => Ok(Some(text)),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!("cannot read {}: {e}", dir.join(name).display())),
        };
        let (stations, operators, pois, seat_classes) = (
            read(STATIONS_FILE)?,
            read(OPERATORS_FILE)?,
            read(POIS_FILE)?,
            read(SEAT_CLASSES_FILE)?,
        );
        let texts = IdMapTexts {
            stations: stations.as_deref(),
            operators: operators.as_deref(),
            pois: pois.as_deref(),
            seat_classes: seat_classes.as_deref(),
        };
        let generation = self.current().generation() + 1;
        let (maps, bad_rows) = IdMaps::load(&texts, generation);
        let rows = maps.rows();
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(maps);
        Ok(ReloadReport {
            generation,
            rows,
            bad_rows,
        })
    }
}

/// The store, the directory it reloads from (`ID_MAP_DIR`) and how often
/// (`ID_MAP_REFRESH_SECS`).
#[derive(Debug, Clone)]
pub struct IdMapSource {
    pub store: Arc<IdMapStore>,
    pub dir: PathBuf,
    pub refresh: Duration,
}

impl IdMapSource {
    /// Reloads and logs the outcome (see [`IdMapSource::log_loaded`]); an
    /// unreadable directory is an ERROR and the current maps stay.
    pub fn reload_logged(&self, trigger: &'static str) {
        match self.store.reload_from_dir(&self.dir) {
            Ok(report) => self.log_loaded(trigger, &report),
            Err(e) => {
                tracing::error!(trigger, error = %e, "id maps reload failed; keeping the current maps")
            }
        }
    }

    /// INFO with the row counts, and one ERROR per row left out (file and line).
    pub fn log_loaded(&self, trigger: &'static str, report: &ReloadReport) {
        let dir = self.dir.display().to_string();
        for row in &report.bad_rows {
            tracing::error!(dir = %dir, file = row.file, line = row.line, reason = %row.reason, "id map row left out");
        }
        let r = report.rows;
        tracing::info!(
            trigger,
            dir = %dir,
            generation = report.generation,
            stations = r.stations,
            operators = r.operators,
            pois = r.pois,
            seat_classes = r.seat_classes,
            bad_rows = report.bad_rows.len(),
            "id maps loaded"
        );
    }

    /// Reloads every `refresh`, forever (spawn it).
    pub async fn refresh_forever(self) {
        let every = self.refresh;
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            self.reload_logged("timer");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir_with(files: &[(&str, &str)]) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("idmaps-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        for (name, text) in files {
            std::fs::write(dir.join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn a_new_store_holds_empty_maps() {
        assert_eq!(IdMapStore::default().current().generation(), 0);
    }

    #[test]
    fn a_reload_swaps_in_the_next_generation_and_reports_bad_rows() {
        let store = IdMapStore::default();
        let dir = dir_with(&[(STATIONS_FILE, "previous_id,native_id\nA,1\nB\n")]);
        let report = store.reload_from_dir(&dir).unwrap();
        assert_eq!(report.generation, 1);
        assert_eq!(report.rows.stations, 1);
        assert_eq!(report.bad_rows.len(), 1);
        assert_eq!(
            (report.bad_rows[0].file, report.bad_rows[0].line),
            (STATIONS_FILE, 3)
        );
        let before = store.current();
        std::fs::write(dir.join(STATIONS_FILE), "previous_id,native_id\nC,1\n").unwrap();
        assert_eq!(store.reload_from_dir(&dir).unwrap().generation, 2);
        // A reader keeps the maps it took; new readers get the new ones.
        assert_eq!(before.station_to_previous("1"), Some("A"));
        assert_eq!(store.current().station_to_previous("1"), Some("C"));
    }

    #[test]
    fn an_unreadable_directory_keeps_the_current_maps() {
        let store = IdMapStore::default();
        let dir = dir_with(&[(OPERATORS_FILE, "previous_id,native_id\nX,9\n")]);
        store.reload_from_dir(&dir).unwrap();
        let missing = dir.join("nope");
        let e = store.reload_from_dir(&missing).unwrap_err();
        assert!(e.contains("nope"), "{e}");
        assert_eq!(store.current().generation(), 1);
        assert_eq!(store.current().operator_to_previous("9"), Some("X"));
    }
}
