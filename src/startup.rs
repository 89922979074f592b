//! Composition root: wires adapters from configuration, binds the API and admin
//! listeners, and runs until a shutdown signal.

use actix_web::middleware::from_fn;
use actix_web::web::{self, Data};
use actix_web::{App, HttpServer};
use anyhow::Context;
use std::net::TcpListener;
use std::path::Path;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::adapters::clients_file::{demo_client, FileClientDirectory, RegistryRules};
use crate::adapters::config::Settings;
use crate::adapters::http::admin_auth::AdminToken;
use crate::adapters::http::route_table::RouteTable;
use crate::adapters::http::routes::admin_stats::{OpenConnections, StatsSources};
use crate::adapters::http::state::{BuildInfo, InFlightLimit, LinkSettings, Shared, Worker};
use crate::adapters::http::{
    api_routes, configure_admin, configure_api, not_found, pipeline::pipeline,
};
use crate::adapters::metrics::statsd::{StatsdConfig, StatsdMetrics};
use crate::adapters::sandbox::Sandbox;
use crate::adapters::twelvego::{AwcMasterData, AwcTwelveGo, TwelveGoClientConfig};
use crate::adapters::webhook_sender::AwcNotificationSender;
use crate::app::auth::Authenticator;
use crate::app::booking::{BackgroundTasks, BookingService, BookingSettings};
use crate::app::breaker::{BreakerTwelveGo, CircuitBreaker};
use crate::app::idmaps::{IdMapSource, IdMapStore};
use crate::app::masterdata::{refresh, MasterData};
use crate::app::notifications::worker::{self, WorkerControl};
use crate::app::notifications::{Deliverer, DeliverySettings};
use crate::app::rate_limit::ClientRateLimits;
use crate::app::recheck::{RecheckDispatcher, RecheckState};
use crate::app::search::{SearchService, SearchSettings};
use crate::domain::booking_id::BookingIdMap;
use crate::domain::booking_token::{BookingTokenKeys, KeysError};
use crate::domain::breaker::BreakerConfig;
use crate::domain::notification::{RetryPolicy, SourceAllowlist};
use crate::domain::rate_limit::RateDefaults;
use crate::domain::search_query::SearchLimits;
use crate::domain::secret::Secret;
use crate::domain::translate::PriceTypeMap;
use crate::domain::version::ApiVersions;
use crate::ports::clients::ClientDirectory;
use crate::ports::clock::SystemClock;
use crate::ports::masterdata::MasterDataSource;
use crate::ports::metrics::{Metrics, NoMetrics};
use crate::ports::outbox::Outbox;
use crate::ports::twelvego::{TwelveGo, TwelveGoBooking};

/// Which 12go answers: the embedded sandbox or the real API.
#[derive(Clone)]
enum Backend {
    Sandbox(Sandbox),
    Real(TwelveGoClientConfig, Arc<dyn Metrics>),
}

impl Backend {
    /// Builds the ports for the current worker thread (one client behind the
    /// shared breaker): search and the booking funnel.
    fn ports(&self, breaker: &Arc<CircuitBreaker>) -> (Rc<dyn TwelveGo>, Rc<dyn TwelveGoBooking>) {
        fn both<T: TwelveGo + TwelveGoBooking + 'static>(
            t: T,
        ) -> (Rc<dyn TwelveGo>, Rc<dyn TwelveGoBooking>) {
            let rc = Rc::new(t);
            (rc.clone(), rc)
        }
        let b = breaker.clone();
        match self {
            Self::Sandbox(s) => both(BreakerTwelveGo::new(s.clone(), b)),
            Self::Real(cfg, metrics) => match AwcTwelveGo::new(cfg.clone()) {
                Ok(c) => both(BreakerTwelveGo::new(c.with_metrics(metrics.clone()), b)),
                // Checked once at start-up, so this cannot happen with the same config.
                Err(e) => {
                    tracing::error!(error = %e, "12go client could not be built on this worker");
                    both(Sandbox::new("http://unconfigured.invalid"))
                }
            },
        }
    }

    /// Relative ticket URLs are resolved against this (30 §2).
    fn base_url(&self) -> String {
        match self {
            Self::Sandbox(s) => s.base_url().to_string(),
            Self::Real(cfg, _) => cfg.base_url.as_str().trim_end_matches('/').to_string(),
        }
    }
}

