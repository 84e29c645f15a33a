//! Who the client is, as far as limits care: the TCP peer's address, or behind a reverse proxy
//! named in `SAHULAT_TRUSTED_PROXY`, the address that proxy forwarded.

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};

/// The client's address: the TCP peer's, or when the peer is a reverse proxy named in
/// `SAHULAT_TRUSTED_PROXY`, the last address in `X-Forwarded-For` that is not a trusted proxy
/// (the one the proxy saw). A header from anyone else is ignored: it is the client's to forge.
/// `None` in-process (no socket).
#[derive(Debug, Clone, Copy)]
pub struct ClientIp(pub Option<IpAddr>);

/// See [`ClientIp`].
pub fn client_address(
    peer: Option<IpAddr>,
    headers: &axum::http::HeaderMap,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let entries: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .collect();
    for raw in entries.iter().rev() {
        match raw.parse::<IpAddr>() {
            Ok(a) if trusted.contains(&a) => continue,
            Ok(a) => return Some(a),
            // What our proxy appended does not parse: believe only the peer.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

impl FromRequestParts<crate::state::AppState> for ClientIp {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        st: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientIp(client_address(
            peer,
            &parts.headers,
            &st.settings.trusted_proxies,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xff(v: &str) -> axum::http::HeaderMap {
        let mut h = axum::http::HeaderMap::new();
        h.insert("x-forwarded-for", v.parse().unwrap());
        h
    }

    #[test]
    fn x_forwarded_for_is_believed_only_from_a_trusted_proxy_and_read_from_the_right() {
        let proxy: IpAddr = "10.0.0.1".parse().unwrap();
        let client: IpAddr = "203.0.113.7".parse().unwrap();
        let forged = xff("198.51.100.9, 203.0.113.7");
        assert_eq!(
            client_address(Some(client), &forged, &[]),
            Some(client),
            "no proxy configured: the header is ignored"
        );
        assert_eq!(
            client_address(Some(proxy), &forged, &[proxy]),
            Some(client),
            "the address the proxy appended, not the one the client wrote before it"
        );
        assert_eq!(
            client_address(Some(client), &forged, &[proxy]),
            Some(client),
            "a header from a client that is not the proxy is ignored"
        );
        assert_eq!(
            client_address(Some(proxy), &xff("203.0.113.7, garbage"), &[proxy]),
            Some(proxy),
            "what the proxy appended does not parse: only the peer is believed"
        );
        assert_eq!(client_address(None, &forged, &[proxy]), None);
    }
}
