//! Writing the engine's routes into the kernel, on a thread of its own so
//! that RIP keeps receiving while the kernel inserts.
//!
//! Changes come in batches; each batch goes out as few datagrams as possible
//! (many RTM_NEWROUTE in one sendmsg) without per-message acknowledgements:
//! the kernel reports only failures, which are read and logged.

use std::collections::HashMap;
use std::io;
use std::sync::mpsc;
use std::thread;

use netlink_packet_core::NetlinkPayload;
use netlink_packet_route::RouteNetlinkMessage;
use rip_codec::Ipv4Prefix;
use rip_engine::FibChange;
use tracing::{debug, info, warn};

use super::RTPROT_RIP;
use super::messages::{self, RouteOp, RouteTarget};
use super::socket::Netlink;

/// What the writer thread is asked to do.
pub enum FibCommand {
    Apply(Vec<FibChange>),
    /// Reply once everything before it is written.
    Sync(mpsc::Sender<()>),
    /// Remove every rip route from the current target and write from now
    /// on into this one.
    Retarget(RouteTarget),
}

/// The handle the main loop holds.
pub struct FibWriter {
    commands: mpsc::Sender<FibCommand>,
    thread: Option<thread::JoinHandle<()>>,
}

impl FibWriter {
    /// Sweeps what an earlier run left in the table, then starts the writer.
    pub fn start(target: RouteTarget) -> io::Result<FibWriter> {
        let mut netlink = Netlink::open(0)?;
        let swept = sweep(&mut netlink, target)?;
        if swept > 0 {
            info!(
                routes = swept,
                table = target.table,
                "removed rip routes left by an earlier run"
            );
        }
        let (commands, receiver) = mpsc::channel();
        let thread = thread::Builder::new()
            .name("riprs-fib".into())
            .spawn(move || run(netlink, target, receiver))?;
        Ok(FibWriter {
            commands,
            thread: Some(thread),
        })
    }

    pub fn apply(&self, changes: Vec<FibChange>) {
        if !changes.is_empty() {
            let _ = self.commands.send(FibCommand::Apply(changes));
        }
    }

    /// Moves to another table or priority: what was written before is
    /// removed (and any rip route already in the new place), what is applied
    /// after goes to `target`.
    pub fn retarget(&self, target: RouteTarget) {
        let _ = self.commands.send(FibCommand::Retarget(target));
    }

    /// Waits until everything sent so far is in the kernel.
    pub fn sync(&self) {
        let (done, wait) = mpsc::channel();
        if self.commands.send(FibCommand::Sync(done)).is_ok() {
            let _ = wait.recv();
        }
    }
}