pub struct Application {
    api: actix_web::dev::Server,
    admin: actix_web::dev::Server,
    api_port: u16,
    admin_port: u16,
    shared: Data<Shared>,
    directory: Arc<FileClientDirectory>,
    /// Booking tasks still running (20 §6); shutdown waits for them.
    tasks: BackgroundTasks,
    /// `ID_MAP_DIR` and its refresh period, when set.
    id_maps: Option<IdMapSource>,
    drain: Duration,
    /// What the notification worker is built from (on the system thread).
    delivery: DeliveryWiring,
}

/// The `Send` parts of the delivery worker; the awc sender is built where it runs.
struct DeliveryWiring {
    outbox: Arc<dyn Outbox>,
    clients: Arc<dyn ClientDirectory>,
    clock: Arc<SystemClock>,
    metrics: Arc<dyn Metrics>,
    settings: DeliverySettings,
    wake: Arc<tokio::sync::Notify>,
    volatile: bool,
    enabled: bool,
}

impl DeliveryWiring {
    /// Spawns the worker; `None` (logged) when the HTTP client cannot be built.
    fn spawn(
        self,
        stop: tokio::sync::watch::Receiver<bool>,
        drain: Duration,
    ) -> Option<actix_rt::task::JoinHandle<()>> {
        if !self.enabled {
            tracing::warn!("NOTIFY_DELIVERY_ENABLED=false: notifications are queued but not delivered by this instance");
            return None;
        }
        let sender = match AwcNotificationSender::new(self.settings.concurrency) {
            Ok(s) => Rc::new(s),
            Err(e) => {
                tracing::error!(error = %e, "notification sender not built; nothing will be delivered");
                return None;
            }
        };
        let deliverer = Rc::new(Deliverer::new(
            self.outbox,
            sender,
            self.clients,
            self.clock,
            self.metrics,
            self.settings,
        ));
        let control = WorkerControl {
            wake: self.wake,
            stop,
            drain,
            volatile: self.volatile,
        };
        Some(actix_rt::spawn(worker::run(deliverer, control)))
    }
}

