//! Which customer a received mail belongs to, and what it does: first by our own `Message-ID`
//! in `In-Reply-To`/`References` (the mail answers one of ours), then by the unsubscribe token
//! of a newsletter's `mailto:` link in the subject, then by the sender's address (when exactly
//! one active card has it). A reply to a consent request confirms newsletter consent (double
//! opt-in); "abmelden" / "unsubscribe" in answer to a newsletter withdraws it.

use super::parse::IncomingMail;
use crate::model::{CustomerId, MessageEffect, MessageId, MessageKind};

/// One of our messages a received mail refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Known {
    pub message: MessageId,
    pub customer: Option<CustomerId>,
    pub kind: MessageKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matched {
    /// `None`: nobody; the mail goes to "Nicht zugeordnet".
    pub customer: Option<CustomerId>,
    pub effect: Option<MessageEffect>,
}

/// Words that ask for no more newsletters, at the start of the subject or the first line.
const UNSUBSCRIBE_WORDS: &[&str] = &[
    "abmelden",
    "abbestellen",
    "austragen",
    "unsubscribe",
    "stop",
    "keine werbung",
    "kein newsletter",
];

/// The subject without `Re:`/`AW:`/`WG:`/`Fwd:` prefixes, lower case.
fn bare_subject(subject: &str) -> String {
    let mut s = subject.trim().to_lowercase();
    loop {
        let before = s.len();
        for prefix in ["re:", "aw:", "wg:", "fw:", "fwd:", "antw:"] {
            if let Some(rest) = s.strip_prefix(prefix) {
                s = rest.trim_start().to_string();
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

/// The mail asks to be taken off the newsletter.
pub fn asks_to_unsubscribe(mail: &IncomingMail) -> bool {
    let subject = bare_subject(&mail.subject);
    let first_line = mail
        .text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or_default()
        .to_lowercase();
    UNSUBSCRIBE_WORDS
        .iter()
        .any(|w| subject.starts_with(w) || first_line.starts_with(w))
}

/// The `Message-ID`s a mail names: its references, then words of its subject that look like
/// one of ours (the token of the unsubscribe link).
pub fn named_ids(mail: &IncomingMail) -> Vec<&str> {
    let mut ids: Vec<&str> = mail.refers_to.iter().map(String::as_str).collect();
    ids.extend(
        mail.subject
            .split(|c: char| c.is_whitespace() || c == '<' || c == '>')
            .filter(|w| w.starts_with("kartei-") && w.contains('@')),
    );
    ids
}

/// Decides for one mail. `known` has one entry per id of [`named_ids`] (in that order);
/// `by_address` finds the one active customer with the sender's address.
pub fn decide(
    mail: &IncomingMail,
    known: &[Option<Known>],
    mut by_address: impl FnMut(&str) -> Option<CustomerId>,
) -> Matched {
    let answered = known.iter().flatten().find(|k| k.customer.is_some());
    let Some(answered) = answered else {
        return Matched {
            customer: by_address(&mail.from),
            effect: None,
        };
    };
    let unsubscribe = asks_to_unsubscribe(mail);
    let effect = match answered.kind {
        MessageKind::Newsletter | MessageKind::Birthday if unsubscribe => {
            Some(MessageEffect::Unsubscribed)
        }
        MessageKind::ConsentRequest if unsubscribe => Some(MessageEffect::Unsubscribed),
        MessageKind::ConsentRequest if !mail.automatic => Some(MessageEffect::ConsentConfirmed),
        _ => None,
    };
    Matched {
        customer: answered.customer,
        effect,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mail(subject: &str, text: &str, refs: &[&str]) -> IncomingMail {
        IncomingMail {
            header_id: "x@y".into(),
            refers_to: refs.iter().map(|s| s.to_string()).collect(),
            from: "anna@example.org".into(),
            from_name: String::new(),
            subject: subject.into(),
            text: text.into(),
            attachments: vec![],
            date: None,
            automatic: false,
        }
    }

    fn known(kind: MessageKind) -> Option<Known> {
        Some(Known {
            message: MessageId(1),
            customer: Some(CustomerId(7)),
            kind,
        })
    }

    #[test]
    fn replies_unsubscribes_and_confirmations() {
        let nobody = |_: &str| None;
        let anna = |_: &str| Some(CustomerId(9));
        // A reply to our message: that message's customer, not the sender's card.
        let m = mail("AW: Termin", "Gerne!", &["k@salon"]);
        let r = decide(&m, &[known(MessageKind::Personal)], anna);
        assert_eq!(r.customer, Some(CustomerId(7)));
        assert_eq!(r.effect, None);
        // Unknown thread: by address, or nobody.
        assert_eq!(decide(&m, &[None], anna).customer, Some(CustomerId(9)));
        assert_eq!(decide(&m, &[None], nobody).customer, None);
        // Unsubscribing from a newsletter, in the subject or the first line.
        for (subject, text) in [
            ("Abmelden kartei-1@salon", ""),
            ("Re: Neuigkeiten", "\n  Abbestellen bitte"),
            ("AW: AW: unsubscribe", ""),
        ] {
            let m = mail(subject, text, &["k@salon"]);
            let r = decide(&m, &[known(MessageKind::Newsletter)], nobody);
            assert_eq!(r.effect, Some(MessageEffect::Unsubscribed), "{subject}");
        }
        // "stop" inside a sentence of a personal reply changes nothing.
        let m = mail("Re: Termin", "Ich kann nicht, stop.", &["k@salon"]);
        assert_eq!(
            decide(&m, &[known(MessageKind::Newsletter)], nobody).effect,
            None
        );
        // Answering the consent request confirms it; an out-of-office does not.
        let m = mail("Re: Bitte bestätigen", "Ja", &["k@salon"]);
        let r = decide(&m, &[known(MessageKind::ConsentRequest)], nobody);
        assert_eq!(r.effect, Some(MessageEffect::ConsentConfirmed));
        let mut auto = m.clone();
        auto.automatic = true;
        assert_eq!(
            decide(&auto, &[known(MessageKind::ConsentRequest)], nobody).effect,
            None
        );
        // The unsubscribe link's token is found in the subject.
        let m = mail("Abmelden kartei-00ff@salon.de", "", &[]);
        assert_eq!(named_ids(&m), vec!["kartei-00ff@salon.de"]);
    }
}
