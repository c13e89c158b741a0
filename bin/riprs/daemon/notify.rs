//! systemd's readiness protocol (sd_notify(3)), for `Type=notify` units:
//! `READY=1` once riprs serves, `RELOADING=1` then `READY=1` around a
//! SIGHUP reload, `STOPPING=1` when it stops. Without `NOTIFY_SOCKET` in the
//! environment (not started by systemd) it does nothing.

use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};

use tracing::debug;

pub struct Notifier {
    target: Option<(UnixDatagram, SocketAddr)>,
}

impl Notifier {
    pub fn from_env() -> Notifier {
        let target = std::env::var_os("NOTIFY_SOCKET").and_then(|path| {
            let bytes = path.as_encoded_bytes();
            // "@name" is a socket in the abstract namespace.
            let address = match bytes.strip_prefix(b"@") {
                Some(name) => SocketAddr::from_abstract_name(name),
                None => SocketAddr::from_pathname(&path),
            };
            match (address, UnixDatagram::unbound()) {
                (Ok(address), Ok(socket)) => Some((socket, address)),
                (Err(e), _) | (_, Err(e)) => {
                    debug!(error = %e, "NOTIFY_SOCKET unusable");
                    None
                }
            }
        });
        Notifier { target }
    }

    /// Sends `state` (newline-separated `KEY=VALUE` lines).
    pub fn notify(&self, state: &str) {
        if let Some((socket, address)) = &self.target
            && let Err(e) = socket.send_to_addr(state.as_bytes(), address)
        {
            debug!(error = %e, "sd_notify failed");
        }
    }
}
