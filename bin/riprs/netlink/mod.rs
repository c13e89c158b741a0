//! The daemon's side of rtnetlink: reading links, addresses and routes,
//! writing the routes RIP learned, setting IFF_MULTICAST on a VTI.

pub mod fib;
pub mod link;
pub mod messages;
pub mod own_route_filter;
pub mod socket;
pub mod watch;

/// The kernel's protocol number for RIP routes (`proto rip` in iproute2).
pub const RTPROT_RIP: u8 = 189;
/// The main routing table.
pub const RT_TABLE_MAIN: u32 = 254;
