//! Bytes of a text file → text, for files written by phones, Excel and other salon systems:
//! UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), and Windows-1252 (Excel's
//! "CSV" on a German Windows, also what ISO-8859-1 files decode as) when it is not UTF-8.

use encoding_rs::{Encoding, UTF_8, WINDOWS_1252};

/// Decodes a whole file. Never fails: bytes that fit no encoding become U+FFFD.
pub fn decode(bytes: &[u8]) -> String {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom_len..]);
        return text.into_owned();
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        return encoding.decode_without_bom_handling(bytes).0.into_owned();
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        // A UTF-8 file cut in the middle of a character is still UTF-8.
        Err(e) if e.error_len().is_none() && e.valid_up_to() + 4 > bytes.len() => {
            UTF_8.decode_without_bom_handling(bytes).0.into_owned()
        }
        Err(_) => WINDOWS_1252
            .decode_without_bom_handling(bytes)
            .0
            .into_owned(),
    }
}

/// UTF-16 written without a byte order mark (Roundcube's sample, some Windows tools): most
/// ASCII text then has every other byte zero.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(1024) & !1];
    let pairs = head.len() / 2;
    if pairs < 4 {
        return None;
    }
    let zero_at = |parity: usize| {
        head.iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let (even, odd) = (zero_at(0), zero_at(1));
    if even * 10 >= pairs * 6 && odd == 0 {
        Some(encoding_rs::UTF_16BE)
    } else if odd * 10 >= pairs * 6 && even == 0 {
        Some(encoding_rs::UTF_16LE)
    } else {
        None
    }
}

/// Decodes a vCard file card by card: a file that is UTF-8 throughout is taken as it is;
/// otherwise each line is unfolded first (a fold that split a UTF-8 character joins it again)
/// and decoded on its own — UTF-8 where it is, the charset the card declares (`CHARSET=…`),
/// else Windows-1252. A broken byte sequence damages at most its own value, never the file.
pub fn decode_vcard(bytes: &[u8]) -> String {
    if Encoding::for_bom(bytes).is_some() || utf16_without_bom(bytes).is_some() {
        return decode(bytes);
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return s.to_string();
    }
    let mut out = String::with_capacity(bytes.len() + bytes.len() / 8);
    let mut card: Vec<Vec<u8>> = Vec::new();
    for line in unfold(bytes) {
        let begins = trimmed_eq(&line, b"BEGIN:VCARD");
        if begins && !card.is_empty() {
            decode_card(&card, &mut out);
            card.clear();
        }
        let ends = trimmed_eq(&line, b"END:VCARD");
        card.push(line);
        if ends {
            decode_card(&card, &mut out);
            card.clear();
        }
    }
    decode_card(&card, &mut out);
    out
}

fn trimmed_eq(line: &[u8], want: &[u8]) -> bool {
    let line = line.trim_ascii();
    line.len() == want.len() && line.eq_ignore_ascii_case(want)
}

/// The logical lines of a vCard file: a line break followed by a space or tab continues the
/// line (RFC 6350 §3.2), except after a quoted-printable soft break (`=` at the end), where
/// the next line's first character belongs to the value.
fn unfold(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut lines: Vec<Vec<u8>> = Vec::new();
    for raw in bytes.split(|b| *b == b'\n') {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let continues = matches!(raw.first(), Some(b' ' | b'\t'));
        match lines.last_mut() {
            Some(last) if continues && !quoted_printable_soft_break(last) => {
                last.extend_from_slice(&raw[1..]);
            }
            _ => lines.push(raw.to_vec()),
        }
    }
    lines
}

fn quoted_printable_soft_break(line: &[u8]) -> bool {
    line.ends_with(b"=")
        && line
            .windows(16)
            .any(|w| w.eq_ignore_ascii_case(b"QUOTED-PRINTABLE"))
}

/// One card's lines, each decoded on its own, appended to `out` with CRLF.
fn decode_card(lines: &[Vec<u8>], out: &mut String) {
    let declared = lines.iter().find_map(|l| charset_of(l));
    for line in lines {
        match std::str::from_utf8(line) {
            Ok(s) => out.push_str(s),
            Err(_) => {
                let encoding = charset_of(line).or(declared);
                let text = match encoding {
                    Some(e) if e != UTF_8 => e.decode_without_bom_handling(line).0,
                    // Declared UTF-8, or mostly UTF-8 with one broken sequence: only that
                    // sequence becomes U+FFFD.
                    Some(_) => UTF_8.decode_without_bom_handling(line).0,
                    None if has_utf8_sequence(line) => UTF_8.decode_without_bom_handling(line).0,
                    None => WINDOWS_1252.decode_without_bom_handling(line).0,
                };
                out.push_str(&text);
            }
        }
        out.push_str("\r\n");
    }
}

