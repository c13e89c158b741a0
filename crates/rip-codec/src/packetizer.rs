//! Splitting a list of routes into as many messages as it takes
//! (RFC 2453 §3.6: at most 25 entries, fewer with authentication).

use crate::auth::{AuthMode, Signer};
use crate::entry::RouteEntry;
use crate::error::EmitError;
use crate::header::{Command, MAX_MESSAGE_LEN};
use crate::writer::{MessageWriter, max_routes};

/// Yields the response messages that carry `routes`, each written into one
/// internal buffer that is reused: a lending iterator, no allocation.
pub struct Packetizer<'r, 'k> {
    routes: &'r [RouteEntry],
    version: u8,
    signer: Option<Signer<'k>>,
    per_message: usize,
    buf: [u8; MAX_MESSAGE_LEN],
}

impl<'r, 'k> Packetizer<'r, 'k> {
    pub fn new(routes: &'r [RouteEntry], version: u8, signer: Option<Signer<'k>>) -> Self {
        let mode = signer.map_or(AuthMode::None, |s| s.mode);
        Packetizer {
            routes,
            version,
            signer,
            per_message: max_routes(mode),
            buf: [0u8; MAX_MESSAGE_LEN],
        }
    }

    /// Messages this packetizer yields in all.
    pub fn message_count(&self) -> usize {
        self.routes.len().div_ceil(self.per_message)
    }

    /// The next message, or `None` when every route is out.
    pub fn next_message(&mut self) -> Option<Result<&[u8], EmitError>> {
        if self.routes.is_empty() {
            return None;
        }
        let (chunk, rest) = self
            .routes
            .split_at(self.per_message.min(self.routes.len()));
        self.routes = rest;
        let written =
            MessageWriter::new(&mut self.buf, Command::Response, self.version, self.signer)
                .and_then(|mut writer| {
                    for route in chunk {
                        writer.push_route(route)?;
                    }
                    Ok(writer)
                })
                .map(MessageWriter::finish);
        Some(written)
    }
}
