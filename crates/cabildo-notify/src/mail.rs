//! Sending email over SMTP with lettre: a pool of connections, TLS as the
//! URL says (`smtp://` plain, `smtp://…?tls=required` STARTTLS,
//! `smtps://` TLS from the start), credentials from the URL.
//!
//! We open the connections ourselves rather than through lettre's pooled
//! transport to set `TCP_NODELAY`: lettre writes a message and its final
//! `.` in two writes, and without it Nagle's algorithm holds the second
//! until the server's delayed acknowledgement (about 40 ms), which capped
//! each connection at about 20 messages a second.

use crate::worker::JobError;
use lettre::Message;
use lettre::address::Address;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio::sync::Semaphore;

/// Mail settings, from the binary's configuration.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtps://user:pass@host`, …
    pub smtp_url: String,
    /// Sender address; the council's name is the display name.
    pub from: String,
    /// Longest wait for the SMTP server at each step.
    pub timeout: Duration,
    /// Most SMTP connections open at once; give it the worker's
    /// concurrency (each carries one message at a time).
    pub connections: u32,
}

/// Why mail cannot be configured.
#[derive(Debug, thiserror::Error)]
pub enum MailConfigError {
    /// `SMTP_URL` is not usable.
    #[error("SMTP_URL is not usable: {0}")]
    Url(String),
    /// `CABILDO_MAIL_FROM` is not an email address.
    #[error("CABILDO_MAIL_FROM is not an email address: {0}")]
    From(String),
}

/// How the connection is secured.
#[derive(Clone)]
enum Security {
    Plain,
    StartTls(TlsParameters),
    Implicit(Arc<rustls::ClientConfig>),
}

/// Where and how to connect, from `SMTP_URL`.
#[derive(Clone)]
struct Server {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl Server {
    fn from_url(raw: &str) -> Result<Self, MailConfigError> {
        let bad = |reason: &str| MailConfigError::Url(reason.to_owned());
        let url = url::Url::parse(raw).map_err(|e| bad(&e.to_string()))?;
        let host = url.host_str().ok_or_else(|| bad("no host"))?.to_owned();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let tls_parameters = || TlsParameters::new(host.clone()).map_err(|e| bad(&e.to_string()));
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls(tls_parameters()?), 587),
            ("smtps", None) => (Security::Implicit(rustls_config()), 465),
            (scheme, tls) => {
                return Err(bad(&format!(
                    "scheme {scheme:?} with tls={tls:?} (use smtp://, smtp://…?tls=required or smtps://)"
                )));
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|e| bad(&e.to_string()))
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Self {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
        })
    }
}

/// Public web roots, as lettre uses for STARTTLS.
fn rustls_config() -> Arc<rustls::ClientConfig> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
    match config {
        Ok(config) => Arc::new(config),
        // The ring provider supports the default protocol versions.
        Err(error) => unreachable!("rustls defaults refused: {error}"),
    }
}

/// A pooled SMTP client. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    server: Server,
    from: Address,
    timeout: Duration,
    slots: Semaphore,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

/// An idle connection older than this is checked (`NOOP`) before reuse:
/// servers close idle connections after a while.
const CHECK_AFTER: Duration = Duration::from_secs(10);

