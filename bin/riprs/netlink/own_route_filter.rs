//! A socket filter (classic BPF) that drops the kernel's notifications of
//! the daemon's own routes before they are queued to the watcher's socket.
//!
//! Installing 100k routes makes the kernel announce each one; read, copied
//! and thrown away in user space that was a fifth of riprs's CPU time for
//! the whole install. [`crate::netlink::messages::not_own_route`] stays as
//! the check in user space (dumps, and kernels that refuse the filter).

use std::io;

use socket2::{SockFilter, SockRef};

// Classic BPF opcodes (linux/filter.h).
const LD_H_ABS: u16 = 0x28; // BPF_LD | BPF_H | BPF_ABS
const LD_B_ABS: u16 = 0x30; // BPF_LD | BPF_B | BPF_ABS
const JEQ_K: u16 = 0x15; // BPF_JMP | BPF_JEQ | BPF_K
const RET_K: u16 = 0x06; // BPF_RET | BPF_K

/// nlmsg_type is host-endian; BPF half-word loads are big-endian, so on a
/// little-endian machine RTM_NEWROUTE (24) reads as 0x1800.
fn as_loaded(kind: u16) -> u32 {
    u32::from(u16::from_be_bytes(kind.to_ne_bytes()))
}

/// Accept everything but RTM_NEWROUTE / RTM_DELROUTE of protocol rip. A
/// notification is one message per datagram, so looking at the first
/// message is looking at all of it.
fn program(rip_protocol: u8) -> [SockFilter; 7] {
    const NLMSG_TYPE: u32 = 4;
    // struct rtmsg follows the 16-octet header; rtm_protocol is its 6th octet.
    const RTM_PROTOCOL: u32 = 16 + 5;
    const RTM_NEWROUTE: u16 = 24;
    const RTM_DELROUTE: u16 = 25;
    [
        SockFilter::new(LD_H_ABS, 0, 0, NLMSG_TYPE),
        SockFilter::new(JEQ_K, 1, 0, as_loaded(RTM_NEWROUTE)),
        SockFilter::new(JEQ_K, 0, 3, as_loaded(RTM_DELROUTE)),
        SockFilter::new(LD_B_ABS, 0, 0, RTM_PROTOCOL),
        SockFilter::new(JEQ_K, 0, 1, u32::from(rip_protocol)),
        SockFilter::new(RET_K, 0, 0, 0),
        SockFilter::new(RET_K, 0, 0, u32::MAX),
    ]
}

/// Attaches the filter to a subscribed netlink socket.
pub fn attach(socket: &impl std::os::fd::AsFd, rip_protocol: u8) -> io::Result<()> {
    SockRef::from(socket).attach_filter(&program(rip_protocol))
}