impl Application {
    /// Loads the registry, builds the adapters and binds both listeners (port 0 works).
    pub fn build(settings: Settings) -> anyhow::Result<Self> {
        let directory = Arc::new(load_directory(&settings)?);
        let (id_map_store, id_maps) = load_id_maps(&settings)?;
        if id_maps.is_none() {
            let mapped = directory.mapped_client_ids();
            if !mapped.is_empty() {
                // Not fatal (the maps may come later), but every id of theirs is
                // unmapped until then: empty searches and lists.
                tracing::warn!(
                    clients = ?mapped,
                    "clients in mapped id mode but ID_MAP_DIR is unset: their searches and master-data lists are empty"
                );
            }
        }
        let metrics = metrics(&settings);
        let backend = backend(&settings, metrics.clone())?;
        let clock = Arc::new(SystemClock);
        let versions = ApiVersions::parse(&settings.api_versions)
            .map_err(|e| anyhow::anyhow!("API_VERSIONS: {e}"))?;
        let price_types = PriceTypeMap::parse(&settings.price_type_map)
            .map_err(|e| anyhow::anyhow!("PRICE_TYPE_MAP: {e}"))?;
        let token_keys = Arc::new(token_keys(&settings)?);
        let tasks = BackgroundTasks::default();
        let store = crate::adapters::store::from_settings(&settings, metrics.clone())?;
        store.spawn_sweeper();
        tracing::info!(store = store.kind(), "state store selected");
        let funnel_settings = BookingSettings {
            sync_budget: Duration::from_millis(settings.booking_sync_budget_ms),
            ir_expiry: Duration::from_secs(settings.incomplete_results_expiry_secs),
            ir_retention: Duration::from_secs(settings.incomplete_results_retention_secs),
            task_deadline: BookingSettings::default().task_deadline,
            twelvego_base: backend.base_url(),
            id_map: load_id_map(&settings)?,
            price_types: Arc::new(
                PriceTypeMap::parse(&settings.price_type_map)
                    .map_err(|e| anyhow::anyhow!("PRICE_TYPE_MAP: {e}"))?,
            ),
        };
        let listener =
            TcpListener::bind((settings.host.as_str(), settings.port)).with_context(|| {
                format!(
                    "HOST/PORT: cannot listen on {}:{}",
                    settings.host, settings.port
                )
            })?;
        let api_port = listener.local_addr()?.port();
        let master_data = Arc::new(MasterData::new(
            settings.master_data_enabled,
            metrics.clone(),
            clock.clone(),
        ));
        let outbox = store.outbox(
            &settings.environment,
            settings.outbox_max_pending,
            metrics.clone(),
        );
        let outbox_wake = Arc::new(tokio::sync::Notify::new());
        let delivery = DeliveryWiring {
            outbox: outbox.clone(),
            clients: directory.clone(),
            clock: clock.clone(),
            metrics: metrics.clone(),
            settings: delivery_settings(&settings),
            wake: outbox_wake.clone(),
            volatile: store.kind() == "memory",
            enabled: settings.notify_delivery_enabled,
        };
        let shared = Data::new(Shared {
            master_data: master_data.clone(),
            links: LinkSettings {
                public_base: public_base(&settings, api_port),
                ttl: Duration::from_secs(settings.master_data_link_ttl_secs),
            },
            authenticator: Authenticator::new(directory.clone(), clock.clone()),
            versions,
            request_timeout: Duration::from_millis(settings.request_timeout_ms),
            draining: AtomicBool::new(false),
            build: BuildInfo::current(),
            metrics: metrics.clone(),
            token_keys: token_keys.clone(),
            id_maps: id_map_store,
            outbox,
            webhook_tolerance: Duration::from_secs(settings.webhook_tolerance_secs),
            outbox_wake,
            webhook_sources: SourceAllowlist::parse(
                settings.webhook_allowed_cidrs.as_deref().unwrap_or(""),
            )
            .map_err(|e| anyhow::anyhow!("WEBHOOK_ALLOWED_CIDRS: {e}"))?,
        });
        let breaker = Arc::new(CircuitBreaker::new(
            breaker_host(&settings),
            BreakerConfig {
                failures: settings.breaker_failures,
                window: Duration::from_secs(settings.breaker_window_secs),
                open_for: Duration::from_secs(settings.breaker_open_secs),
                probes: settings.breaker_probes,
            },
            shared.metrics.clone(),
        ));
        let rate_limits = Data::new(ClientRateLimits::new(RateDefaults {
            search_per_min: settings.rate_limit_search_per_min,
            booking_per_min: settings.rate_limit_booking_per_min,
        }));
        let connections = Arc::new(OpenConnections::default());
        let recheck = Arc::new(
            RecheckState::new(
                settings.recheck_dispatch,
                Duration::from_millis(settings.twelvego_recheck_timeout_ms),
            )
            .with_metrics(metrics.clone()),
        );
        let search_settings = SearchSettings {
            limits: SearchLimits {
                max_routes: settings.max_routes,
                max_timeout_secs: settings.max_timeout,
            },
            return_partial_status: settings.return_partial_status,
            price_types: Arc::new(price_types),
        };
        let drain = Duration::from_secs(settings.drain_timeout_secs);
        let base_path = settings.base_path.clone();

        let api_shared = shared.clone();
        let in_flight = Data::new(InFlightLimit::new(settings.max_in_flight));
        let stats = Data::new(StatsSources {
            in_flight: in_flight.clone(),
            connections: connections.clone(),
            breaker: breaker.clone(),
            recheck: recheck.clone(),
            master_data: master_data.clone(),
        });
        if settings.master_data_enabled {
            let source = master_data_source(&settings, &backend)?;
            let every = Duration::from_secs(settings.master_data_refresh_secs);
            actix_rt::spawn(refresh::run(master_data.clone(), source, every));
        }
        let worker_tasks = tasks.clone();
        // The pipeline's route lookup without a regex; `None` falls back to actix's.
        let route_table =
            RouteTable::new(api_routes(&base_path).into_iter().map(|(t, _)| t)).map(Data::new);
        let mut api = HttpServer::new(move || {
            let (tg, booking) = backend.ports(&breaker);
            let dispatcher = RecheckDispatcher::new(recheck.clone(), tg.clone());
            let worker = Worker {
                search: SearchService::new(tg, clock.clone(), search_settings.clone(), dispatcher),
                booking: BookingService::new(
                    booking,
                    store.kv.clone(),
                    token_keys.clone(),
                    clock.clone(),
                    metrics.clone(),
                    funnel_settings.clone(),
                )
                .with_tasks(worker_tasks.clone()),
            };
            let base_path = base_path.clone();
            let mut app = App::new();
            if let Some(table) = &route_table {
                app = app.app_data(table.clone());
            }
            app.app_data(api_shared.clone())
                .app_data(in_flight.clone())
                .app_data(rate_limits.clone())
                .app_data(Data::new(worker))
                .wrap(from_fn(pipeline))
                .configure(move |c| configure_api(c, &base_path))
                .default_service(web::to(not_found))
        })
        // Before `listen`, which captures the hook.
        .on_connect(move |_, ext| connections.on_connect(ext))
        // actix leaves Nagle's algorithm on; a large answer goes out in several
        // writes (`sliced_body`), and Nagle would hold the later ones until the
        // client's delayed ACK (up to 40 ms). nginx sets it too.
        .tcp_nodelay(true)
        .h1_write_buffer_size(crate::adapters::http::sliced_body::SLICE)
        .listen(listener)?
        .disable_signals()
        .shutdown_timeout(drain.as_secs())
        .client_request_timeout(Duration::from_millis(settings.header_read_timeout_ms))
        .client_disconnect_timeout(CLIENT_DISCONNECT_TIMEOUT)
        .keep_alive(Duration::from_secs(60));
        if settings.workers > 0 {
            api = api.workers(settings.workers);
        }
        let api = api.run();

        let admin_listener = TcpListener::bind((settings.admin_host.as_str(), settings.admin_port))
            .with_context(|| {
                format!(
                    "ADMIN_HOST/ADMIN_PORT: cannot listen on {}:{}",
                    settings.admin_host, settings.admin_port
                )
            })?;
        let admin_port = admin_listener.local_addr()?.port();
        let admin_shared = shared.clone();
        let admin_token = Data::new(AdminToken::new(settings.admin_token.as_ref().map(|t| &t.0)));
        let admin = HttpServer::new(move || {
            App::new()
                .app_data(admin_shared.clone())
                .app_data(stats.clone())
                .app_data(admin_token.clone())
                .wrap(from_fn(pipeline))
                .configure(configure_admin)
                .default_service(web::to(not_found))
        })
        .listen(admin_listener)?
        .workers(1)
        .disable_signals()
        .shutdown_timeout(drain.as_secs())
        .run();

        tracing::info!(
            api_port,
            admin_port,
            sandbox = settings.sandbox_mode(),
            clients = directory.len(),
            "connect-api started"
        );
        if settings.sandbox_mode()
            && directory.get("demo").is_some()
            && settings.clients_file.is_none()
        {
            let host = if settings.host == "0.0.0.0" {
                "127.0.0.1"
            } else {
                settings.host.as_str()
            };
            let date = jiff::Zoned::now()
                .date()
                .saturating_add(jiff::Span::new().days(7));
            tracing::info!(
                "sandbox mode: built-in client `demo` with key `demo-key`; try: curl -H 'x-api-key: demo-key' 'http://{host}:{api_port}{}/v1/demo/itineraries?departure_poi=1&arrival_poi=44&departure_date={date}&pax=1'",
                settings.base_path
            );
        }
        Ok(Self {
            api,
            admin,
            api_port,
            admin_port,
            shared,
            directory,
            tasks,
            id_maps,
            drain,
            delivery,
        })
    }

