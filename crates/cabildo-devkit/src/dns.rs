//! A small authoritative DNS server on loopback, for tests of councils'
//! own domains: real DNS messages over real UDP and TCP, answering from
//! records the test sets and changes while it runs (an admin "creating
//! the record" between two checks).

use hickory_proto::op::{Message, MessageType, OpCode, ResponseCode};
use hickory_proto::rr::rdata::{A, AAAA, CNAME, TXT};
use hickory_proto::rr::{Name, RData, Record, RecordType};
use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, UdpSocket};

/// Records by lower-case name without the final dot.
type Zone = HashMap<String, Vec<RData>>;

/// The server; it stops when dropped.
pub struct DnsServer {
    address: SocketAddr,
    zone: Arc<Mutex<Zone>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl DnsServer {
    /// Starts answering on a free loopback port (UDP and TCP alike).
    pub async fn start() -> anyhow::Result<Self> {
        // The same port for TCP, as resolvers expect; a free UDP port may
        // be taken for TCP, so a few are tried.
        let mut attempt = 0;
        let (udp, tcp, address) = loop {
            let udp = UdpSocket::bind("127.0.0.1:0").await?;
            let address = udp.local_addr()?;
            match TcpListener::bind(address).await {
                Ok(tcp) => break (udp, tcp, address),
                Err(error) if attempt >= 20 => return Err(error.into()),
                Err(_) => attempt += 1,
            }
        };
        let zone = Arc::new(Mutex::new(Zone::new()));
        let udp_zone = zone.clone();
        let udp_task = tokio::spawn(async move {
            let mut buffer = vec![0u8; 4096];
            while let Ok((len, from)) = udp.recv_from(&mut buffer).await {
                if let Some(answer) = answer(&udp_zone, &buffer[..len]) {
                    let _ = udp.send_to(&answer, from).await;
                }
            }
        });
        let tcp_zone = zone.clone();
        let tcp_task = tokio::spawn(async move {
            while let Ok((mut stream, _)) = tcp.accept().await {
                let zone = tcp_zone.clone();
                tokio::spawn(async move {
                    loop {
                        let Ok(len) = stream.read_u16().await else {
                            return;
                        };
                        let mut query = vec![0u8; usize::from(len)];
                        if stream.read_exact(&mut query).await.is_err() {
                            return;
                        }
                        let Some(answer) = answer(&zone, &query) else {
                            return;
                        };
                        let Ok(len) = u16::try_from(answer.len()) else {
                            return;
                        };
                        if stream.write_u16(len).await.is_err()
                            || stream.write_all(&answer).await.is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        Ok(Self {
            address,
            zone,
            tasks: vec![udp_task, tcp_task],
        })
    }

    /// Where it listens.
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    fn set(&self, name: &str, kind: RecordType, data: Vec<RData>) {
        let mut zone = self.zone.lock().unwrap_or_else(|e| e.into_inner());
        let records = zone.entry(key(name)).or_default();
        records.retain(|r| r.record_type() != kind);
        records.extend(data);
    }

    /// Sets `name`'s TXT record to one string per value.
    pub fn set_txt(&self, name: &str, values: &[&str]) {
        let data = values
            .iter()
            .map(|v| RData::TXT(TXT::new(vec![(*v).to_owned()])))
            .collect();
        self.set(name, RecordType::TXT, data);
    }

    /// Makes `name` an alias of `target`.
    pub fn set_cname(&self, name: &str, target: &str) -> anyhow::Result<()> {
        let target = Name::from_ascii(format!("{}.", key(target)))?;
        self.set(name, RecordType::CNAME, vec![RData::CNAME(CNAME(target))]);
        Ok(())
    }

    /// Sets `name`'s addresses (A and AAAA records).
    pub fn set_addresses(&self, name: &str, addresses: &[IpAddr]) {
        let (v4, v6): (Vec<_>, Vec<_>) = addresses.iter().partition(|a| a.is_ipv4());
        let a = v4
            .iter()
            .filter_map(|a| match a {
                IpAddr::V4(ip) => Some(RData::A(A(*ip))),
                IpAddr::V6(_) => None,
            })
            .collect();
        let aaaa = v6
            .iter()
            .filter_map(|a| match a {
                IpAddr::V6(ip) => Some(RData::AAAA(AAAA(*ip))),
                IpAddr::V4(_) => None,
            })
            .collect();
        self.set(name, RecordType::A, a);
        self.set(name, RecordType::AAAA, aaaa);
    }

    /// Removes every record of `name`.
    pub fn remove(&self, name: &str) {
        let mut zone = self.zone.lock().unwrap_or_else(|e| e.into_inner());
        zone.remove(&key(name));
    }
}

impl Drop for DnsServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

fn key(name: &str) -> String {
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The answer to the query in `bytes`, following CNAMEs within the zone;
/// NXDOMAIN for names without any record. `None` for what is not a query.
fn answer(zone: &Mutex<Zone>, bytes: &[u8]) -> Option<Vec<u8>> {
    let query = Message::from_vec(bytes).ok()?;
    if query.metadata.message_type != MessageType::Query {
        return None;
    }
    let mut response = Message::response(query.metadata.id, OpCode::Query);
    response.metadata.authoritative = true;
    response.metadata.recursion_desired = query.metadata.recursion_desired;
    response.metadata.recursion_available = true;
    let zone = zone.lock().unwrap_or_else(|e| e.into_inner());
    let mut found_name = false;
    for question in &query.queries {
        response.queries.push(question.clone());
        let mut name = question.name().clone();
        // A CNAME chain of at most 8 links.
        for _ in 0..8 {
            let Some(records) = zone.get(&key(&name.to_ascii())) else {
                break;
            };
            found_name = true;
            let wanted: Vec<&RData> = (records.iter())
                .filter(|r| r.record_type() == question.query_type())
                .collect();
            if !wanted.is_empty() {
                for data in wanted {
                    response.add_answer(Record::from_rdata(name.clone(), 60, data.clone()));
                }
                break;
            }
            match records.iter().find_map(|r| match r {
                RData::CNAME(target) => Some(target.0.clone()),
                _ => None,
            }) {
                Some(target) => {
                    response.add_answer(Record::from_rdata(
                        name.clone(),
                        60,
                        RData::CNAME(CNAME(target.clone())),
                    ));
                    name = target;
                }
                None => break,
            }
        }
    }
    if !found_name {
        response.metadata.response_code = ResponseCode::NXDomain;
    }
    response.to_vec().ok()
}