/// The encoding a line's `CHARSET=` parameter names, if encoding_rs knows it.
fn charset_of(line: &[u8]) -> Option<&'static Encoding> {
    let colon = line.iter().position(|b| *b == b':')?;
    let head = &line[..colon];
    let at = head
        .windows(8)
        .position(|w| w.eq_ignore_ascii_case(b"CHARSET="))?;
    let value = &head[at + 8..];
    let end = value
        .iter()
        .position(|b| matches!(b, b';' | b':'))
        .unwrap_or(value.len());
    let label = value[..end].trim_ascii();
    let label = label.strip_prefix(b"\"").unwrap_or(label);
    let label = label.strip_suffix(b"\"").unwrap_or(label);
    Encoding::for_label(label)
}

/// Whether the bytes hold at least one complete multi-byte UTF-8 character.
fn has_utf8_sequence(bytes: &[u8]) -> bool {
    bytes.windows(2).enumerate().any(|(i, w)| {
        let len = match w[0] {
            0xC2..=0xDF => 2,
            0xE0..=0xEF => 3,
            0xF0..=0xF4 => 4,
            _ => return false,
        };
        bytes
            .get(i..i + len)
            .is_some_and(|seq| std::str::from_utf8(seq).is_ok())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vcards_are_decoded_card_by_card() {
        // A fold that splits the ü of Müller: the whole file stays UTF-8.
        let split = b"BEGIN:VCARD\r\nN:M\xc3\r\n \xbcller;J\xc3\xbcrgen\r\nEND:VCARD\r\nBEGIN:VCARD\r\nN:Wei\xc3\x9f;Anna\r\nEND:VCARD\r\n";
        let text = decode_vcard(split);
        assert!(text.contains("N:Müller;Jürgen"), "{text}");
        assert!(text.contains("N:Weiß;Anna"), "{text}");
        // One card in Latin-1 (declared), one in UTF-8: each right.
        let mixed = b"BEGIN:VCARD\r\nN;CHARSET=ISO-8859-1:B\xe4cker;S\xf6ren\r\nEND:VCARD\r\nBEGIN:VCARD\r\nN:G\xc3\xb6tz;Anna\r\nEND:VCARD\r\n";
        let text = decode_vcard(mixed);
        assert!(
            text.contains("Bäcker;Sören") && text.contains("N:Götz;Anna"),
            "{text}"
        );
        // Undeclared Latin-1 next to UTF-8; a broken sequence damages only its value.
        let broken = b"BEGIN:VCARD\r\nN:Gro\xdf;G\xfcnter\r\nEND:VCARD\r\nBEGIN:VCARD\r\nN:M\xc3\xbcller;K\xc3\r\nNOTE:Sch\xc3\xb6n\r\nEND:VCARD\r\n";
        let text = decode_vcard(broken);
        assert!(text.contains("N:Groß;Günter"), "{text}");
        assert!(
            text.contains("N:Müller;K\u{fffd}") && text.contains("NOTE:Schön"),
            "{text}"
        );
        // A quoted-printable soft break keeps the next line's leading space.
        let qp =
            b"BEGIN:VCARD\r\nNOTE;ENCODING=QUOTED-PRINTABLE:a=\r\n b\r\nN:\xe4\r\nEND:VCARD\r\n";
        assert!(decode_vcard(qp).contains("a=\r\n b"));
    }

    #[test]
    fn umlauts_in_every_encoding() {
        let want = "Jürgen Weiß, Köln";
        assert_eq!(decode(want.as_bytes()), want);
        let mut bom = b"\xEF\xBB\xBF".to_vec();
        bom.extend_from_slice(want.as_bytes());
        assert_eq!(decode(&bom), want);
        let (cp1252, _, _) = WINDOWS_1252.encode(want);
        assert_eq!(decode(&cp1252), want);
        let mut utf16 = vec![0xFF, 0xFE];
        for unit in want.encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        assert_eq!(decode(&utf16), want);
    }
}
