//! Property tests: the vCard and CSV readers never panic, whatever bytes they get, and either
//! read contacts or refuse the file with a message.

use kartei_core::import;
use proptest::prelude::*;

const VCARD_PIECES: &[&str] = &[
    "BEGIN:VCARD\r\n",
    "END:VCARD\r\n",
    "VERSION:2.1\r\n",
    "VERSION:3.0\r\n",
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:M=C3=BC",
    "ller;J=C3=B6rg;;;\r\n",
    "=\r\n",
    "FN:Anna\r\n",
    "TEL;CELL:0171 2345678\r\n",
    "item1.EMAIL;type=pref:a@b.de\r\n",
    "BDAY:1604-11-24\r\n",
    "BDAY:--0229\r\n",
    "ADR:;;Str;Ort;;12345;DE\r\n",
    " folded\r\n",
    "PHOTO;ENCODING=b:AAAA\r\n",
    "NOTE:\\n\\,\r\n",
    ";;;",
    ":",
    "\r\n",
    "=E4",
    "\u{feff}",
];

fn check(bytes: &[u8], name: &str) {
    match import::read(bytes, name) {
        Ok(parsed) => assert!(!parsed.records.is_empty()),
        Err(kartei_core::CoreError::Invalid(e)) => {
            assert!(!e.summary(kartei_core::Lang::De).is_empty())
        }
        Err(other) => panic!("{other:?}"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn vcard_reader_never_panics(pieces in prop::collection::vec(0..VCARD_PIECES.len(), 0..60)) {
        let text: String = pieces.iter().map(|i| VCARD_PIECES[*i]).collect();
        check(text.as_bytes(), "x.vcf");
    }

    #[test]
    fn vcard_reader_never_panics_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        let mut input = b"BEGIN:VCARD\r\nVERSION:2.1\r\n".to_vec();
        input.extend_from_slice(&bytes);
        check(&input, "x.vcf");
    }

    #[test]
    fn csv_reader_never_panics(text in "(Vorname|Name|Telefon|PLZ|E-Mail|[a-zäöüß0-9 ]{0,6}|;|,|\"|\r\n|\n|\t){0,80}") {
        check(text.as_bytes(), "x.csv");
    }

    #[test]
    fn any_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        check(&bytes, "x.csv");
        check(&bytes, "x.xlsx");
    }
}
