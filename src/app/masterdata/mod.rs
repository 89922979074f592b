//! Master data (10 §5): the snapshot being served, the lists rendered from it,
//! and its refresh from 12go ([`refresh`]). Requests only ever read memory.

pub mod refresh;

use bytes::Bytes;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use flate2::Compression;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::io::{BufWriter, Read, Write};
use std::sync::{Arc, Mutex, RwLock};

use jiff::Timestamp;
use serde::Serialize;

use crate::domain::masterdata::{station_name_suffix, Kind, ReverseIds, Snapshot, Unmapped};
use crate::ports::clock::Clock;
use crate::ports::metrics::Metrics;

/// One rendered list, kept gzip-compressed only (a 20,000-station list is 8 MB
/// of JSON but 0.5 MB compressed), with an ETag from the JSON content (stable
/// across instances and restarts).
#[derive(Debug)]
pub struct Listing {
    gzip: Bytes,
    pub etag: String,
    pub json_len: usize,
}

/// Where a list is rendered to: gzip-compressed as it is written, hashed for
/// the ETag, counted; the plain JSON is never held whole.
struct Sink {
    gz: GzEncoder<Vec<u8>>,
    hash: Sha256,
    len: usize,
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.gz.write_all(buf)?;
        self.hash.update(buf);
        self.len += buf.len();
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.gz.flush()
    }
}

impl Listing {
    /// Renders through `render` into a new listing.
    fn render(
        render: impl FnOnce(&mut BufWriter<&mut Sink>) -> std::io::Result<Unmapped>,
    ) -> (Self, Unmapped) {
        let mut sink = Sink {
            gz: GzEncoder::new(Vec::new(), Compression::default()),
            hash: Sha256::new(),
            len: 0,
        };
        // The serializer writes a few bytes at a time; the encoder wants blocks.
        let mut buffered = BufWriter::with_capacity(64 * 1024, &mut sink);
        // Writing into memory cannot fail; an empty list is the safe fallback.
        let unmapped = render(&mut buffered)
            .and_then(|u| buffered.flush().map(|()| u))
            .unwrap_or_default();
        drop(buffered);
        let digest = sink.hash.finalize();
        let gzip = sink.gz.finish().unwrap_or_default();
        let listing = Self {
            gzip: Bytes::from(gzip),
            etag: format!("\"{}\"", hex::encode(&digest[..12])),
            json_len: sink.len,
        };
        (listing, unmapped)
    }

    /// The gzip body, shared (no copy).
    pub fn gzip(&self) -> Bytes {
        self.gzip.clone()
    }

    /// The JSON, decompressed for a client that does not accept gzip.
    pub fn json(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.json_len);
        match GzDecoder::new(&self.gzip[..]).read_to_end(&mut out) {
            Ok(_) => out,
            Err(_) => b"[]".to_vec(),
        }
    }
}

/// Whose ids a list is rendered in: native, or one client's id maps.
pub struct IdView<'a> {
    pub ids: &'a dyn ReverseIds,
    /// Increases on every map reload; part of the cache key.
    pub generation: u64,
    pub client_id: &'a str,
}

/// The locale-dependent part of a list (only station names vary), so a
/// partner cannot grow the cache with made-up locales.
type CacheKey = (Kind, Option<&'static str>, bool, Option<u64>);

struct Current {
    snapshot: Arc<Snapshot>,
    version: u64,
    loaded_at: Timestamp,
    cache: Mutex<HashMap<CacheKey, Arc<Listing>>>,
}

impl Current {
    /// The cached list, or a new rendering (cached).
    fn listing(
        &self,
        kind: Kind,
        locale: &str,
        top: bool,
        view: Option<&IdView<'_>>,
    ) -> (Arc<Listing>, Unmapped) {
        let suffix = match kind {
            Kind::Stations => station_name_suffix(locale),
            _ => None,
        };
        let key: CacheKey = (kind, suffix, top, view.map(|v| v.generation));
        if let Some(hit) = self.cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
            return (hit, Unmapped::default());
        }
        let (listing, unmapped) = Listing::render(|out| {
            self.snapshot
                .render_into(kind, locale, top, view.map(|v| v.ids), out)
        });
        let listing = Arc::new(listing);
        if let Ok(mut cache) = self.cache.lock() {
            // Renderings for replaced id maps are never asked for again.
            if let Some(g) = key.3 {
                cache.retain(|k, _| k.3.is_none_or(|old| old >= g));
            }
            cache.insert(key, listing.clone());
        }
        (listing, unmapped)
    }
}

