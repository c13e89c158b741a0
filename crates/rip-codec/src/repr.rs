//! An owned, high-level form of a message for tests and tools: parse it
//! from bytes, emit it to bytes.

use crate::auth::{AuthMode, Authenticated, KeyLookup, Signer};
use crate::entry::RouteEntry;
use crate::error::{DecodeError, EmitError, EntryError};
use crate::header::Command;
use crate::packet::{Packet, Request};
use crate::prefix::Ipv4Prefix;
use crate::writer::MessageWriter;

/// A whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repr {
    pub version: u8,
    pub body: Body,
}

/// What a message says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Send me your whole table (RFC 2453 §3.9.1).
    WholeTableRequest,
    /// Send me these destinations.
    Request(Vec<Ipv4Prefix>),
    /// Routes.
    Response(Vec<RouteEntry>),
}

/// A parsed message with what was skipped in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub repr: Repr,
    pub authenticated: Authenticated,
    /// Entries that broke a rule, in order; they are not in `repr`.
    pub bad_entries: Vec<EntryError>,
}

impl Repr {
    pub fn command(&self) -> Command {
        match self.body {
            Body::WholeTableRequest | Body::Request(_) => Command::Request,
            Body::Response(_) => Command::Response,
        }
    }

    /// Parses and authenticates a message, collecting its entries.
    pub fn parse<K: KeyLookup + ?Sized>(
        bytes: &[u8],
        mode: AuthMode,
        keys: &K,
    ) -> Result<Parsed, DecodeError> {
        let packet = Packet::parse_with_limit(bytes, usize::MAX)?;
        let verified = packet.authenticate(mode, keys)?;
        let mut bad_entries = Vec::new();
        let body = match verified.command() {
            Command::Response => Body::Response(
                verified
                    .routes()
                    .filter_map(|r| r.map_err(|e| bad_entries.push(e)).ok())
                    .collect(),
            ),
            Command::Request => match verified.request() {
                Request::WholeTable => Body::WholeTableRequest,
                Request::Empty => Body::Request(Vec::new()),
                Request::Specific(queries) => Body::Request(
                    queries
                        .filter_map(|q| q.map_err(|e| bad_entries.push(e)).ok())
                        .collect(),
                ),
            },
        };
        Ok(Parsed {
            repr: Repr {
                version: verified.version(),
                body,
            },
            authenticated: verified.authenticated(),
            bad_entries,
        })
    }

    /// Writes the message into `buf` and returns its length. All entries
    /// must fit in one message: see [`crate::max_routes`] and [`crate::Packetizer`].
    pub fn emit(&self, buf: &mut [u8], signer: Option<Signer<'_>>) -> Result<usize, EmitError> {
        let mut writer = MessageWriter::new(buf, self.command(), self.version, signer)?;
        match &self.body {
            Body::WholeTableRequest => writer.push_whole_table_request()?,
            Body::Request(prefixes) => {
                for prefix in prefixes {
                    writer.push_query(*prefix)?;
                }
            }
            Body::Response(routes) => {
                for route in routes {
                    writer.push_route(route)?;
                }
            }
        }
        Ok(writer.finish().len())
    }
}
