//! Sending email over SMTP with lettre: pooled, TLS as the URL says
//! (`smtp://` plain, `smtp://…?tls=required` STARTTLS, `smtps://` TLS).

use crate::worker::JobError;
use lettre::address::Address;
use lettre::transport::smtp::PoolConfig;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Mail settings, from the binary's configuration.
#[derive(Clone, Debug)]
pub struct MailConfig {
    /// `smtp://host:port`, `smtps://user:pass@host`, …
    pub smtp_url: String,
    /// Sender address; the council's name is the display name.
    pub from: String,
    /// Longest wait for the SMTP server at each step.
    pub timeout: Duration,
    /// SMTP connections kept open; give it the worker's concurrency. Each
    /// connection carries one message at a time, and lettre writes the end
    /// of a message in a second small packet that Nagle's algorithm holds
    /// until the server's (delayed) acknowledgement, so one connection
    /// manages about 20 messages per second: throughput comes from
    /// connections in parallel.
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

/// A pooled SMTP client. Cheap to clone.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Address,
}

impl Mailer {
    /// Prepares the transport (connections are opened on first use).
    pub fn new(config: &MailConfig) -> Result<Self, MailConfigError> {
        let from: Address = config
            .from
            .parse()
            .map_err(|e: lettre::address::AddressError| MailConfigError::From(e.to_string()))?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&config.smtp_url)
            .map_err(|e| MailConfigError::Url(e.to_string()))?
            .timeout(Some(config.timeout))
            .pool_config(PoolConfig::new().max_size(config.connections.max(1)))
            .build();
        Ok(Self { transport, from })
    }

    /// The sender address.
    pub fn from(&self) -> &Address {
        &self.from
    }

    /// Sends `message`. SMTP 5xx answers are permanent failures; 4xx
    /// answers, refused connections and timeouts are worth retrying.
    pub async fn send(&self, message: &Message) -> Result<(), JobError> {
        match self.transport.send(message.clone()).await {
            Ok(_) => Ok(()),
            Err(error) if error.is_permanent() => Err(JobError::Permanent(format!(
                "SMTP refused the message: {error}"
            ))),
            Err(error) => Err(JobError::Retry(format!("SMTP unavailable: {error}"))),
        }
    }
}