    pub fn port(&self) -> u16 {
        self.api_port
    }

    pub fn admin_port(&self) -> u16 {
        self.admin_port
    }

    /// Serves until SIGTERM or SIGINT, then drains: `/ready` turns 503, listeners
    /// close, in-flight requests get `DRAIN_TIMEOUT_SECS`. SIGHUP reloads the registry.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let (api_handle, admin_handle) = (self.api.handle(), self.admin.handle());
        let shared = self.shared.clone();
        let directory = self.directory.clone();
        let (tasks, drain) = (self.tasks.clone(), self.drain);
        let id_maps = self.id_maps.clone();
        if let Some(source) = id_maps.clone() {
            actix_rt::spawn(source.refresh_forever());
        }
        let (stop_worker, stop) = tokio::sync::watch::channel(false);
        let worker = self.delivery.spawn(stop, drain);
        actix_rt::spawn(async move {
            wait_for_shutdown(&directory, id_maps.as_ref()).await;
            shared.draining.store(true, Ordering::SeqCst);
            tracing::info!("shutdown signal received, draining");
            // New connections are refused while booking tasks store their outcomes.
            api_handle.pause().await;
            // The worker stops claiming and finishes its attempts in the same window.
            let _ = stop_worker.send(true);
            let booking = async {
                if !tasks.wait_idle(drain).await {
                    tracing::warn!(
                        running = tasks.running(),
                        "booking tasks still running at the end of the drain window"
                    );
                }
            };
            let notifications = async {
                if let Some(w) = worker {
                    let _ = w.await;
                }
            };
            futures_util::future::join(booking, notifications).await;
            futures_util::future::join(api_handle.stop(true), admin_handle.stop(true)).await;
        });
        let (a, b) = futures_util::future::join(self.api, self.admin).await;
        tracing::info!("connect-api stopped");
        a.and(b)
    }
}