/// A snapshot with its default lists already rendered, ready to install.
struct Prepared {
    snapshot: Arc<Snapshot>,
    cache: HashMap<CacheKey, Arc<Listing>>,
}

impl Prepared {
    fn new(snapshot: Snapshot) -> Self {
        let current = Current {
            snapshot: Arc::new(snapshot),
            version: 0,
            loaded_at: Timestamp::UNIX_EPOCH,
            cache: Mutex::default(),
        };
        for kind in [Kind::Stations, Kind::OperatingCarriers, Kind::Pois] {
            let _ = current.listing(kind, "en", false, None);
        }
        let cache = current.cache.into_inner().unwrap_or_default();
        Self {
            snapshot: current.snapshot,
            cache,
        }
    }
}

/// What `/admin/stats` shows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MasterDataStats {
    pub enabled: bool,
    pub loaded: bool,
    pub version: u64,
    /// RFC 3339.
    pub loaded_at: Option<String>,
    pub age_seconds: Option<i64>,
    pub stations: usize,
    pub operating_carriers: usize,
    pub pois: usize,
    pub refreshes_ok: u64,
    pub refreshes_failed: u64,
    pub last_failure_at: Option<String>,
    pub last_error: Option<String>,
    /// The last refresh: fetching and building, and building alone.
    pub last_refresh_ms: Option<u64>,
    pub last_build_ms: Option<u64>,
    /// Rendered lists held in memory and their (gzip) bytes.
    pub cached_lists: usize,
    pub cached_bytes: usize,
}

#[derive(Debug, Default)]
struct Counters {
    ok: u64,
    failed: u64,
    last_failure_at: Option<Timestamp>,
    last_error: Option<String>,
    last_refresh_ms: Option<u64>,
    last_build_ms: Option<u64>,
}

/// The master data served by this instance (shared by every worker).
pub struct MasterData {
    enabled: bool,
    current: RwLock<Option<Arc<Current>>>,
    counters: Mutex<Counters>,
    metrics: Arc<dyn Metrics>,
    clock: Arc<dyn Clock>,
}

impl MasterData {
    pub fn new(enabled: bool, metrics: Arc<dyn Metrics>, clock: Arc<dyn Clock>) -> Self {
        Self {
            enabled,
            current: RwLock::new(None),
            counters: Mutex::default(),
            metrics,
            clock,
        }
    }

    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// `/ready`: true once the first snapshot is in, or when master data is off.
    pub fn is_ready(&self) -> bool {
        !self.enabled || self.current().is_some()
    }

    fn current(&self) -> Option<Arc<Current>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// The list of `kind` for `locale`, `None` until the first snapshot. Rendered
    /// on first use and cached until the next snapshot (or map reload).
    pub fn listing(
        &self,
        kind: Kind,
        locale: &str,
        top: bool,
        view: Option<&IdView<'_>>,
    ) -> Option<Arc<Listing>> {
        let current = self.current()?;
        let (listing, unmapped) = current.listing(kind, locale, top, view);
        if let (Some(v), true) = (view, unmapped.0 > 0) {
            let kind_tag = match kind {
                Kind::Stations => "station",
                Kind::OperatingCarriers => "operator",
                Kind::Pois => "poi",
            };
            self.metrics.count(
                "idmap.miss",
                unmapped.0 as i64,
                &[("client_id", v.client_id), ("kind", kind_tag)],
            );
        }
        Some(listing)
    }

