//! Sending through the salon's SMTP submission server with lettre: a stored [`Message`] becomes a
//! plain-text mail (UTF-8, RFC 2047 headers for umlauts, our own `Message-ID` so replies find
//! their way back, `List-Unsubscribe` on newsletters), and lettre's errors become sentences that
//! say what to change.

use super::settings::{MailSettings, Security};
use super::MailError;
use crate::i18n::MailMsg;
use crate::model::Message;
use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use std::time::Duration;

/// How long one SMTP conversation may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// What goes into the mail besides the stored message.
pub struct Envelope<'a> {
    pub settings: &'a MailSettings,
    /// The sender's display name (the salon's).
    pub sender_name: &'a str,
    /// `Message-ID`s this mail answers (the customer's mail it replies to).
    pub in_reply_to: Option<&'a str>,
    /// A `mailto:` unsubscribe address for newsletters.
    pub unsubscribe: Option<String>,
}

/// The mail for `message` as lettre builds it.
pub fn build(message: &Message, env: &Envelope) -> Result<lettre::Message, MailError> {
    let from_addr = env
        .settings
        .address
        .parse()
        .map_err(|_| MailError::permanent(MailMsg::NotConfigured))?;
    let to_addr = message
        .address
        .parse()
        .map_err(|_| MailError::permanent(MailMsg::NoEmail))?;
    let from = Mailbox::new(Some(env.sender_name.to_string()), from_addr);
    let to_name = (!message.display_name.is_empty()).then(|| message.display_name.clone());
    let to = Mailbox::new(to_name, to_addr);
    let mut builder = lettre::Message::builder()
        .from(from)
        .to(to)
        .subject(message.subject.clone())
        .message_id(Some(format!("<{}>", message.header_id)))
        .date(std::time::SystemTime::from(message.at))
        .header(ContentType::TEXT_PLAIN);
    if let Some(parent) = env.in_reply_to {
        builder = builder
            .in_reply_to(format!("<{parent}>"))
            .references(format!("<{parent}>"));
    }
    if let Some(mailto) = &env.unsubscribe {
        builder = builder.raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str("List-Unsubscribe"),
            format!("<{mailto}>"),
        ));
    }
    builder.body(message.text.clone()).map_err(|e| {
        MailError::permanent(MailMsg::Rejected {
            reply: e.to_string(),
        })
    })
}

fn transport(settings: &MailSettings) -> Result<AsyncSmtpTransport<Tokio1Executor>, MailError> {
    let server = server_name(settings);
    let mut tls = TlsParameters::builder(settings.smtp_host.clone());
    if !settings.extra_ca_pem.trim().is_empty() {
        let cert = Certificate::from_pem(settings.extra_ca_pem.as_bytes()).map_err(|e| {
            MailError::permanent(MailMsg::TlsFailed {
                server: server.clone(),
                reason: e.to_string(),
            })
        })?;
        tls = tls.add_root_certificate(cert);
    }
    let tls = tls.build_rustls().map_err(|e| {
        MailError::permanent(MailMsg::TlsFailed {
            server: server.clone(),
            reason: e.to_string(),
        })
    })?;
    let tls = match settings.smtp_security {
        Security::Tls => Tls::Wrapper(tls),
        Security::StartTls => Tls::Required(tls),
    };
    Ok(
        AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(settings.smtp_host.clone())
            .port(settings.smtp_port)
            .tls(tls)
            .timeout(Some(SMTP_TIMEOUT))
            .credentials(Credentials::new(
                settings.user.clone(),
                settings.password.clone(),
            ))
            .build(),
    )
}

fn server_name(settings: &MailSettings) -> String {
    format!("SMTP {}:{}", settings.smtp_host, settings.smtp_port)
}

/// Hands the mail to the salon's server. `Ok` means the server accepted it.
pub async fn send(settings: &MailSettings, mail: &lettre::Message) -> Result<(), MailError> {
    let transport = transport(settings)?;
    match tokio::time::timeout(SMTP_TIMEOUT * 2, transport.send(mail.clone())).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(explain(settings, &e)),
        Err(_) => Err(MailError::transient(MailMsg::Timeout {
            server: server_name(settings),
        })),
    }
}

/// Logs in without sending: the settings' test.
pub async fn check_login(settings: &MailSettings) -> Result<(), MailError> {
    let transport = transport(settings)?;
    match tokio::time::timeout(SMTP_TIMEOUT, transport.test_connection()).await {
        Ok(Ok(true)) => Ok(()),
        Ok(Ok(false)) => Err(MailError::transient(MailMsg::Unreachable {
            server: server_name(settings),
            reason: "no answer".into(),
        })),
        Ok(Err(e)) => Err(explain(settings, &e)),
        Err(_) => Err(MailError::transient(MailMsg::Timeout {
            server: server_name(settings),
        })),
    }
}

/// lettre's error as a sentence, and whether trying again later can help.
fn explain(settings: &MailSettings, e: &lettre::transport::smtp::Error) -> MailError {
    let server = server_name(settings);
    let text = e.to_string();
    let code = e.status().map(|c| c.to_string()).unwrap_or_default();
    if matches!(code.as_str(), "535" | "534" | "530" | "454")
        && text.to_lowercase().contains("auth")
        || code == "535"
    {
        return MailError::permanent(MailMsg::WrongPassword { server });
    }
    if e.is_tls() {
        return MailError::transient(MailMsg::TlsFailed {
            server,
            reason: tls_reason(e),
        });
    }
    if e.is_timeout() {
        return MailError::transient(MailMsg::Timeout { server });
    }
    if matches!(code.as_str(), "552" | "452") {
        return MailError::transient(MailMsg::MailboxFull { server });
    }
    if e.is_permanent() {
        return MailError::permanent(MailMsg::Rejected { reply: text });
    }
    if e.is_transient() {
        return MailError::transient(MailMsg::ServerSaid {
            server,
            reply: text,
        });
    }
    // Connection refused, name not found, reset: the server is down or the address is wrong.
    MailError::transient(MailMsg::Unreachable {
        server,
        reason: source_chain(e),
    })
}

fn tls_reason(e: &lettre::transport::smtp::Error) -> String {
    let chain = source_chain(e);
    if chain.contains("UnknownIssuer") || chain.contains("invalid peer certificate") {
        "Zertifikat nicht vertrauenswürdig / certificate not trusted".into()
    } else {
        chain
    }
}

/// The error and its causes in one line.
fn source_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}