#[cfg(unix)]
async fn wait_for_shutdown(directory: &FileClientDirectory, id_maps: Option<&IdMapSource>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("signal handlers could not be installed");
        return std::future::pending().await;
    };
    loop {
        tokio::select! {
            _ = term.recv() => return,
            _ = int.recv() => return,
            _ = hup.recv() => {
                match directory.reload() {
                    Ok(n) => tracing::info!(clients = n, "client registry reloaded"),
                    Err(e) => tracing::error!(error = %e, "client registry reload failed; keeping the previous one"),
                }
                if let Some(source) = id_maps {
                    source.reload_logged("SIGHUP");
                }
            }
        }
    }
}

#[cfg(not(unix))]
async fn wait_for_shutdown(_: &FileClientDirectory, _: Option<&IdMapSource>) {
    let _ = tokio::signal::ctrl_c().await;
}

/// `PUBLIC_BASE_URL`, else the bound API port on localhost under `BASE_PATH`.
fn public_base(settings: &Settings, api_port: u16) -> String {
    match settings
        .public_base_url
        .as_deref()
        .filter(|u| !u.is_empty())
    {
        Some(_) => settings.public_base_url(),
        None => format!("http://localhost:{api_port}{}", settings.base_path),
    }
}

/// Where master data comes from: the embedded sandbox, or 12go's master-data
/// endpoints with their own base URL, key and timeout (00 §12).
fn master_data_source(
    settings: &Settings,
    backend: &Backend,
) -> anyhow::Result<Box<dyn MasterDataSource>> {
    match backend {
        Backend::Sandbox(s) => Ok(Box::new(s.clone())),
        Backend::Real(cfg, metrics) => {
            let mut cfg = cfg.clone();
            if let Some(raw) = settings
                .twelvego_masterdata_base_url
                .as_deref()
                .filter(|u| !u.is_empty())
            {
                cfg.base_url = url::Url::parse(raw).map_err(|_| {
                    anyhow::anyhow!("TWELVEGO_MASTERDATA_BASE_URL: must be an http(s) URL")
                })?;
            }
            let key = settings
                .twelvego_masterdata_key
                .as_ref()
                .map(|k| k.0.clone())
                .ok_or_else(|| anyhow::anyhow!("TWELVEGO_MASTERDATA_KEY: required when MASTER_DATA_ENABLED and TWELVEGO_BASE_URL is set"))?;
            let timeout = Duration::from_millis(settings.twelvego_masterdata_timeout_ms);
            let client = AwcMasterData::new(cfg, key, timeout)
                .map_err(|e| anyhow::anyhow!("TWELVEGO_MASTERDATA_BASE_URL: {e}"))?;
            Ok(Box::new(client.with_metrics(metrics.clone())))
        }
    }
}

