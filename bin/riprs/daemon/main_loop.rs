//! The event loop around the engine.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Instant, SystemTime};

use rip_engine::{Engine, Event, FibChange, InterfaceEvent, Transmit};
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tracing::{error, info, warn};

use super::interfaces::{Received, Sockets};
use super::log_events::EventLog;
use super::notify::Notifier;
use super::sequence::Sequence;
use crate::config::{self, Settings};
use crate::control::{self, ControlServer};
use crate::logging;
use crate::netlink::fib::FibWriter;
use crate::netlink::messages::RouteTarget;
use crate::netlink::watch::{self, KernelEvent};
use crate::rip_socket;

/// Messages handled before the engine's outputs are flushed: bounds latency
/// while letting a burst be processed in one go.
const BURST: usize = 64;

/// `riprs -c ripd.toml`: runs until SIGTERM or SIGINT.
pub fn run(config_path: &Path) -> ExitCode {
    let settings = match config::load(config_path) {
        Ok(settings) => settings,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::from(1);
        }
    };
    if let Err(e) = logging::init(&settings.log) {
        eprintln!("riprs: cannot set up logging: {e}");
        return ExitCode::from(1);
    }
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            error!(error = %e, "cannot start the runtime");
            return ExitCode::from(1);
        }
    };
    match runtime.block_on(Daemon::run(settings, config_path.to_path_buf())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            error!(error = %format!("{e:#}"), "riprs stopped");
            ExitCode::from(1)
        }
    }
}

struct Daemon {
    settings: Settings,
    config_path: PathBuf,
    engine: Engine,
    sockets: Sockets,
    fib: FibWriter,
    fib_batch: Vec<FibChange>,
    send_buffer: Vec<u8>,
    /// UDP GSO works here until a send says otherwise.
    gso: bool,
    sequence: Sequence,
    events: EventLog,
    notifier: Notifier,
}

impl Daemon {
    async fn run(settings: Settings, config_path: PathBuf) -> anyhow::Result<()> {
        let target = RouteTarget {
            table: settings.kernel.table,
            priority: settings.kernel.metric,
        };
        let fib =
            FibWriter::start(target).map_err(|e| anyhow::anyhow!("netlink route socket: {e}"))?;
        let (kernel_tx, mut kernel_rx) = mpsc::channel(65536);
        let watcher_tx = kernel_tx.clone();
        // The first events are the current state of the kernel.
        let watcher = tokio::task::spawn_blocking(move || watch::start(watcher_tx))
            .await
            .map_err(|e| anyhow::anyhow!("netlink watcher: {e}"))?
            .map_err(|e| anyhow::anyhow!("netlink watcher: {e}"))?;
        drop(kernel_tx);
        let (received_tx, mut received_rx) = mpsc::channel(16384);
        let now = Instant::now();
        let seed = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(1)
            ^ u64::from(std::process::id());
        let mut daemon = Daemon {
            engine: Engine::new(settings.engine.clone(), now, SystemTime::now(), seed),
            settings,
            config_path,
            sockets: Sockets::new(received_tx),
            fib,
            fib_batch: Vec::new(),
            send_buffer: Vec::new(),
            gso: true,
            sequence: Sequence::default(),
            events: EventLog::default(),
            notifier: Notifier::from_env(),
        };
        let control = ControlServer::bind(&daemon.settings.control_socket).map_err(|e| {
            anyhow::anyhow!(
                "control socket {}: {e}",
                daemon.settings.control_socket.display()
            )
        })?;
        let mut sigterm = signal(SignalKind::terminate())?;
        let mut sigint = signal(SignalKind::interrupt())?;
        let mut sighup = signal(SignalKind::hangup())?;
        info!(config = %daemon.config_path.display(), table = target.table, "riprs started");
        daemon.notifier.notify("READY=1\nSTATUS=running");
        for warning in &daemon.settings.warnings {
            warn!("{warning}");
        }

        loop {
            let deadline = daemon
                .engine
                .poll_timeout()
                .map(tokio::time::Instant::from_std)
                .unwrap_or_else(|| {
                    tokio::time::Instant::now() + std::time::Duration::from_secs(3600)
                });
            tokio::select! {
                biased;
                _ = sigterm.recv() => break,
                _ = sigint.recv() => break,
                _ = sighup.recv() => daemon.reload(),
                Some(event) = kernel_rx.recv() => {
                    daemon.handle_kernel(event);
                    for _ in 0..BURST {
                        match kernel_rx.try_recv() {
                            Ok(event) => daemon.handle_kernel(event),
                            Err(_) => break,
                        }
                    }
                }
                Some(message) = received_rx.recv() => {
                    daemon.handle_received(message);
                    for _ in 0..BURST {
                        match received_rx.try_recv() {
                            Ok(message) => daemon.handle_received(message),
                            Err(_) => break,
                        }
                    }
                }
                _ = tokio::time::sleep_until(deadline) => {
                    let now = Instant::now();
                    daemon.engine.handle_wall_clock(now, SystemTime::now());
                    daemon.engine.handle_timeout(now);
                }
                Ok(request) = control.accept() => {
                    control::serve(request, &daemon.engine, &daemon.settings, watcher.resyncs()).await;
                }
            }
            daemon.flush().await;
        }
        daemon.shutdown().await;
        control.remove();
        Ok(())
    }

    fn handle_kernel(&mut self, event: KernelEvent) {
        let now = Instant::now();
        match event {
            KernelEvent::Interface(event) => {
                let link = match &event {
                    InterfaceEvent::Link(link) => Some(link.clone()),
                    _ => None,
                };
                self.engine.handle_interface(now, event);
                if let Some(link) = link {
                    self.follow_multicast(link.ifindex, &link.name, link.multicast);
                }
            }
            KernelEvent::Redistribute(event) => self.engine.handle_redistribute(now, event),
        }
    }

