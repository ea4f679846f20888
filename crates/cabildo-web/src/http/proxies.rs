//! The proxies whose `X-Forwarded-For` and `X-Forwarded-Host` are believed
//! (`CABILDO_TRUSTED_PROXIES`): single addresses, or ranges in CIDR form
//! for proxies whose addresses change (an ingress controller's pods, a
//! container network's gateway).

use std::net::IpAddr;
use std::str::FromStr;

/// An address, or a range of them: `127.0.0.1`, `10.0.0.0/8`, `fd00::/8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AddressRange {
    network: IpAddr,
    prefix: u8,
}

impl AddressRange {
    /// Whether `ip` is in the range (an IPv4 address written as IPv6,
    /// `::ffff:10.1.2.3`, counts as the IPv4 one).
    pub fn contains(&self, ip: &IpAddr) -> bool {
        match (self.network, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl From<IpAddr> for AddressRange {
    fn from(ip: IpAddr) -> Self {
        let ip = ip.to_canonical();
        Self {
            network: ip,
            prefix: if ip.is_ipv4() { 32 } else { 128 },
        }
    }
}

impl FromStr for AddressRange {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = text.split_once('/').unwrap_or((text, ""));
        let ip: IpAddr = address
            .parse()
            .map_err(|_| format!("{text:?} is not an address or a range such as 10.0.0.0/8"))?;
        let mut range = Self::from(ip);
        if !prefix.is_empty() {
            let bits: u8 = prefix
                .parse()
                .ok()
                .filter(|bits| *bits <= range.prefix)
                .ok_or_else(|| format!("{text:?}: the prefix length is out of range"))?;
            range.prefix = bits;
        }
        Ok(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn addresses_and_ranges_are_matched() {
        let one: AddressRange = "127.0.0.1".parse().expect("one");
        assert!(one.contains(&ip("127.0.0.1")) && !one.contains(&ip("127.0.0.2")));
        let pods: AddressRange = "10.0.0.0/8".parse().expect("range");
        assert!(pods.contains(&ip("10.244.3.7")));
        assert!(
            pods.contains(&ip("::ffff:10.1.2.3")),
            "IPv4 written as IPv6"
        );
        assert!(!pods.contains(&ip("11.0.0.1")) && !pods.contains(&ip("fd00::1")));
        let v6: AddressRange = "fd00::/8".parse().expect("v6");
        assert!(v6.contains(&ip("fd12:3456::1")) && !v6.contains(&ip("fe80::1")));
        let all: AddressRange = "0.0.0.0/0".parse().expect("all");
        assert!(all.contains(&ip("203.0.113.9")));
        for bad in ["10.0.0.0/33", "fd00::/129", "ten", "10.0.0.0/x", ""] {
            assert!(bad.parse::<AddressRange>().is_err(), "{bad}");
        }
    }
}