/// Time a closing client gets to acknowledge the connection shutdown.
const CLIENT_DISCONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// The 12go host the breaker is for (`sandbox` for the embedded one).
fn breaker_host(settings: &Settings) -> String {
    settings
        .twelvego_base_url
        .as_deref()
        .and_then(|u| url::Url::parse(u).ok())
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_else(|| "sandbox".into())
}

/// `BOOKING_ID_MAP_FILE`: unreadable or a wrong header stops start-up; bad rows
/// are left out and logged with their line numbers.
fn load_id_map(settings: &Settings) -> anyhow::Result<Option<Arc<BookingIdMap>>> {
    let Some(path) = settings
        .booking_id_map_file
        .as_deref()
        .filter(|p| !p.is_empty())
    else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(path)
        .map_err(|e| anyhow::anyhow!("BOOKING_ID_MAP_FILE: cannot read {path}: {e}"))?;
    let (map, bad) = BookingIdMap::parse(&text)
        .map_err(|e| anyhow::anyhow!("BOOKING_ID_MAP_FILE: {path}: {e}"))?;
    for row in &bad {
        tracing::error!(file = %path, line = row.line, reason = %row.reason, "booking id map row left out");
    }
    tracing::info!(file = %path, bookings = map.len(), bad_rows = bad.len(), "booking id map loaded");
    Ok(Some(Arc::new(map)))
}

/// `ID_MAP_DIR` (10 §6): loaded before binding; an unreadable directory stops
/// start-up, bad rows are logged. Unset = empty maps (every id unmapped).
fn load_id_maps(settings: &Settings) -> anyhow::Result<(Arc<IdMapStore>, Option<IdMapSource>)> {
    let store = Arc::new(IdMapStore::default());
    let Some(dir) = settings.id_map_dir.as_deref().filter(|d| !d.is_empty()) else {
        return Ok((store, None));
    };
    let source = IdMapSource {
        store: store.clone(),
        dir: dir.into(),
        refresh: Duration::from_secs(settings.id_map_refresh_secs),
    };
    let report = store
        .reload_from_dir(&source.dir)
        .map_err(|e| anyhow::anyhow!("ID_MAP_DIR: {e}"))?;
    source.log_loaded("start-up", &report);
    Ok((store, Some(source)))
}

fn load_directory(settings: &Settings) -> anyhow::Result<FileClientDirectory> {
    match &settings.clients_file {
        // In production client webhooks must be https (00 §11).
        Some(path) => FileClientDirectory::load_with(
            Path::new(path),
            RegistryRules {
                https_webhooks: settings.environment == "prod",
            },
        )
        .map_err(anyhow::Error::msg),
        None if settings.sandbox_mode() => Ok(FileClientDirectory::fixed(demo_client().into_iter().collect())),
        None => anyhow::bail!("CLIENTS_FILE: required when TWELVEGO_BASE_URL is set (no built-in clients with a real 12go)"),
    }
}

/// Keys from `BOOKING_TOKEN_SECRETS`; in sandbox mode without them, one random
/// 32-byte key (tokens then die with the process).
fn token_keys(settings: &Settings) -> anyhow::Result<BookingTokenKeys> {
    use rand::RngExt;
    let mut secrets = settings.booking_token_secrets();
    if secrets.is_empty() {
        if !settings.sandbox_mode() {
            anyhow::bail!("BOOKING_TOKEN_SECRETS: required when TWELVEGO_BASE_URL is set");
        }
        let bytes: [u8; 32] = rand::rng().random();
        secrets.push(Secret::new(hex::encode(bytes)));
        tracing::info!(
            "sandbox mode: BOOKING_TOKEN_SECRETS unset, using a random key for this process"
        );
    }
    BookingTokenKeys::new(
        &secrets,
        Duration::from_secs(settings.booking_token_ttl_secs),
    )
    .map_err(|e| match e {
        KeysError::ZeroTtl => anyhow::anyhow!("BOOKING_TOKEN_TTL_SECS: {e}"),
        _ => anyhow::anyhow!("BOOKING_TOKEN_SECRETS: {e}"),
    })
}

