//! A small SMTP server on loopback that keeps what it receives: the demo's
//! mail catcher and the tests' real SMTP peer. It speaks enough of RFC 5321
//! for lettre (EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP, QUIT) and can be
//! told to refuse mail temporarily (4xx), permanently (5xx) or to be slow.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How the server answers `MAIL FROM`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmtpMode {
    /// Accept every message.
    Accept,
    /// `451` (try again later).
    TemporaryFailure,
    /// `550` (will never work).
    PermanentFailure,
    /// Accept, after waiting this long before each reply to `DATA`.
    Slow(Duration),
}

/// One message received.
#[derive(Clone, Debug)]
pub struct CapturedMail {
    /// Envelope sender.
    pub from: String,
    /// Envelope recipients.
    pub to: Vec<String>,
    /// The message as sent (headers and body), dot-unstuffed.
    pub data: String,
    /// When it was received.
    pub received_at: SystemTime,
}

#[derive(Default)]
struct State {
    mode: Option<SmtpMode>,
    mails: Vec<CapturedMail>,
    refused: usize,
}

impl CapturedMail {
    /// Subject and text/HTML parts, decoded.
    pub fn parsed(&self) -> crate::mime::ParsedMail {
        crate::mime::parse(&self.data)
    }
}

/// A running catcher. Cheap to clone; it stops when the runtime does.
#[derive(Clone)]
pub struct SmtpCatcher {
    port: u16,
    state: Arc<Mutex<State>>,
}

impl SmtpCatcher {
    /// Listens on a free port of 127.0.0.1.
    pub async fn start() -> std::io::Result<Self> {
        Self::start_on("127.0.0.1:0").await
    }

    /// Listens on `address` (e.g. `127.0.0.1:2525`).
    pub async fn start_on(address: &str) -> std::io::Result<Self> {
        let listener = TcpListener::bind(address).await?;
        let port = listener.local_addr()?.port();
        let catcher = Self {
            port,
            state: Arc::default(),
        };
        let served = catcher.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let session = served.clone();
                tokio::spawn(async move {
                    let _ = session.serve(stream).await;
                });
            }
        });
        Ok(catcher)
    }

    /// The port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `smtp://127.0.0.1:<port>` for `SMTP_URL`.
    pub fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    /// Changes how the server answers from now on.
    pub fn set_mode(&self, mode: SmtpMode) {
        self.lock().mode = Some(mode);
    }

    /// Messages received so far, oldest first.
    pub fn mails(&self) -> Vec<CapturedMail> {
        self.lock().mails.clone()
    }

    /// How many `MAIL FROM` were refused.
    pub fn refused(&self) -> usize {
        self.lock().refused
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn mode(&self) -> SmtpMode {
        self.lock().mode.unwrap_or(SmtpMode::Accept)
    }

    async fn serve(&self, stream: TcpStream) -> std::io::Result<()> {
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 cabildo-devkit ESMTP\r\n").await?;
        let (mut from, mut to) = (String::new(), Vec::new());
        while let Some(line) = lines.next_line().await? {
            let upper = line.to_ascii_uppercase();
            let reply: &[u8] = if upper.starts_with("EHLO") {
                b"250-cabildo-devkit\r\n250-8BITMIME\r\n250 SIZE 26214400\r\n"
            } else if upper.starts_with("HELO") || upper.starts_with("NOOP") {
                b"250 OK\r\n"
            } else if upper.starts_with("MAIL FROM:") {
                match self.mode() {
                    SmtpMode::TemporaryFailure => {
                        self.lock().refused += 1;
                        b"451 4.3.0 Try again later\r\n"
                    }
                    SmtpMode::PermanentFailure => {
                        self.lock().refused += 1;
                        b"550 5.7.1 Delivery not authorised\r\n"
                    }
                    SmtpMode::Accept | SmtpMode::Slow(_) => {
                        from = address(&line[10..]);
                        to.clear();
                        b"250 OK\r\n"
                    }
                }
            } else if upper.starts_with("RCPT TO:") {
                to.push(address(&line[8..]));
                b"250 OK\r\n"
            } else if upper == "DATA" {
                write
                    .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                    .await?;
                let mut data = String::new();
                let mut ended = false;
                while let Some(line) = lines.next_line().await? {
                    if line == "." {
                        ended = true;
                        break;
                    }
                    data.push_str(
                        line.strip_prefix('.')
                            .filter(|_| line.starts_with(".."))
                            .unwrap_or(&line),
                    );
                    data.push_str("\r\n");
                }
                // A client gone before the final dot (killed mid-message)
                // sent no mail: a real server discards the part it got.
                if !ended {
                    return Ok(());
                }
                if let SmtpMode::Slow(delay) = self.mode() {
                    tokio::time::sleep(delay).await;
                }
                self.lock().mails.push(CapturedMail {
                    from: std::mem::take(&mut from),
                    to: std::mem::take(&mut to),
                    data,
                    received_at: SystemTime::now(),
                });
                b"250 OK queued\r\n"
            } else if upper.starts_with("RSET") {
                from.clear();
                to.clear();
                b"250 OK\r\n"
            } else if upper.starts_with("QUIT") {
                write.write_all(b"221 Bye\r\n").await?;
                return Ok(());
            } else {
                b"502 Command not implemented\r\n"
            };
            write.write_all(reply).await?;
        }
        Ok(())
    }
}

fn address(argument: &str) -> String {
    let argument = argument.trim();
    argument
        .strip_prefix('<')
        .and_then(|a| a.split_once('>'))
        .map_or(argument, |(inside, _)| inside)
        .to_owned()
}
