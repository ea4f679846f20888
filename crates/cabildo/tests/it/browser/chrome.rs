//! Headless Chromium driven through ChromeDriver (WebDriver), with axe-core
//! injected into each page audited. `scripts/test` installs Debian's
//! `chromium` and `chromium-driver` and fetches axe-core from the npm
//! registry; it passes the script's path in `CABILDO_AXE_JS`.

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Widths every audited page is seen at: a laptop and a small phone.
pub const WIDTHS: [u32; 2] = [1280, 360];

/// Longest a browser session may last: past it the watchdog kills
/// ChromeDriver, so a session stuck on a hung browser fails its test
/// (every WebDriver call then errors) instead of hanging the suite.
const SESSION_LIMIT: Duration = Duration::from_secs(15 * 60);

/// Kills ChromeDriver (and the browser it started) if the session is not
/// closed by the [`SESSION_LIMIT`]; dropped, it stands down.
struct Watchdog {
    /// Dropped with the session: the watchdog's wait ends early.
    _closed: std::sync::mpsc::Sender<()>,
}

impl Watchdog {
    fn new(driver: u32) -> Self {
        let (closed, wait) = std::sync::mpsc::channel::<()>();
        std::thread::spawn(move || {
            if let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                wait.recv_timeout(SESSION_LIMIT)
            {
                eprintln!(
                    "the browser session passed {} minutes: ChromeDriver is killed",
                    SESSION_LIMIT.as_secs() / 60
                );
                let _ = Command::new("pkill")
                    .args(["-KILL", "-P", &driver.to_string()])
                    .status();
                let _ = Command::new("kill")
                    .args(["-KILL", &driver.to_string()])
                    .status();
            }
        });
        Self { _closed: closed }
    }
}

/// A ChromeDriver process and one browser session through it.
pub struct Chrome {
    _watchdog: Watchdog,
    driver: Child,
    pub client: Client,
    axe: String,
    profile: PathBuf,
    /// Where screenshots go.
    pub shots: PathBuf,
    width: u32,
}

/// One serious or critical axe finding, or a page wider than the screen.
#[derive(Debug)]
pub struct Finding {
    pub page: String,
    pub problem: String,
}

fn missing(what: &str) -> ! {
    panic!(
        "{what} is missing: run the suite through scripts/test, which installs \
         Debian's chromium and chromium-driver and fetches axe-core"
    )
}