/// DogStatsD when `DD_METRICS_ENABLED`, else nothing (a socket error is logged).
fn metrics(settings: &Settings) -> Arc<dyn Metrics> {
    if !settings.dd_metrics_enabled {
        return Arc::new(NoMetrics);
    }
    let cfg = StatsdConfig {
        host: settings.dd_agent_host.clone(),
        port: settings.dd_dogstatsd_port,
        service: settings.dd_service.clone(),
        env: settings.dd_env().to_owned(),
        version: settings.dd_version().to_owned(),
    };
    match StatsdMetrics::new(&cfg) {
        Ok(m) => Arc::new(m),
        Err(e) => {
            tracing::error!(error = %e, "DogStatsD metrics not started");
            Arc::new(NoMetrics)
        }
    }
}

fn backend(settings: &Settings, metrics: Arc<dyn Metrics>) -> anyhow::Result<Backend> {
    let Some(raw) = &settings.twelvego_base_url else {
        return Ok(Backend::Sandbox(Sandbox::default()));
    };
    let url = url::Url::parse(raw)
        .map_err(|_| anyhow::anyhow!("TWELVEGO_BASE_URL: must be an http(s) URL"))?;
    let mut cfg = TwelveGoClientConfig::new(url);
    cfg.read_timeout = Duration::from_millis(settings.twelvego_timeout_ms);
    cfg.connect_timeout = Duration::from_millis(settings.twelvego_connect_timeout_ms);
    cfg.recheck_timeout = Duration::from_millis(settings.twelvego_recheck_timeout_ms);
    cfg.reserve_timeout = Duration::from_millis(settings.twelvego_reserve_timeout_ms);
    cfg.confirm_timeout = Duration::from_millis(settings.twelvego_confirm_timeout_ms);
    cfg.refund_timeout = Duration::from_millis(settings.twelvego_refund_timeout_ms);
    cfg.retry_max = settings.twelvego_retry_max;
    cfg.max_body_bytes = settings.twelvego_max_body_bytes;
    cfg.body_budget_bytes = settings.twelvego_body_budget_bytes;
    cfg.pool_max = settings.twelvego_pool_max;
    AwcTwelveGo::new(cfg.clone()).map_err(|e| anyhow::anyhow!("TWELVEGO_BASE_URL: {e}"))?;
    Ok(Backend::Real(cfg, metrics))
}

/// `NOTIFY_*` (30 §8); jitter and the `Retry-After` cap are the spec's.
fn delivery_settings(settings: &Settings) -> DeliverySettings {
    DeliverySettings {
        policy: RetryPolicy {
            max_attempts: settings.notify_max_attempts,
            base_delay: Duration::from_secs(settings.notify_base_delay_secs),
            max_delay: Duration::from_secs(settings.notify_max_delay_secs),
            ..RetryPolicy::default()
        },
        attempt_timeout: Duration::from_millis(settings.notify_attempt_timeout_ms),
        dedup_retention: Duration::from_secs(settings.notify_dedup_retention_secs),
        dead_retention: Duration::from_secs(settings.dead_letter_retention_secs),
        concurrency: settings.notify_concurrency,
        poll: Duration::from_millis(settings.notify_poll_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_mode_without_secrets_gets_a_fresh_random_key() {
        let settings = Settings::default();
        let (a, b) = (
            token_keys(&settings).unwrap(),
            token_keys(&settings).unwrap(),
        );
        let now = jiff::Timestamp::from_second(1_777_000_000).unwrap();
        let sig = a.sign_link("demo", "stations", "en", 1_777_000_100);
        assert!(a.verify_link("demo", "stations", "en", 1_777_000_100, &sig, now));
        assert!(!b.verify_link("demo", "stations", "en", 1_777_000_100, &sig, now));
    }

    #[test]
    fn a_real_12go_without_secrets_names_the_setting() {
        let settings = Settings {
            twelvego_base_url: Some("http://127.0.0.1:9".into()),
            ..Settings::default()
        };
        let e = token_keys(&settings).unwrap_err().to_string();
        assert_eq!(
            e,
            "BOOKING_TOKEN_SECRETS: required when TWELVEGO_BASE_URL is set"
        );
    }
}