impl Mailer {
    /// Prepares the client (connections are opened on first use).
    pub fn new(config: &MailConfig) -> Result<Self, MailConfigError> {
        let from: Address = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailConfigError::From(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                server: Server::from_url(&config.smtp_url)?,
                from,
                timeout: config.timeout,
                slots: Semaphore::new(config.connections.max(1) as usize),
                idle: Mutex::default(),
            }),
        })
    }

    /// The sender address.
    pub fn from(&self) -> &Address {
        &self.inner.from
    }

    /// Sends `message`. SMTP 5xx answers are permanent failures; 4xx
    /// answers, refused connections and timeouts are worth retrying.
    pub async fn send(&self, message: &Message) -> Result<(), JobError> {
        let Ok(_slot) = self.inner.slots.acquire().await else {
            return Err(JobError::Retry("the mailer is shutting down".into()));
        };
        let mut connection = match self.idle_connection().await {
            Some(connection) => connection,
            None => self.connect().await?,
        };
        let sent = tokio::time::timeout(
            self.inner.timeout * 2,
            connection.send(message.envelope(), &message.formatted()),
        )
        .await;
        match sent {
            Ok(Ok(_)) => {
                self.lock_idle().push((connection, Instant::now()));
                Ok(())
            }
            Ok(Err(error)) => {
                connection.abort().await;
                Err(classify(error))
            }
            Err(_) => Err(JobError::Retry("SMTP server timed out".into())),
        }
    }

    fn lock_idle(&self) -> std::sync::MutexGuard<'_, Vec<(AsyncSmtpConnection, Instant)>> {
        self.inner.idle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The most recently used idle connection that still works.
    async fn idle_connection(&self) -> Option<AsyncSmtpConnection> {
        loop {
            let (mut connection, since) = self.lock_idle().pop()?;
            if connection.has_broken() {
                continue;
            }
            if since.elapsed() < CHECK_AFTER || connection.test_connected().await {
                return Some(connection);
            }
            connection.abort().await;
        }
    }

    async fn connect(&self) -> Result<AsyncSmtpConnection, JobError> {
        let server = &self.inner.server;
        let connecting = async {
            let tcp = TcpStream::connect((server.host.as_str(), server.port))
                .await
                .map_err(network)?;
            tcp.set_nodelay(true).map_err(network)?;
            let peer = tcp.peer_addr().map_err(network)?;
            let stream: Box<dyn AsyncTokioStream> = match &server.security {
                Security::Implicit(config) => {
                    let name = rustls::pki_types::ServerName::try_from(server.host.clone())
                        .map_err(network)?;
                    let tls = tokio_rustls::TlsConnector::from(config.clone())
                        .connect(name, tcp)
                        .await
                        .map_err(network)?;
                    Box::new(Stream { inner: tls, peer })
                }
                _ => Box::new(Stream { inner: tcp, peer }),
            };
            let mut connection = AsyncSmtpConnection::connect_with_transport(stream, &server.hello)
                .await
                .map_err(classify)?;
            if let Security::StartTls(parameters) = &server.security {
                connection
                    .starttls(parameters.clone(), &server.hello)
                    .await
                    .map_err(classify)?;
            }
            if let Some(credentials) = &server.credentials {
                connection
                    .auth(&[Mechanism::Plain, Mechanism::Login], credentials)
                    .await
                    .map_err(classify)?;
            }
            Ok(connection)
        };
        match tokio::time::timeout(self.inner.timeout, connecting).await {
            Ok(result) => result,
            Err(_) => Err(JobError::Retry(
                "connecting to the SMTP server timed out".into(),
            )),
        }
    }
}

/// SMTP 5xx answers are permanent; anything else may pass.
fn classify(error: lettre::transport::smtp::Error) -> JobError {
    if error.is_permanent() {
        JobError::Permanent(format!("SMTP refused the message: {error}"))
    } else {
        JobError::Retry(format!("SMTP unavailable: {error}"))
    }
}

fn network(error: impl std::fmt::Display) -> JobError {
    JobError::Retry(format!("SMTP unavailable: {error}"))
}

/// A socket (plain or TLS) with its peer's address, as lettre wants it.
struct Stream<S> {
    inner: S,
    peer: SocketAddr,
}

impl<S> std::fmt::Debug for Stream<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SMTP stream to {}", self.peer)
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Stream<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Stream<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

impl<S: AsyncRead + AsyncWrite + Send + Sync + Unpin> AsyncTokioStream for Stream<S> {
    fn peer_addr(&self) -> std::io::Result<SocketAddr> {
        Ok(self.peer)
    }
}