impl Chrome {
    /// Starts ChromeDriver on a free port and opens a headless session.
    pub async fn start(shots: PathBuf) -> Self {
        let axe_path =
            std::env::var_os("CABILDO_AXE_JS").unwrap_or_else(|| missing("CABILDO_AXE_JS"));
        let axe = std::fs::read_to_string(&axe_path).unwrap_or_else(|_| missing("axe-core"));
        let port = cabildo_devkit::free_port().expect("port");
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|_| missing("chromedriver"));
        let profile = std::env::temp_dir().join(format!("cabildo-chrome-{}", uuid::Uuid::new_v4()));
        // Without the background-networking flags Chromium keeps dialling
        // Google's hosts, which this closed network refuses.
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--lang=es-ES",
            "--host-resolver-rules=MAP *.localhost 127.0.0.1, MAP localhost 127.0.0.1",
        ]
        .iter()
        .map(|a| (*a).to_owned())
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let mut capabilities = serde_json::Map::new();
        capabilities.insert(
            "goog:chromeOptions".into(),
            json!({"binary": chromium(), "args": args}),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) => {
                    assert!(Instant::now() < deadline, "ChromeDriver did not start: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        std::fs::create_dir_all(&shots).expect("screenshot folder");
        let mut chrome = Self {
            _watchdog: Watchdog::new(driver.id()),
            driver,
            client,
            axe,
            profile,
            shots,
            width: 0,
        };
        chrome.width(1280).await;
        chrome
    }

    /// Makes the viewport `width` CSS pixels wide.
    pub async fn width(&mut self, width: u32) {
        if self.width == width {
            return;
        }
        // The window's outer size; in headless mode it equals the viewport.
        self.client
            .set_window_size(width, 900)
            .await
            .expect("window size");
        let inner = self
            .client
            .execute("return window.innerWidth", vec![])
            .await
            .expect("innerWidth");
        assert_eq!(inner, json!(width), "the viewport follows the window");
        self.width = width;
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The page's visible text.
    pub async fn text(&self) -> String {
        self.client
            .find(Locator::Css("body"))
            .await
            .expect("body")
            .text()
            .await
            .expect("text")
    }

    /// Types `value` into the field matching `css` (for a file field,
    /// the path of the file to send).
    pub async fn fill(&self, css: &str, value: &str) {
        let field = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("field {css}: {e}"));
        if field.attr("type").await.ok().flatten().as_deref() != Some("file") {
            field.clear().await.expect("clear");
        }
        field.send_keys(value).await.expect("type");
    }

    /// Sets a field the way a date picker would (typing into a date input
    /// depends on the browser's locale).
    pub async fn set(&self, css: &str, value: &str) {
        self.client
            .execute(
                "document.querySelector(arguments[0]).value = arguments[1]",
                vec![json!(css), json!(value)],
            )
            .await
            .expect("set");
    }

    /// Ticks the checkbox `css` (a click that stays on the page).
    pub async fn tick(&self, css: &str) {
        self.client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"))
            .click()
            .await
            .unwrap_or_else(|e| panic!("tick {css}: {e}"));
    }

    /// Clicks the element matching `css` and waits until the page it
    /// leads to has loaded.
    pub async fn click(&self, css: &str) {
        self.client
            .execute("window.cabildoLeaving = true", vec![])
            .await
            .expect("mark the page");
        let element = self
            .client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        element
            .click()
            .await
            .unwrap_or_else(|e| panic!("click {css}: {e}"));
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let arrived = self
                .client
                .execute(
                    "return window.cabildoLeaving === undefined && document.readyState === 'complete'",
                    vec![],
                )
                .await
                .unwrap_or(Value::Bool(false));
            if arrived == Value::Bool(true) {
                return;
            }
            assert!(Instant::now() < deadline, "{css} led nowhere within 30 s");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    pub async fn url(&self) -> String {
        self.client.current_url().await.expect("url").to_string()
    }

    /// Every `href` on the page.
    pub async fn links(&self) -> Vec<String> {
        let found = self
            .client
            .execute(
                "return [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href'))",
                vec![],
            )
            .await
            .expect("links");
        serde_json::from_value(found).expect("hrefs")
    }

    /// Runs axe-core (WCAG 2.1 A and AA) and the horizontal-overflow check
    /// on the page shown; returns the serious and critical findings.
    pub async fn audit(&self, page: &str) -> Vec<Finding> {
        self.client
            .execute(&self.axe, vec![])
            .await
            .expect("inject axe");
        let result = self
            .client
            .execute_async(
                "const done = arguments[arguments.length - 1];
                 axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
                    .then(r => done(r.violations.map(v => ({id: v.id, impact: v.impact,
                        nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ' ' + n.failureSummary)}))))
                    .catch(e => done([{id: 'axe-error', impact: 'critical', nodes: [String(e)]}]));",
                vec![],
            )
            .await
            .expect("axe");
        let mut findings: Vec<Finding> = result
            .as_array()
            .into_iter()
            .flatten()
            .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
            .map(|v| Finding {
                page: format!("{page} at {} px", self.width),
                problem: format!("{} ({}): {}", v["id"], v["impact"], v["nodes"]),
            })
            .collect();
        let overflow = self
            .client
            .execute(
                "const w = document.documentElement.scrollWidth;
                 if (w <= window.innerWidth) return null;
                 const wide = [...document.querySelectorAll('body *')]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
                    .slice(0, 3).map(e => e.tagName + '.' + e.className);
                 return w + ' px wide: ' + wide.join(', ');",
                vec![],
            )
            .await
            .expect("overflow");
        if let Value::String(overflow) = overflow {
            findings.push(Finding {
                page: format!("{page} at {} px", self.width),
                problem: format!("scrolls sideways, {overflow}"),
            });
        }
        findings
    }

    /// Saves a PNG of the viewport as `name.png` in the screenshot folder.
    pub async fn screenshot(&self, name: &str) {
        let png = self.client.screenshot().await.expect("screenshot");
        std::fs::write(self.shots.join(format!("{name}.png")), png).expect("write screenshot");
        // The whole page too (`-full`) with CABILDO_FULL_SCREENSHOTS=1, for
        // reviewing what lies below the fold; the window is given the
        // page's height, then put back.
        if std::env::var_os("CABILDO_FULL_SCREENSHOTS").is_none() {
            return;
        }
        let height = self
            .client
            .execute("return document.documentElement.scrollHeight", vec![])
            .await
            .ok()
            .and_then(|h| h.as_u64())
            .and_then(|h| u32::try_from(h).ok());
        if let Some(height) = height.filter(|h| *h > 900) {
            let _ = self
                .client
                .set_window_size(self.width, height.min(8000))
                .await;
            if let Ok(png) = self.client.screenshot().await {
                let _ = std::fs::write(self.shots.join(format!("{name}-full.png")), png);
            }
            let _ = self.client.set_window_size(self.width, 900).await;
        }
    }

    pub async fn close(mut self) {
        let _ = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

/// Debian's Chromium.
fn chromium() -> String {
    ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())
        .unwrap_or("/usr/bin/chromium")
        .to_owned()
}
