//! A blocking rtnetlink socket with sequence numbers: batched sends, dumps,
//! and reading what the kernel says back.

use std::io;

use netlink_packet_core::{NLMSG_DONE, NetlinkPayload};
use netlink_sys::{Socket, SocketAddr, protocols::NETLINK_ROUTE};

use super::messages::{self, Message};
use super::own_route_filter;

/// Legacy multicast group bits (RTMGRP_*).
pub const RTMGRP_LINK: u32 = 0x1;
pub const RTMGRP_IPV4_IFADDR: u32 = 0x10;
pub const RTMGRP_IPV4_ROUTE: u32 = 0x40;

/// Large enough for a burst of kernel events, or the errors of a batch.
const RECEIVE_BUFFER: usize = 8 << 20;
/// For sockets subscribed to events: see [`Netlink::open`].
pub const SUBSCRIPTION_BUFFER: usize = 64 << 20;
/// Messages are packed into datagrams of up to this size.
const BATCH_BYTES: usize = 64 << 10;
/// The most one read returns: the kernel fills a dump or notification
/// message of at most 32 KB (a page-sized skb or `NLMSG_GOODSIZE`), so
/// 64 KB is plenty; a 1 MB buffer per socket was 2 MB of a hub's RSS.
const RECEIVE_CHUNK: usize = 64 << 10;

pub struct Netlink {
    socket: Socket,
    sequence: u32,
    out: Vec<u8>,
    buffer: Vec<u8>,
}

impl Netlink {
    /// A socket subscribed to `groups` (0 for none).
    ///
    /// A subscription gets a notification (about 1 KB of buffer each) for
    /// every route the daemon itself installs: while a 100k table goes in,
    /// its thread may wait for a CPU longer than 8 MB lasts, and an overflow
    /// costs a full dump. So subscriptions get [`SUBSCRIPTION_BUFFER`].
    pub fn open(groups: u32) -> io::Result<Netlink> {
        let size = if groups == 0 {
            RECEIVE_BUFFER
        } else {
            SUBSCRIPTION_BUFFER
        };
        Self::open_with_buffer(groups, size)
    }

    /// A socket subscribed to `groups` with a receive buffer of `size` bytes.
    pub fn open_with_buffer(groups: u32, size: usize) -> io::Result<Netlink> {
        let mut socket = Socket::new(NETLINK_ROUTE)?;
        socket.bind(&SocketAddr::new(0, groups))?;
        // As root, SO_RCVBUFFORCE goes past net.core.rmem_max; otherwise best
        // effort (an overflow still resyncs).
        if rustix::net::sockopt::set_socket_recv_buffer_size_force(&socket, size).is_err() {
            let _ = socket.set_rx_buf_sz(size);
        }
        if groups & RTMGRP_IPV4_ROUTE != 0
            && let Err(e) = own_route_filter::attach(&socket, super::RTPROT_RIP)
        {
            tracing::debug!(error = %e, "no socket filter: own routes are dropped in user space");
        }
        Ok(Netlink {
            socket,
            sequence: 1,
            out: Vec::with_capacity(BATCH_BYTES),
            buffer: vec![0u8; RECEIVE_CHUNK],
        })
    }

    fn next_sequence(&mut self) -> u32 {
        self.sequence = self.sequence.wrapping_add(1).max(1);
        self.sequence
    }

    /// Appends a request to the pending batch, sending the batch first if
    /// it would grow past one datagram. Returns the sequence number.
    pub fn queue(&mut self, mut message: Message) -> io::Result<u32> {
        let sequence = self.next_sequence();
        message.header.sequence_number = sequence;
        message.finalize();
        let len = message.buffer_len();
        if !self.out.is_empty() && self.out.len() + len > BATCH_BYTES {
            self.flush()?;
        }
        let start = self.out.len();
        self.out.resize(start + len, 0);
        if let Some(slot) = self.out.get_mut(start..) {
            message.serialize(slot);
        }
        Ok(sequence)
    }

    /// Sends what is queued, many messages in one datagram.
    pub fn flush(&mut self) -> io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let result = self.socket.send(&self.out, 0).map(|_| ());
        self.out.clear();
        result
    }

    /// Sends one request and waits for its acknowledgement.
    pub fn request_ack(&mut self, message: Message) -> io::Result<()> {
        let sequence = self.queue(message)?;
        self.flush()?;
        loop {
            for reply in self.receive()? {
                if reply.header.sequence_number != sequence {
                    continue;
                }
                if let NetlinkPayload::Error(error) = reply.payload {
                    return match error.code {
                        None => Ok(()),
                        Some(_) => Err(error.to_io()),
                    };
                }
            }
        }
    }

    /// Sends a dump request and hands each answer to `each` as it arrives,
    /// until NLMSG_DONE; only the answers `keep` accepts are parsed. Nothing
    /// is collected: a parsed link message is kilobytes, a route dump of a
    /// 100k table tens of MB, and collecting them was most of the daemon's
    /// peak heap.
    pub fn dump_each(
        &mut self,
        message: Message,
        keep: impl Fn(&[u8]) -> bool,
        mut each: impl FnMut(Message),
    ) -> io::Result<()> {
        let sequence = self.queue(message)?;
        self.flush()?;
        loop {
            for reply in self.receive_where(&keep)? {
                if reply.header.sequence_number != sequence {
                    continue;
                }
                match reply.payload {
                    NetlinkPayload::Done(_) => return Ok(()),
                    NetlinkPayload::Error(error) if error.code.is_some() => {
                        return Err(error.to_io());
                    }
                    _ if reply.header.message_type == NLMSG_DONE => return Ok(()),
                    _ => each(reply),
                }
            }
        }
    }

    /// Blocks for the next datagram and splits it into messages.
    pub fn receive(&mut self) -> io::Result<Vec<Message>> {
        self.receive_where(|_| true)
    }

    /// [`Netlink::receive`], parsing only the messages `keep` accepts.
    pub fn receive_where(&mut self, keep: impl Fn(&[u8]) -> bool) -> io::Result<Vec<Message>> {
        let mut slice = self.buffer.as_mut_slice();
        let n = self.socket.recv(&mut slice, 0)?;
        Ok(messages::parse_where(
            self.buffer.get(..n).unwrap_or_default(),
            keep,
        ))
    }

    /// Throws away what the kernel has queued, without waiting.
    ///
    /// After an overflow the queue is stale, and the kernel reports the next
    /// overflow only once the queue has been emptied: until then netlink
    /// counts the socket as congested and drops further messages silently.
    pub fn discard_pending(&mut self) -> io::Result<()> {
        let dont_wait = rustix::net::RecvFlags::DONTWAIT.bits() as i32;
        loop {
            let mut slice = self.buffer.as_mut_slice();
            match self.socket.recv(&mut slice, dont_wait) {
                Ok(_) => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => return Ok(()),
                Err(e) if e.raw_os_error() == Some(rustix::io::Errno::NOBUFS.raw_os_error()) => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// What the kernel has said so far, without waiting.
    pub fn receive_pending(&mut self) -> io::Result<Vec<Message>> {
        let mut slice = self.buffer.as_mut_slice();
        let dont_wait = rustix::net::RecvFlags::DONTWAIT.bits() as i32;
        match self.socket.recv(&mut slice, dont_wait) {
            Ok(n) => Ok(messages::parse_all(
                self.buffer.get(..n).unwrap_or_default(),
            )),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Vec::new()),
            Err(e) => Err(e),
        }
    }
}
