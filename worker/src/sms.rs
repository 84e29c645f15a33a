//! Sending one SMS. `Notifier` is the seam: `HttpSmsNotifier` posts to an SMS gateway (URL,
//! auth header and body template configurable; timeouts), `LogNotifier` writes to the log for
//! development. The `notify` job (in `jobs/notify.rs`) decides what to send and when.

use async_trait::async_trait;
use sahulat_domain::messages::sms_segments;
use std::time::Duration as StdDuration;

/// Why a message was not delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NotifyError {
    /// Worth retrying (timeout, 5xx, 429).
    Transient(String),
    /// Retrying will not help (4xx: bad number, bad credentials).
    Permanent(String),
}

impl std::fmt::Display for NotifyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NotifyError::Transient(e) => write!(f, "transient: {e}"),
            NotifyError::Permanent(e) => write!(f, "permanent: {e}"),
        }
    }
}

/// Sends one SMS.
#[async_trait]
pub trait Notifier: Send + Sync + std::fmt::Debug {
    /// Sends `text` to the E.164 number `to`; `id` is unique per message (gateways that
    /// support it can drop a repeat).
    async fn send(&self, to: &str, text: &str, id: &str) -> Result<(), NotifyError>;
}

/// Writes messages to the log instead of sending them (development, tests).
#[derive(Debug, Default)]
pub struct LogNotifier;

#[async_trait]
impl Notifier for LogNotifier {
    async fn send(&self, to: &str, text: &str, id: &str) -> Result<(), NotifyError> {
        let seg = sms_segments(text);
        let masked = format!(
            "{}…{}",
            &to[..to.len().min(4)],
            &to[to.len().saturating_sub(2)..]
        );
        tracing::info!(to = %masked, id, segments = seg.count, gsm7 = seg.gsm7, "SMS (log only): {text}");
        Ok(())
    }
}

/// An HTTP SMS gateway: `POST url` with `Authorization: auth` and a body made from `template`,
/// where `{to}`, `{text}` and `{id}` are replaced by JSON-escaped values (or form-encoded ones
/// when the content type is a form).
#[derive(Debug)]
pub struct HttpSmsNotifier {
    url: String,
    auth: Option<String>,
    template: String,
    content_type: String,
    client: reqwest::Client,
}

/// The default body: JSON with the number, the text and our message id.
pub const DEFAULT_SMS_TEMPLATE: &str = r#"{"to":{to},"message":{text},"id":{id}}"#;

impl HttpSmsNotifier {
    /// Builds the adapter; `timeout` bounds each call.
    pub fn new(
        url: String,
        auth: Option<String>,
        template: Option<String>,
        content_type: Option<String>,
        timeout: StdDuration,
    ) -> anyhow::Result<Self> {
        anyhow::ensure!(
            url.starts_with("http://") || url.starts_with("https://"),
            "SAHULAT_SMS_URL must be an http(s) URL"
        );
        Ok(HttpSmsNotifier {
            url,
            auth,
            template: template.unwrap_or_else(|| DEFAULT_SMS_TEMPLATE.to_string()),
            content_type: content_type.unwrap_or_else(|| "application/json".into()),
            client: reqwest::Client::builder().timeout(timeout).build()?,
        })
    }

    /// From `SAHULAT_SMS_URL`, `SAHULAT_SMS_AUTH`, `SAHULAT_SMS_TEMPLATE`,
    /// `SAHULAT_SMS_CONTENT_TYPE`, `SAHULAT_SMS_TIMEOUT_SECS` (None when no URL is set).
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let Some(url) = var("SAHULAT_SMS_URL") else {
            return Ok(None);
        };
        let timeout = var("SAHULAT_SMS_TIMEOUT_SECS")
            .map(|s| s.parse::<u64>())
            .transpose()?
            .unwrap_or(10);
        Ok(Some(Self::new(
            url,
            var("SAHULAT_SMS_AUTH"),
            var("SAHULAT_SMS_TEMPLATE"),
            var("SAHULAT_SMS_CONTENT_TYPE"),
            StdDuration::from_secs(timeout),
        )?))
    }

    fn body(&self, to: &str, text: &str, id: &str) -> String {
        let form = self.content_type.contains("x-www-form-urlencoded");
        let enc = |s: &str| {
            if form {
                form_encode(s)
            } else {
                serde_json::Value::String(s.to_string()).to_string()
            }
        };
        self.template
            .replace("{to}", &enc(to))
            .replace("{text}", &enc(text))
            .replace("{id}", &enc(id))
    }
}

fn form_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            b' ' => "+".into(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[async_trait]
impl Notifier for HttpSmsNotifier {
    async fn send(&self, to: &str, text: &str, id: &str) -> Result<(), NotifyError> {
        let mut req = self
            .client
            .post(&self.url)
            .header("content-type", &self.content_type)
            .body(self.body(to, text, id));
        if let Some(a) = &self.auth {
            req = req.header("authorization", a);
        }
        match req.send().await {
            Ok(res) if res.status().is_success() => Ok(()),
            Ok(res) if res.status().as_u16() == 429 || res.status().is_server_error() => Err(
                NotifyError::Transient(format!("gateway answered {}", res.status())),
            ),
            Ok(res) => Err(NotifyError::Permanent(format!(
                "gateway refused the message: {}",
                res.status()
            ))),
            Err(e) if e.is_timeout() => Err(NotifyError::Transient("gateway timed out".into())),
            Err(e) => Err(NotifyError::Transient(format!("gateway unreachable: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_gets_json_escaped_values() {
        let n = HttpSmsNotifier::new(
            "http://127.0.0.1:9/sms".into(),
            None,
            None,
            None,
            StdDuration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            n.body("+923001234567", "say \"hi\"", "received:1"),
            r#"{"to":"+923001234567","message":"say \"hi\"","id":"received:1"}"#
        );
    }

    #[test]
    fn a_form_template_gets_form_encoded_values() {
        let n = HttpSmsNotifier::new(
            "http://127.0.0.1:9/sms".into(),
            None,
            Some("to={to}&message={text}".into()),
            Some("application/x-www-form-urlencoded".into()),
            StdDuration::from_secs(1),
        )
        .unwrap();
        assert_eq!(
            n.body("+923001234567", "a b&c", "x"),
            "to=%2B923001234567&message=a+b%26c"
        );
    }
}
