//! `WEBHOOK_ALLOWED_CIDRS` (30 §7 step 3): the optional source check of 12go's
//! webhook calls. A bare address is a /32 (or /128).

use ipnet::IpNet;
use std::net::IpAddr;

/// The networks webhook calls may come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceAllowlist(Vec<IpNet>);

impl SourceAllowlist {
    /// Comma-separated CIDRs or addresses; `None` when the list is blank.
    ///
    /// # Errors
    /// The first entry that is neither, quoted.
    pub fn parse(raw: &str) -> Result<Option<Self>, String> {
        let mut nets = Vec::new();
        for part in raw.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let net = part
                .parse::<IpNet>()
                .or_else(|_| part.parse::<IpAddr>().map(IpNet::from))
                .map_err(|_| format!("`{part}` is not a CIDR or IP address"))?;
            nets.push(net);
        }
        Ok((!nets.is_empty()).then_some(Self(nets)))
    }

    /// IPv4-mapped IPv6 peers (`::ffff:a.b.c.d`) match IPv4 entries.
    pub fn allows(&self, peer: IpAddr) -> bool {
        let peer = match peer {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(peer, IpAddr::V4),
            v4 => v4,
        };
        self.0.iter().any(|n| n.contains(&peer))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidrs_and_bare_addresses_are_accepted() {
        let list = SourceAllowlist::parse(" 10.0.0.0/8, 192.0.2.7 ,2001:db8::/32")
            .unwrap()
            .unwrap();
        assert!(list.allows(ip("10.20.30.40")));
        assert!(list.allows(ip("192.0.2.7")));
        assert!(!list.allows(ip("192.0.2.8")));
        assert!(list.allows(ip("2001:db8::1")));
        assert!(list.allows(ip("::ffff:10.1.2.3")));
        assert!(!list.allows(ip("11.0.0.1")));
    }

    #[test]
    fn blank_is_no_list_and_junk_is_an_error() {
        assert_eq!(SourceAllowlist::parse(" , "), Ok(None));
        assert_eq!(
            SourceAllowlist::parse("10.0.0.0/8,nope"),
            Err("`nope` is not a CIDR or IP address".to_owned())
        );
        assert!(SourceAllowlist::parse("10.0.0.0/33").is_err());
    }
}
