//! A sans-IO RIPv2 engine (RFC 2453): the route table, its timers, update
//! generation and policy, as a deterministic state machine.
//!
//! No sockets, no clock, no global randomness: every call takes `now`, the
//! caller owns the seed of the jitter. Inputs are received messages,
//! interface and address changes, redistributable routes, configuration and
//! timeouts; outputs are polled: messages to send, kernel route changes and
//! events for logs.
//!
//! ```
//! use std::time::{Instant, SystemTime};
//! use rip_engine::{Engine, EngineConfig};
//!
//! let now = Instant::now();
//! let mut engine = Engine::new(EngineConfig::default(), now, SystemTime::now(), 7);
//! engine.handle_timeout(now);
//! while let Some(transmit) = engine.poll_transmit() { /* send it */ }
//! while let Some(change) = engine.poll_fib() { /* netlink */ }
//! let _next = engine.poll_timeout();
//! ```

mod config;
mod counters;
mod engine;
mod input;
mod interface;
mod keys;
mod origination;
mod output;
mod policy;
mod rng;
mod table;
mod time;
mod update;
mod views;

pub use config::{
    Authentication, Direction, EngineConfig, InterfaceConfig, KeyConfig, OffsetList, PrefixList,
    PrefixRule, ReceiveVersion, Redistribute, SendVersion, SplitHorizon, Timers,
};
pub use counters::{GlobalCounters, InterfaceCounters, NeighborState};
pub use engine::Engine;
pub use interface::{Address, InterfaceEvent, Link};
pub use origination::RedistributeEvent;
pub use output::{
    DropReason, Event, FibChange, NextHop, NextHops, SignWith, Transmit, WithdrawReason,
};
pub use rip_codec;
pub use smallvec;
pub use table::{Origin, RedistributeKind};
pub use views::{InterfaceView, PathView, RouteView};
