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

#[cfg(test)]
mod tests {
    use super::*;

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