impl Drop for FibWriter {
    fn drop(&mut self) {
        let (closed, _) = mpsc::channel();
        drop(std::mem::replace(&mut self.commands, closed));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Deletes every route of protocol rip in the table: a crashed or killed
/// run leaves its routes behind, and the engine will learn them again.
fn sweep(netlink: &mut Netlink, target: RouteTarget) -> io::Result<usize> {
    let mut stale = Vec::new();
    netlink.dump_each(
        messages::dump_routes(),
        messages::own_route_or_control,
        |message| {
            if let NetlinkPayload::InnerMessage(RouteNetlinkMessage::NewRoute(route)) =
                message.payload
                && let Some(kernel) = messages::kernel_route(&route)
                && kernel.protocol == RTPROT_RIP
                && kernel.table == target.table
            {
                stale.push((kernel.prefix, kernel.table, kernel.priority));
            }
        },
    )?;
    let swept = stale.len();
    for (prefix, table, priority) in stale {
        let old = RouteTarget { table, priority };
        netlink.queue(messages::route(RouteOp::Delete, prefix, &[], old))?;
    }
    netlink.flush()?;
    drain_errors(netlink, &HashMap::new());
    Ok(swept)
}

/// A request sent, by sequence number: to name a failed route, and to tell
/// a delete that found nothing to delete.
struct Sent {
    prefix: Ipv4Prefix,
    delete: bool,
}

fn run(mut netlink: Netlink, mut target: RouteTarget, commands: mpsc::Receiver<FibCommand>) {
    let mut pending: HashMap<u32, Sent> = HashMap::new();
    let mut next = None;
    loop {
        let command = match next.take() {
            Some(command) => command,
            None => match commands.recv() {
                Ok(command) => command,
                Err(_) => return,
            },
        };
        let mut syncs = Vec::new();
        let mut batch = Vec::new();
        match command {
            FibCommand::Retarget(to) => {
                retarget(&mut netlink, &mut target, to);
                continue;
            }
            FibCommand::Sync(done) => syncs.push(done),
            FibCommand::Apply(changes) => batch.extend(changes),
        }
        // Everything already waiting goes into the same datagrams, up to a
        // change of target.
        while let Ok(more) = commands.try_recv() {
            match more {
                FibCommand::Apply(changes) => batch.extend(changes),
                FibCommand::Sync(done) => syncs.push(done),
                retarget @ FibCommand::Retarget(_) => {
                    next = Some(retarget);
                    break;
                }
            }
        }
        if let Err(e) = write(&mut netlink, target, &batch, &mut pending) {
            warn!(error = %e, routes = batch.len(), "writing routes to the kernel failed");
        }
        drain_errors(&mut netlink, &pending);
        pending.clear();
        for done in syncs {
            let _ = done.send(());
        }
    }
}

/// Empties the old table of rip routes, and the new one of what an earlier
/// run may have left there, before routes go to the new one.
fn retarget(netlink: &mut Netlink, target: &mut RouteTarget, to: RouteTarget) {
    let tables = if target.table == to.table {
        vec![to]
    } else {
        vec![*target, to]
    };
    for table in tables {
        if let Err(e) = sweep(netlink, table) {
            warn!(error = %e, table = table.table, "removing rip routes failed");
        }
    }
    info!(
        from_table = target.table,
        from_metric = target.priority,
        table = to.table,
        metric = to.priority,
        "kernel routes move"
    );
    *target = to;
}

fn write(
    netlink: &mut Netlink,
    target: RouteTarget,
    batch: &[FibChange],
    pending: &mut HashMap<u32, Sent>,
) -> io::Result<()> {
    for change in batch {
        let message = match change {
            FibChange::Add {
                prefix, next_hops, ..
            } => messages::route(RouteOp::Create, *prefix, next_hops, target),
            FibChange::Replace {
                prefix, next_hops, ..
            } => messages::route(RouteOp::Replace, *prefix, next_hops, target),
            FibChange::Delete { prefix } => messages::route(RouteOp::Delete, *prefix, &[], target),
        };
        let sequence = netlink.queue(message)?;
        let delete = matches!(change, FibChange::Delete { .. });
        let prefix = change.prefix();
        pending.insert(sequence, Sent { prefix, delete });
    }
    netlink.flush()?;
    debug!(routes = batch.len(), "routes written");
    Ok(())
}

/// Logs the failures the kernel reported for the requests just sent.
///
/// A delete answered with ESRCH is no failure: the kernel removes the routes
/// through an interface itself when it goes down or away (a VTI torn down),
/// before the engine's withdrawal of them arrives.
fn drain_errors(netlink: &mut Netlink, pending: &HashMap<u32, Sent>) {
    loop {
        let replies = match netlink.receive_pending() {
            Ok(replies) if !replies.is_empty() => replies,
            Ok(_) => return,
            Err(e) => {
                warn!(error = %e, "reading kernel replies failed");
                return;
            }
        };
        for reply in replies {
            if let NetlinkPayload::Error(error) = reply.payload
                && error.code.is_some()
            {
                let sent = pending.get(&reply.header.sequence_number);
                let prefix = sent.map(|s| s.prefix.to_string()).unwrap_or_default();
                let error = error.to_io();
                if sent.is_some_and(|s| s.delete)
                    && error.raw_os_error() == Some(rustix::io::Errno::SRCH.raw_os_error())
                {
                    debug!(prefix = %prefix, "route already gone from the kernel");
                    continue;
                }
                warn!(prefix = %prefix, error = %error, "the kernel refused a route change");
            }
        }
    }
}