    /// Serves `snapshot` from now on; the previous one (and its renderings) goes
    /// when the last request using it ends. The native lists in the default
    /// locale are rendered first, so no request waits for them: CPU-bound, so
    /// callers on an event loop use [`MasterData::install_off_thread`].
    pub fn install(&self, snapshot: Snapshot) -> u64 {
        self.install_prepared(Prepared::new(snapshot))
    }

    /// [`MasterData::install`] with the rendering on the blocking pool.
    pub async fn install_off_thread(&self, snapshot: Snapshot) -> u64 {
        match tokio::task::spawn_blocking(move || Prepared::new(snapshot)).await {
            Ok(prepared) => self.install_prepared(prepared),
            // The rendering panicked: nothing was installed; the next refresh retries.
            Err(_) => 0,
        }
    }

    fn install_prepared(&self, prepared: Prepared) -> u64 {
        let now = self.clock.now();
        let mut slot = match self.current.write() {
            Ok(slot) => slot,
            Err(poisoned) => poisoned.into_inner(),
        };
        let version = slot.as_ref().map_or(1, |c| c.version + 1);
        *slot = Some(Arc::new(Current {
            snapshot: prepared.snapshot,
            version,
            loaded_at: now,
            cache: Mutex::new(prepared.cache),
        }));
        drop(slot);
        if let Ok(mut c) = self.counters.lock() {
            c.ok += 1;
        }
        self.emit_gauges();
        version
    }

    /// A failed refresh: the current snapshot stays.
    pub fn record_failure(&self, error: &str) {
        if let Ok(mut c) = self.counters.lock() {
            c.failed += 1;
            c.last_failure_at = Some(self.clock.now());
            c.last_error = Some(error.to_string());
        }
    }

    pub fn record_duration(&self, total_ms: u64, build_ms: Option<u64>) {
        if let Ok(mut c) = self.counters.lock() {
            c.last_refresh_ms = Some(total_ms);
            c.last_build_ms = build_ms.or(c.last_build_ms);
        }
    }

    /// `connect.masterdata.age_seconds{kind}` and `.entries{kind}` (40 §7).
    pub fn emit_gauges(&self) {
        let Some(current) = self.current() else {
            return;
        };
        let age = (self.clock.now() - current.loaded_at)
            .total(jiff::Unit::Second)
            .unwrap_or(0.0);
        for kind in [Kind::Stations, Kind::OperatingCarriers, Kind::Pois] {
            let tags = [("kind", kind.as_str())];
            self.metrics.gauge("masterdata.age_seconds", age, &tags);
            self.metrics.gauge(
                "masterdata.entries",
                current.snapshot.len(kind) as f64,
                &tags,
            );
        }
    }

    pub fn stats(&self) -> MasterDataStats {
        let now = self.clock.now();
        let mut s = MasterDataStats {
            enabled: self.enabled,
            ..MasterDataStats::default()
        };
        if let Some(c) = self.current() {
            s.loaded = true;
            s.version = c.version;
            s.loaded_at = Some(c.loaded_at.to_string());
            s.age_seconds = Some(now.as_second() - c.loaded_at.as_second());
            (s.stations, s.operating_carriers, s.pois) = c.snapshot.sizes();
            if let Ok(cache) = c.cache.lock() {
                s.cached_lists = cache.len();
                s.cached_bytes = cache.values().map(|l| l.gzip.len()).sum();
            }
        }
        if let Ok(c) = self.counters.lock() {
            s.refreshes_ok = c.ok;
            s.refreshes_failed = c.failed;
            s.last_failure_at = c.last_failure_at.map(|t| t.to_string());
            s.last_error = c.last_error.clone();
            s.last_refresh_ms = c.last_refresh_ms;
            s.last_build_ms = c.last_build_ms;
        }
        s
    }
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
