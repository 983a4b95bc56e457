//! A received mail read with mail-parser: who sent it, what it answers (`In-Reply-To`,
//! `References`), subject and plain text (the text part, or the text of an HTML-only mail:
//! tags dropped, entities decoded; it is shown escaped, never as HTML), and its attachments
//! listed by name, type and size. Bounded: text is cut at [`MAX_TEXT`].

use crate::model::Attachment;
use chrono::{DateTime, Utc};
use mail_parser::{MessageParser, MimeHeaders};

/// The longest text kept of one mail (the rest stays in the mailbox).
pub const MAX_TEXT: usize = 64 * 1024;
const MAX_ATTACHMENTS: usize = 50;
const MAX_HEADER: usize = 998;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncomingMail {
    /// `Message-ID` without brackets; empty when the mail has none.
    pub header_id: String,
    /// `In-Reply-To` first, then `References` (newest last), without brackets.
    pub refers_to: Vec<String>,
    /// The sender's address, lower case.
    pub from: String,
    pub from_name: String,
    pub subject: String,
    pub text: String,
    pub attachments: Vec<Attachment>,
    pub date: Option<DateTime<Utc>>,
    /// An automatic answer (out of office, delivery report): never treated as a confirmation.
    pub automatic: bool,
}

fn bounded(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} …", &s[..end])
}

fn ids(value: &mail_parser::HeaderValue) -> Vec<String> {
    value
        .as_text_list()
        .map(|list| {
            list.iter()
                .map(|id| id.trim().trim_matches(['<', '>']).to_string())
                .filter(|id| !id.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

/// Reads a raw mail; `None` when it is not a mail at all.
pub fn parse(raw: &[u8]) -> Option<IncomingMail> {
    let mail = MessageParser::default().parse(raw)?;
    let mut refers_to = ids(mail.in_reply_to());
    for r in ids(mail.references()).into_iter().rev() {
        if !refers_to.contains(&r) {
            refers_to.push(r);
        }
    }
    refers_to.truncate(50);
    let (from, from_name) = mail
        .from()
        .and_then(|a| a.first())
        .map(|a| {
            (
                a.address().unwrap_or_default().trim().to_lowercase(),
                a.name().unwrap_or_default().trim().to_string(),
            )
        })
        .unwrap_or_default();
    let text = mail
        .body_text(0)
        .map(|t| bounded(t.trim(), MAX_TEXT))
        .unwrap_or_default();
    let attachments = mail
        .attachments()
        .take(MAX_ATTACHMENTS)
        .map(|part| Attachment {
            name: bounded(part.attachment_name().unwrap_or("Anhang"), 200),
            mime: part
                .content_type()
                .map(|ct| match &ct.c_subtype {
                    Some(sub) => format!("{}/{}", ct.c_type, sub),
                    None => ct.c_type.to_string(),
                })
                .unwrap_or_else(|| "application/octet-stream".into()),
            size: part.len() as u64,
        })
        .collect();
    let automatic = mail
        .header("Auto-Submitted")
        .and_then(|v| v.as_text())
        .is_some_and(|v| !v.eq_ignore_ascii_case("no"))
        || mail.header("X-Autoreply").is_some()
        || mail
            .content_type()
            .is_some_and(|ct| ct.c_subtype.as_deref() == Some("report"));
    Some(IncomingMail {
        header_id: bounded(
            mail.message_id()
                .unwrap_or_default()
                .trim_matches(['<', '>']),
            MAX_HEADER,
        ),
        refers_to,
        from: bounded(&from, 320),
        from_name: bounded(&from_name, 200),
        subject: bounded(mail.subject().unwrap_or_default(), MAX_HEADER),
        text,
        attachments,
        date: mail
            .date()
            .and_then(|d| DateTime::from_timestamp(d.to_timestamp(), 0)),
        automatic,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn umlauts_html_only_and_threads_are_read() {
        let raw = "From: =?UTF-8?Q?J=C3=BCrgen_Gro=C3=9F?= <Juergen@Example.org>\r\n\
            To: salon@kartei.test\r\n\
            Subject: =?UTF-8?B?QW50d29ydDogVGVybWluIMOkbmRlcm4=?=\r\n\
            Message-ID: <reply-1@example.org>\r\n\
            In-Reply-To: <k-42@kartei.test>\r\n\
            References: <k-1@kartei.test> <k-42@kartei.test>\r\n\
            MIME-Version: 1.0\r\n\
            Content-Type: text/html; charset=utf-8\r\n\r\n\
            <html><body><p>Gr&uuml;&szlig;e <b>und</b> <script>alert(1)</script>danke</p></body></html>\r\n";
        let mail = parse(raw.as_bytes()).unwrap();
        assert_eq!(mail.from, "juergen@example.org");
        assert_eq!(mail.from_name, "Jürgen Groß");
        assert_eq!(mail.subject, "Antwort: Termin ändern");
        assert_eq!(mail.header_id, "reply-1@example.org");
        assert_eq!(mail.refers_to, vec!["k-42@kartei.test", "k-1@kartei.test"]);
        assert!(mail.text.contains("Grüße"), "{}", mail.text);
        assert!(!mail.text.contains("<b>"), "{}", mail.text);
        assert!(!mail.automatic);
    }
}