    fn handle_received(&mut self, message: Received) {
        self.engine.handle_packet(
            Instant::now(),
            message.ifindex,
            message.source,
            &message.bytes,
        );
    }

    fn follow_multicast(&mut self, ifindex: u32, name: &str, multicast: bool) {
        let mode = self.settings.multicast_mode(name);
        let has_neighbors = self
            .engine
            .interfaces()
            .iter()
            .find(|i| i.ifindex == ifindex)
            .is_some_and(|i| {
                self.settings
                    .engine
                    .neighbors
                    .iter()
                    .any(|n| i.addresses.iter().any(|a| a.is_on_link(*n)))
            });
        self.sockets
            .follow_multicast(ifindex, name, multicast, mode, has_neighbors);
    }

    /// Carries out what the engine asked for: sockets first (an interface
    /// that came up needs its socket before its first message), then
    /// messages, then the kernel.
    async fn flush(&mut self) {
        while let Some(event) = self.engine.poll_event() {
            match &event {
                Event::InterfaceUp { ifindex, name } => {
                    self.sockets.open(*ifindex, name);
                    let multicast = self
                        .engine
                        .interfaces()
                        .iter()
                        .find(|i| i.ifindex == *ifindex)
                        .is_some_and(|i| i.multicast);
                    let name = name.clone();
                    self.follow_multicast(*ifindex, &name, multicast);
                }
                Event::InterfaceDown { ifindex, .. } => self.sockets.close(*ifindex),
                _ => {}
            }
            // In "auto" mode the multicast flag is being turned on; the
            // sockets' own message says so.
            if let Event::MulticastUnavailable { name, .. } = &event
                && self.settings.multicast_mode(name) == crate::config::MulticastMode::Auto
            {
                continue;
            }
            let names = self.engine.interfaces();
            self.events.log(&event, |ifindex| {
                names
                    .iter()
                    .find(|i| i.ifindex == ifindex)
                    .map(|i| i.name.clone())
                    .unwrap_or_else(|| ifindex.to_string())
            });
        }
        while let Some(transmit) = self.engine.poll_transmit() {
            self.send(transmit).await;
        }
        while let Some(change) = self.engine.poll_fib() {
            self.fib_batch.push(change);
        }
        if !self.fib_batch.is_empty() {
            self.fib.apply(std::mem::take(&mut self.fib_batch));
        }
    }

    async fn send(&mut self, transmit: Transmit) {
        let Some(socket) = self.sockets.get(transmit.ifindex).cloned() else {
            return;
        };
        // The messages, end to end in one reused buffer, then sent together.
        self.send_buffer.clear();
        let mut ends = Vec::new();
        let sequence = self.sequence.next();
        if let Err(e) = transmit.encode(sequence, |m| {
            self.send_buffer.extend_from_slice(m);
            ends.push(self.send_buffer.len());
        }) {
            warn!(ifindex = transmit.ifindex, error = %e, "cannot encode a message");
            return;
        }
        let mut start = 0;
        let messages: Vec<&[u8]> = ends
            .iter()
            .map(|&end| {
                let message = self.send_buffer.get(start..end).unwrap_or_default();
                start = end;
                message
            })
            .collect();
        if let Err(e) =
            rip_socket::send_all(&socket, transmit.destination, &messages, &mut self.gso).await
        {
            warn!(
                ifindex = transmit.ifindex,
                destination = %transmit.destination,
                error = %e,
                "send failed"
            );
        }
    }

    /// SIGHUP: a valid file replaces the configuration; an invalid one is
    /// reported and changes nothing.
    fn reload(&mut self) {
        self.notifier.notify("RELOADING=1");
        self.reload_config();
        self.notifier.notify("READY=1");
    }

    fn reload_config(&mut self) {
        match config::load(&self.config_path) {
            Ok(settings) => {
                for warning in &settings.warnings {
                    warn!("{warning}");
                }
                self.engine
                    .handle_config(Instant::now(), settings.engine.clone());
                let (old, new) = (&self.settings.kernel, &settings.kernel);
                if (old.table, old.metric) != (new.table, new.metric) {
                    // What the new configuration changed goes to the old
                    // place first; the writer then empties it, and every
                    // route goes again to the new one.
                    let changes: Vec<FibChange> =
                        std::iter::from_fn(|| self.engine.poll_fib()).collect();
                    self.fib.apply(changes);
                    self.fib.retarget(RouteTarget {
                        table: new.table,
                        priority: new.metric,
                    });
                    self.engine.reinstall_fib();
                }
                if settings.control_socket != self.settings.control_socket
                    || settings.log != self.settings.log
                {
                    warn!("[control] and [log] changes take effect at the next start");
                }
                self.settings = settings;
                info!(config = %self.config_path.display(), "configuration reloaded");
            }
            Err(errors) => {
                for line in errors.to_string().lines() {
                    error!("{line}");
                }
                error!("configuration not reloaded: the running configuration is unchanged");
            }
        }
    }

    /// Withdraws everything from the neighbors (metric 16) and, unless
    /// configured to keep them, the routes from the kernel.
    async fn shutdown(&mut self) {
        self.notifier.notify("STOPPING=1");
        info!("stopping: withdrawing routes");
        self.engine.handle_shutdown(Instant::now());
        while let Some(transmit) = self.engine.poll_transmit() {
            self.send(transmit).await;
        }
        let deletes: Vec<FibChange> = std::iter::from_fn(|| self.engine.poll_fib()).collect();
        if self.settings.kernel.keep_routes_on_exit {
            info!("keep-routes-on-exit: the kernel routes stay");
        } else {
            self.fib.apply(deletes);
        }
        self.fib.sync();
        info!("stopped");
    }
}
