//! Everything Kartei says to a person, in German (the default) and English.
//!
//! Two kinds of text live here, and nowhere else:
//! - [`Msg`]: messages with values (errors, warnings, status lines). Core code never builds
//!   user-facing strings itself: it returns a [`Msg`] (or [`FieldErrors`]), and the face
//!   renders it with [`Msg::text`] in the user's [`Lang`].
//! - [`Word`] (`words.rs`): the catalogue of labels, enum values, column headers and the phone
//!   app's texts, one table per language (`de.rs`, `en.rs`); the server sends it to the phone
//!   app (`GET /api/v1/words`).
//!
//! [`Lang::from_accept_language`] is the one reading of `Accept-Language` (and of locales).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

mod de;
mod en;
mod mail;
mod words;

pub use mail::MailMsg;

pub use words::{table as word_table, Word};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    De,
    En,
}

impl Lang {
    /// Picks the language from an HTTP `Accept-Language` header (RFC 9110: `en;q=0.1, de`
    /// picks German) or a locale like `en_GB.UTF-8`: of German and English, the one with the
    /// higher weight (`q`, 1 when not given; 0 means "not wanted"), the earlier one on a tie;
    /// German when neither is asked for. Hand-written: the grammar is a few lines, and the same
    /// call must read POSIX locales, which header crates do not.
    pub fn from_accept_language(header: &str) -> Lang {
        let mut best: Option<(Lang, u16)> = None;
        for entry in header.split(',').take(MAX_LANGUAGE_RANGES) {
            let mut params = entry.split(';');
            let tag = params.next().unwrap_or_default().trim();
            let primary = tag.split(['-', '_', '.', '@']).next().unwrap_or_default();
            let lang = if primary.eq_ignore_ascii_case("de") {
                Lang::De
            } else if primary.eq_ignore_ascii_case("en") {
                Lang::En
            } else {
                continue;
            };
            let weight = params
                .map(str::trim)
                .find_map(|p| p.strip_prefix("q=").or_else(|| p.strip_prefix("Q=")))
                .map_or(Some(1000), quality);
            match weight {
                Some(w) if w > 0 && best.is_none_or(|(_, b)| w > b) => best = Some((lang, w)),
                _ => {}
            }
        }
        best.map_or(Lang::De, |(lang, _)| lang)
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}

/// How many entries of an `Accept-Language` header are read (the header is bounded).
const MAX_LANGUAGE_RANGES: usize = 32;

/// A `q` value (`0`, `0.5`, `1.000`: at most three decimals, at most 1) in thousandths; `None`
/// for anything else, and such an entry is passed over.
fn quality(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths: u16 = format!("{fraction:0<3}").parse().ok()?;
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// A message for a person. Variants carry the values the sentence needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Msg {
    Required,
    NameRequired,
    TooLong {
        max: usize,
    },
    /// A list (phones of a card, services of an appointment, …) with more entries than a card
    /// needs.
    TooMany {
        max: usize,
    },
    BadEmail,
    BadPhone,
    BadDate,
    /// A date outside the years a salon's card can mean ([`crate::model::values::YEARS`]).
    DateOutOfRange {
        from: i32,
        to: i32,
    },
    ImpossibleDate,
    FutureBirthday,
    BadPostalCode,
    UnknownGroup {
        name: String,
    },
    DuplicateGroup,
    EndBeforeStart,
    UnknownService,
    BadPin,
    StaffExists,
    LastOwner,
    ExportOwnerOnly,
    FormulaLocked,
    FormulaNotDeletable,
    /// A patch test dated after today.
    PatchTestInFuture,
    /// "No-show" on an appointment that has not started yet.
    NoShowBeforeStart,
    NotFound,
    StaleVersion,
    WrongPin,
    Throttled {
        seconds: u64,
    },
    AlreadyInUse {
        dir: String,
    },
    SchemaTooNew {
        found: u32,
        supported: u32,
    },
    DataDir {
        dir: String,
        reason: String,
    },
    InvalidInput,
    Internal,
    // The kiosk: the two PIN entries differ; a time that cannot be read; no name picked.
    PinsDiffer,
    BadTime,
    ChooseName,
    // ---- export, USB stick, import, duplicates --------------------------------------------
    /// The export did not fit on the stick (or disk).
    NotEnoughSpace,
    /// No USB stick is mounted.
    NoUsbStick,
    /// Backups and restore (issue 12): the messages are in [`BackupMsg`].
    Backup(BackupMsg),
    /// Mail, messages and newsletters (issue 16): the messages are in [`MailMsg`].
    Mail(MailMsg),
    /// The upload or file is larger than the import accepts.
    ImportTooLarge {
        max_mb: u64,
    },
    /// A packed file (xlsx) that would unpack to more than this: a zip bomb or no contacts list.
    ImportUnpackedTooLarge {
        max_mb: u64,
    },
    /// A spreadsheet with more filled cells than this.
    ImportTooManyCells {
        max: usize,
    },
    /// The file is not a vCard, CSV or Excel file.
    ImportUnknownFormat,
    /// The file is damaged or cut off and cannot be read.
    ImportUnreadable,
    /// The file holds no contacts or rows.
    ImportEmpty,
    ImportTooManyColumns {
        max: usize,
    },
    ImportTooManyRows {
        max: usize,
    },
    /// No column of a spreadsheet could be mapped to a name.
    ImportNoNameColumn,
    /// The same contact appears earlier in the same file.
    DuplicateInFile {
        line: usize,
    },
    /// A group named in the file does not exist; the row is imported without it.
    ImportUnknownGroupDropped {
        name: String,
    },
    /// A card changed after the preview was made: make a new preview.
    ImportPreviewStale,
    /// A row number that the preview does not have (or that cannot be taken).
    ImportRowNotChoosable {
        line: usize,
    },
    /// An import preview that is no longer kept (expired, taken already, or the server
    /// restarted): upload the file again.
    ImportPreviewGone,
    // ---- issue 11: imports that keep every contact ------------------------------------------
    /// A value of the file that the card cannot take (an odd phone number, a postal code that
    /// fits no country); it is kept in the card's import note.
    ImportValueKept {
        field: String,
        value: String,
    },
    /// A value the card has no field for (an extension, a second address); it is kept in the
    /// card's import note.
    ImportValueNoted {
        field: String,
        value: String,
    },
    /// The other system marked the contact as blocked (Fresha's `Blocked`).
    ImportBlocked {
        reason: String,
    },
    /// The text of the pinned note a blocked contact gets.
    ImportBlockedNote {
        reason: String,
    },
    /// A contact without a name: its company, e-mail address or phone number is its name on
    /// the card (see `import::salvage`).
    ImportNameFrom {
        value: String,
    },
    /// The first line of a card's import note.
    ImportNoteHeading,
    /// A group the import creates because the card file does not have it yet.
    ImportGroupCreated {
        name: String,
    },
    /// A customer id that does not exist (any more).
    CustomerNotFound {
        id: u64,
    },
    /// Merging a card into itself.
    MergeSameCustomer,
    /// The uploaded file is no picture at all (text, PDF, random bytes).
    PhotoNotAnImage,
    /// A picture in a format Kartei does not store (GIF, TIFF, AVIF …).
    PhotoUnsupportedFormat,
    /// An iPhone HEIC picture that the phone did not convert.
    PhotoHeic,
    /// The file is bigger than the upload limit.
    PhotoFileTooLarge {
        max_mb: u64,
    },
    /// The picture has more pixels than Kartei decodes (a decompression bomb looks like this).
    PhotoTooManyPixels {
        max_megapixels: u32,
    },
    /// The file claims to be a picture but is truncated or broken.
    PhotoDamaged,

    // ---- issue 14 (the house) ----
    /// What a merge moves from the removed card to the kept one.
    MergeMoves {
        notes: usize,
        patch_tests: usize,
        appointments: usize,
        photos: usize,
    },
    // ---- issue 10: partial edits, deleting customers ------------------------------------
    /// A partial update names a field the customer form does not have.
    UnknownField,
    /// A partial update gives a field a value of the wrong kind (text for a list, …).
    WrongKind,
    /// Only an owner may erase a customer.
    DeleteOwnerOnly,
    /// Only an owner may read the audit log.
    AuditOwnerOnly,
    /// Only an owner may review, erase or anonymise customers past the retention period.
    RetentionOwnerOnly,
    /// Only an owner may set up mail and send newsletters (phone, issue 16).
    MailOwnerOnly,
    /// The retention period is a whole number of years in a range.
    RetentionYears {
        min: u32,
        max: u32,
    },
    /// Only an owner may change how long phone sessions last.
    SessionIdleOwnerOnly,
    /// The session length is a whole number of minutes in a range.
    SessionIdleMinutes {
        min: u32,
        max: u32,
    },
    /// Erasing needs the customer's name typed or confirmed, and it did not match.
    DeleteConfirmName {
        name: String,
    },
    // ---- issue 14: the server's own refusals -------------------------------------------
    /// A request without a (valid) session.
    LoginRequired,
    /// A request from another site (origin/CSRF check).
    CrossOrigin,
    /// A request body larger than the server takes.
    RequestTooLarge,
    // ---- issue 13: hostile input -------------------------------------------------------
    /// A request addressed to a name that is not the appliance's (DNS rebinding).
    WrongHost,
    /// A value that is not one of the allowed ones (an enum), listing them.
    NotOneOf {
        allowed: String,
    },
    /// An upload that is not a readable `multipart/form-data` body.
    BadUpload,
    /// A time range longer than a list may span.
    RangeTooLong {
        days: u64,
    },
}

impl Msg {
    pub fn text(&self, lang: Lang) -> String {
        use Msg::*;
        let de = lang == Lang::De;
        match self {
            Required => pick(de, "Pflichtfeld.", "Required."),
            NameRequired => pick(
                de,
                "Bitte Vor- oder Nachnamen angeben.",
                "Please enter a first or last name.",
            ),
            TooLong { max } => {
                if de {
                    format!("Höchstens {max} Zeichen.")
                } else {
                    format!("At most {max} characters.")
                }
            }
            TooMany { max } => {
                if de {
                    format!("Höchstens {max} Einträge.")
                } else {
                    format!("At most {max} entries.")
                }
            }
            BadEmail => pick(
                de,
                "Keine gültige E-Mail-Adresse (Beispiel: anna@beispiel.de).",
                "Not a valid e-mail address (example: anna@example.com).",
            ),
            BadPhone => pick(
                de,
                "Keine gültige Telefonnummer (Beispiel: 0170 12345678 oder +49 89 1234567).",
                "Not a valid phone number (example: +49 170 12345678).",
            ),
            BadDate => pick(
                de,
                "Kein gültiges Datum (Beispiel: 24.11.1985 oder 24.11.).",
                "Not a valid date (example: 24.11.1985 or 24.11.).",
            ),
            DateOutOfRange { from, to } => {
                if de {
                    format!("Das Datum muss zwischen {from} und {to} liegen.")
                } else {
                    format!("The date must be between {from} and {to}.")
                }
            }
            ImpossibleDate => pick(
                de,
                "Dieses Datum gibt es nicht.",
                "This date does not exist.",
            ),
            FutureBirthday => pick(
                de,
                "Der Geburtstag liegt in der Zukunft.",
                "The birthday is in the future.",
            ),
            BadPostalCode => pick(
                de,
                "Eine deutsche Postleitzahl hat fünf Ziffern.",
                "A German postal code has five digits.",
            ),
            UnknownGroup { name } => {
                if de {
                    format!("Die Gruppe „{name}“ gibt es nicht.")
                } else {
                    format!("There is no group \"{name}\".")
                }
            }
            DuplicateGroup => pick(
                de,
                "Diese Gruppe gibt es schon.",
                "This group already exists.",
            ),
            EndBeforeStart => pick(
                de,
                "Das Ende liegt vor dem Beginn.",
                "The end is before the start.",
            ),
            UnknownService => pick(de, "Unbekannte Leistung.", "Unknown service."),
            BadPin => pick(
                de,
                "Die PIN hat 4 bis 12 Ziffern.",
                "The PIN has 4 to 12 digits.",
            ),
            StaffExists => pick(de, "Diesen Namen gibt es schon.", "This name is taken."),
            LastOwner => pick(
                de,
                "Der letzte Inhaber-Zugang kann nicht entfernt werden.",
                "The last owner cannot be removed.",
            ),
            ExportOwnerOnly => pick(
                de,
                "Die Kundenliste exportieren kann nur ein Inhaber-Zugang. Die Daten eines \
                 einzelnen Kunden lassen sich auf der Kundenkarte exportieren.",
                "Only an owner can export the customer list. A single customer's data can be \
                 exported from their card.",
            ),
            FormulaLocked => pick(
                de,
                "Farbrezepte können nach 24 Stunden nicht mehr geändert werden.",
                "Colour formulas cannot be changed after 24 hours.",
            ),
            FormulaNotDeletable => pick(
                de,
                "Farbrezepte werden nur zusammen mit der Kundin/dem Kunden gelöscht.",
                "Colour formulas are only deleted together with the customer.",
            ),
            PatchTestInFuture => pick(
                de,
                "Das Datum des Allergietests liegt in der Zukunft.",
                "The patch test's date is in the future.",
            ),
            NoShowBeforeStart => pick(
                de,
                "„Nicht erschienen“ geht erst, wenn der Termin begonnen hat.",
                "“No-show” is only possible once the appointment has started.",
            ),
            NotFound => pick(de, "Nicht gefunden.", "Not found."),
            StaleVersion => pick(
                de,
                "Die Karte wurde inzwischen an einem anderen Gerät geändert. Bitte neu laden.",
                "The card was changed on another device meanwhile. Please reload.",
            ),
            WrongPin => pick(de, "Name oder PIN falsch.", "Wrong name or PIN."),
            Throttled { seconds } => {
                if de {
                    format!("Zu viele Fehlversuche. Bitte in {seconds} Sekunden erneut versuchen.")
                } else {
                    format!("Too many failed attempts. Please try again in {seconds} seconds.")
                }
            }
            AlreadyInUse { dir } => {
                if de {
                    format!("Der Datenordner {dir} wird bereits von einem anderen Kartei-Prozess benutzt.")
                } else {
                    format!("The data folder {dir} is already in use by another Kartei process.")
                }
            }
            SchemaTooNew { found, supported } => {
                if de {
                    format!("Der Datenordner stammt von einer neueren Kartei-Version (Schema {found}, diese Version kennt bis {supported}). Bitte Kartei aktualisieren.")
                } else {
                    format!("The data folder was written by a newer Kartei (schema {found}; this version knows up to {supported}). Please update Kartei.")
                }
            }
            DataDir { dir, reason } => {
                if de {
                    format!("Der Datenordner {dir} kann nicht benutzt werden: {reason}")
                } else {
                    format!("The data folder {dir} cannot be used: {reason}")
                }
            }
            InvalidInput => pick(
                de,
                "Bitte die markierten Felder prüfen.",
                "Please check the marked fields.",
            ),
            Internal => pick(
                de,
                "Interner Fehler. Bitte erneut versuchen.",
                "Internal error. Please try again.",
            ),
            PinsDiffer => pick(
                de,
                "Die beiden PINs stimmen nicht überein.",
                "The two PINs do not match.",
            ),
            BadTime => pick(
                de,
                "Keine gültige Uhrzeit (Beispiel: 14.30).",
                "Not a valid time (example: 14.30).",
            ),
            ChooseName => pick(
                de,
                "Bitte zuerst Ihren Namen wählen.",
                "Please pick your name first.",
            ),
            NotEnoughSpace => pick(
                de,
                "Nicht genug Platz auf dem Speicher. Bitte Platz schaffen oder einen anderen USB-Stick nehmen.",
                "Not enough space on the drive. Please free some space or use another USB stick.",
            ),
            NoUsbStick => pick(
                de,
                "Kein USB-Stick gefunden. Bitte einstecken und kurz warten.",
                "No USB stick found. Please plug one in and wait a moment.",
            ),
            Backup(msg) => msg.text(de),
            Mail(msg) => msg.text(de),
            ImportTooLarge { max_mb } => {
                if de {
                    format!("Die Datei ist zu groß (höchstens {max_mb} MB).")
                } else {
                    format!("The file is too large (at most {max_mb} MB).")
                }
            }
            ImportUnpackedTooLarge { max_mb } => {
                if de {
                    format!(
                        "Die Datei wäre entpackt zu groß (höchstens {max_mb} MB) und wird nicht gelesen."
                    )
                } else {
                    format!(
                        "The file would be too large unpacked (at most {max_mb} MB) and is not read."
                    )
                }
            }
            ImportTooManyCells { max } => {
                if de {
                    format!("Die Tabelle hat zu viele gefüllte Zellen (höchstens {max}).")
                } else {
                    format!("The spreadsheet has too many filled cells (at most {max}).")
                }
            }
            ImportUnknownFormat => pick(
                de,
                "Unbekanntes Dateiformat. Möglich sind Kontakte (.vcf), CSV (.csv) und Excel (.xlsx).",
                "Unknown file format. Contacts (.vcf), CSV (.csv) and Excel (.xlsx) can be imported.",
            ),
            ImportUnreadable => pick(
                de,
                "Die Datei ist beschädigt oder unvollständig und kann nicht gelesen werden.",
                "The file is damaged or incomplete and cannot be read.",
            ),
            ImportEmpty => pick(
                de,
                "Die Datei enthält keine Kontakte.",
                "The file contains no contacts.",
            ),
            ImportTooManyColumns { max } => {
                if de {
                    format!("Die Datei hat zu viele Spalten (höchstens {max}).")
                } else {
                    format!("The file has too many columns (at most {max}).")
                }
            }
            ImportTooManyRows { max } => {
                if de {
                    format!("Die Datei hat zu viele Zeilen (höchstens {max}).")
                } else {
                    format!("The file has too many rows (at most {max}).")
                }
            }
            ImportNoNameColumn => pick(
                de,
                "Keine Spalte für den Namen gefunden (z. B. „Vorname“, „Nachname“ oder „Name“).",
                "No name column found (e.g. \"First name\", \"Last name\" or \"Name\").",
            ),
            DuplicateInFile { line } => {
                if de {
                    format!("Derselbe Kontakt steht schon in Zeile {line} der Datei.")
                } else {
                    format!("The same contact is already in line {line} of the file.")
                }
            }
            ImportUnknownGroupDropped { name } => {
                if de {
                    format!("Die Gruppe „{name}“ gibt es nicht; sie wird nicht übernommen.")
                } else {
                    format!("There is no group \"{name}\"; it is left out.")
                }
            }
            ImportPreviewStale => pick(
                de,
                "Eine Karte wurde seit der Vorschau geändert. Bitte die Vorschau neu erstellen.",
                "A card changed since the preview. Please make a new preview.",
            ),
            ImportRowNotChoosable { line } => {
                if de {
                    format!("Zeile {line} kann nicht übernommen werden.")
                } else {
                    format!("Line {line} cannot be taken.")
                }
            }
            ImportPreviewGone => pick(
                de,
                "Diese Import-Vorschau gibt es nicht mehr (abgelaufen oder schon übernommen). Bitte die Datei erneut hochladen.",
                "This import preview no longer exists (expired or already taken). Please upload the file again.",
            ),
            ImportValueKept { field, value } => {
                let label = import_field_label(field, lang);
                if de {
                    format!("{label} „{value}“ nicht übernommen; steht in der Import-Notiz der Karte.")
                } else {
                    format!("{label} \"{value}\" not taken; it is in the card's import note.")
                }
            }
            ImportValueNoted { field, value } => {
                let label = import_field_label(field, lang);
                if de {
                    format!("{label} „{value}“ steht in der Import-Notiz der Karte.")
                } else {
                    format!("{label} \"{value}\" is in the card's import note.")
                }
            }
            ImportBlocked { reason } => match (de, reason.is_empty()) {
                (true, true) => "Im bisherigen System gesperrt; die Karte bekommt eine angeheftete Notiz.".to_string(),
                (true, false) => format!("Im bisherigen System gesperrt („{reason}“); die Karte bekommt eine angeheftete Notiz."),
                (false, true) => "Blocked in the previous system; the card gets a pinned note.".to_string(),
                (false, false) => format!("Blocked in the previous system (\"{reason}\"); the card gets a pinned note."),
            },
            ImportBlockedNote { reason } => match (de, reason.is_empty()) {
                (true, true) => "Im bisherigen System gesperrt (Import).".to_string(),
                (true, false) => format!("Im bisherigen System gesperrt (Import): {reason}"),
                (false, true) => "Blocked in the previous system (import).".to_string(),
                (false, false) => format!("Blocked in the previous system (import): {reason}"),
            },
            ImportNameFrom { value } => {
                if de {
                    format!("Kein Name in der Datei; „{value}“ wird als Name übernommen.")
                } else {
                    format!("No name in the file; \"{value}\" is taken as the name.")
                }
            }
            ImportNoteHeading => pick(
                de,
                "Beim Import nicht in die Felder der Karte übernommen:",
                "Not put into the card's fields by the import:",
            ),
            ImportGroupCreated { name } => {
                if de {
                    format!("Die Gruppe „{name}“ wird neu angelegt.")
                } else {
                    format!("The group \"{name}\" is created.")
                }
            }
            CustomerNotFound { id } => {
                if de {
                    format!("Einen Kunden Nr. {id} gibt es nicht (mehr).")
                } else {
                    format!("There is no customer no. {id} (any more).")
                }
            }
            MergeSameCustomer => pick(
                de,
                "Eine Karte kann nicht mit sich selbst zusammengeführt werden.",
                "A card cannot be merged with itself.",
            ),
            PhotoNotAnImage => pick(
                de,
                "Die Datei ist kein Bild. Bitte ein Foto als JPEG, PNG oder WebP wählen.",
                "The file is not a picture. Please choose a photo as JPEG, PNG or WebP.",
            ),
            PhotoUnsupportedFormat => pick(
                de,
                "Dieses Bildformat wird nicht unterstützt. Bitte JPEG, PNG oder WebP verwenden.",
                "This picture format is not supported. Please use JPEG, PNG or WebP.",
            ),
            PhotoHeic => pick(
                de,
                "HEIC-Fotos werden nicht unterstützt. Bitte das Foto als JPEG senden (auf dem iPhone über „Foto auswählen“ hochladen oder unter Einstellungen › Kamera › Formate „Maximale Kompatibilität“ wählen).",
                "HEIC photos are not supported. Please send the photo as JPEG (upload it with \"Choose photo\" on the iPhone, or pick Settings › Camera › Formats › \"Most Compatible\").",
            ),
            PhotoFileTooLarge { max_mb } => {
                if de {
                    format!("Die Datei ist zu groß (höchstens {max_mb} MB).")
                } else {
                    format!("The file is too large (at most {max_mb} MB).")
                }
            }
            PhotoTooManyPixels { max_megapixels } => {
                if de {
                    format!("Das Bild hat zu viele Pixel (höchstens {max_megapixels} Megapixel).")
                } else {
                    format!(
                        "The picture has too many pixels (at most {max_megapixels} megapixels)."
                    )
                }
            }
            PhotoDamaged => pick(
                de,
                "Die Bilddatei ist beschädigt oder unvollständig. Bitte erneut aufnehmen oder hochladen.",
                "The picture file is damaged or incomplete. Please take or upload it again.",
            ),
            MergeMoves {
                notes,
                patch_tests,
                appointments,
                photos,
            } => {
                if de {
                    format!("{notes} Notizen, {patch_tests} Allergietests, {appointments} Termine, {photos} Fotos")
                } else {
                    format!("{notes} notes, {patch_tests} patch tests, {appointments} appointments, {photos} photos")
                }
            }
            // ---- issue 10 ----
            UnknownField => pick(
                de,
                "Dieses Feld gibt es auf der Kundenkarte nicht.",
                "The customer card has no such field.",
            ),
            WrongKind => pick(
                de,
                "Ungültiger Wert für dieses Feld.",
                "Invalid value for this field.",
            ),
            DeleteOwnerOnly => pick(
                de,
                "Kunden löschen kann nur ein Inhaber-Zugang.",
                "Only an owner can delete a customer.",
            ),
            AuditOwnerOnly => pick(
                de,
                "Das Protokoll sieht nur ein Inhaber-Zugang.",
                "Only an owner can see the audit log.",
            ),
            RetentionOwnerOnly => pick(
                de,
                "Die Aufbewahrungsfrist prüfen und Kunden anonymisieren kann nur ein Inhaber-Zugang.",
                "Only an owner can review the retention period and anonymise customers.",
            ),
            MailOwnerOnly => pick(
                de,
                "E-Mail einrichten und Newsletter senden kann nur ein Inhaber-Zugang.",
                "Only an owner can set up e-mail and send newsletters.",
            ),
            RetentionYears { min, max } => {
                if de {
                    format!("Bitte eine Zahl von {min} bis {max} Jahren.")
                } else {
                    format!("Please give a number of years from {min} to {max}.")
                }
            }
            SessionIdleOwnerOnly => pick(
                de,
                "Wie lange Handy-Anmeldungen gelten, kann nur ein Inhaber-Zugang ändern.",
                "Only an owner can change how long phone logins last.",
            ),
            SessionIdleMinutes { min, max } => {
                if de {
                    format!("Bitte eine Dauer von {min} bis {max} Minuten.")
                } else {
                    format!("Please give a duration from {min} to {max} minutes.")
                }
            }
            DeleteConfirmName { name } => {
                if de {
                    format!("Zum Löschen bitte den Namen „{name}“ bestätigen.")
                } else {
                    format!("To delete, please confirm the name “{name}”.")
                }
            }
            LoginRequired => pick(de, "Bitte melden Sie sich an.", "Please log in."),
            CrossOrigin => pick(
                de,
                "Anfrage von einer fremden Seite abgelehnt.",
                "Request from another site refused.",
            ),
            RequestTooLarge => pick(de, "Die Anfrage ist zu groß.", "The request is too large."),
            WrongHost => pick(
                de,
                "Diese Adresse gehört nicht zu dieser Kartei. Bitte die Adresse verwenden, die der Kiosk zeigt.",
                "This address does not belong to this Kartei. Please use the address the kiosk shows.",
            ),
            NotOneOf { allowed } => {
                if de {
                    format!("Nicht erlaubt; möglich sind: {allowed}.")
                } else {
                    format!("Not allowed; possible are: {allowed}.")
                }
            }
            BadUpload => pick(
                de,
                "Die hochgeladene Datei kam nicht vollständig oder nicht als Formular an. Bitte erneut versuchen.",
                "The uploaded file did not arrive complete or not as a form. Please try again.",
            ),
            RangeTooLong { days } => {
                if de {
                    format!("Höchstens {days} Tage auf einmal.")
                } else {
                    format!("At most {days} days at once.")
                }
            }
        }
    }
}

/// The label of a field as the import (its notes and preview), the API's error fields and the
/// export name it: a customer-form key (`first_name`, `phones`, `address.city` as `city`) or an
/// import column's field (`phone_private`, `work_city`). `None` for keys that are no field.
pub fn field_word(field: &str) -> Option<Word> {
    Some(match field {
        "phone" | "phones" => Word::Phone,
        "mobile" => Word::PlabelMobile,
        "phone_private" => Word::FieldPhonePrivate,
        "phone_business" => Word::FieldPhoneBusiness,
        "phone_extension" => Word::FieldPhoneExtension,
        "email" => Word::Email,
        "email_other" => Word::FieldEmailOther,
        "birthday" => Word::FieldBirthday,
        "street" => Word::Street,
        "postal_code" => Word::PostalCode,
        "city" => Word::City,
        "country" => Word::FieldCountry,
        "address" => Word::FieldAddress,
        "address_work" => Word::FieldAddressWork,
        "address_other" => Word::FieldAddressOther,
        "salutation" => Word::Salutation,
        "title" => Word::Title,
        "first_name" => Word::FirstName,
        "last_name" => Word::LastName,
        "full_name" | "name" => Word::FieldName,
        "middle_name" => Word::FieldMiddleName,
        "prefix" => Word::FieldPrefix,
        "gender" => Word::FieldGender,
        "company" => Word::FieldCompany,
        "stylist" => Word::FieldStylist,
        "note" => Word::Note,
        "notes" => Word::Notes,
        "groups" => Word::Groups,
        "preferred_contact" => Word::PreferredContact,
        "blocked" | "block_reason" => Word::FieldBlocked,
        "work_street" => Word::FieldWorkStreet,
        "work_postal_code" => Word::FieldWorkPostalCode,
        "work_city" => Word::FieldWorkCity,
        "work_country" => Word::FieldWorkCountry,
        "other_street" => Word::FieldOtherStreet,
        "other_postal_code" => Word::FieldOtherPostalCode,
        "other_city" => Word::FieldOtherCity,
        "other_country" => Word::FieldOtherCountry,
        _ => return None,
    })
}

/// What a value kept by the import is (issue 11), as the import note and the preview name it.
pub fn import_field_label(field: &str, lang: Lang) -> &'static str {
    field_word(field).unwrap_or(Word::FieldValue).text(lang)
}

fn pick(de: bool, german: &str, english: &str) -> String {
    if de { german } else { english }.to_string()
}

// ---- backups and restore (issue 12) --------------------------------------------------------

/// What backups and restores say to a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum BackupMsg {
    /// The backup was written by a newer Kartei (or schema) than this one.
    TooNew {
        version: String,
        schema: u32,
        ours: String,
    },
    /// A part of the backup does not match its checksum, cannot be read, or is missing.
    Damaged {
        part: String,
    },
    /// The backup ends before its manifest: cut off (a stick pulled while it was written).
    Incomplete,
    /// The file is not a Kartei backup at all.
    NotABackup,
    FileMissing {
        file: String,
    },
    /// Restore only goes into a data folder without a card file.
    TargetNotEmpty {
        dir: String,
    },
    /// The appliance runs and holds the card file, but its control socket did not answer.
    ApplianceNotAnswering {
        socket: String,
    },
    /// Status line: the last backup that was read back and restored in a test folder.
    LastVerified {
        when: String,
    },
    /// Status line: no verified backup for more than two days (or never).
    Stale {
        when: String,
    },
    NeverBackedUp,
    /// Status line: the last attempt failed (stick full, pulled …); older backups are intact.
    LastFailed {
        reason: String,
    },
    /// "Jetzt sichern" while a backup is being written.
    AlreadyRunning,
    /// Starting backups and changing where they go is for owners.
    OwnerOnly,
    /// The backup folder must be a full path on the appliance (`/mnt/nas/kartei`).
    FolderNotAbsolute,
    /// The backup was written but reading it back found it damaged; it was removed.
    VerifyFailed {
        reason: String,
    },
}

impl BackupMsg {
    fn text(&self, de: bool) -> String {
        use BackupMsg::*;
        match self {
            TooNew { version, schema, ours } => {
                if de {
                    format!("Diese Sicherung stammt von einer neueren Kartei (Version {version}, Schema {schema}); diese Kartei ist Version {ours}. Bitte zuerst Kartei aktualisieren. Es wurde nichts verändert.")
                } else {
                    format!("This backup was made by a newer Kartei (version {version}, schema {schema}); this Kartei is version {ours}. Please update Kartei first. Nothing was changed.")
                }
            }
            Damaged { part } => {
                if de {
                    format!("Die Sicherung ist beschädigt oder unvollständig: Teil „{part}“ passt nicht zu seiner Prüfsumme oder ist nicht lesbar. Es wurde nichts wiederhergestellt.")
                } else {
                    format!("The backup is damaged or incomplete: part \"{part}\" does not match its checksum or cannot be read. Nothing was restored.")
                }
            }
            Incomplete => pick(
                de,
                "Die Sicherung ist unvollständig (abgeschnitten, z. B. Stick beim Schreiben gezogen). Es wurde nichts wiederhergestellt; bitte eine ältere Sicherung wählen.",
                "The backup is incomplete (cut off, e.g. the stick was pulled while it was written). Nothing was restored; please choose an older backup.",
            ),
            NotABackup => pick(
                de,
                "Diese Datei ist keine Kartei-Sicherung.",
                "This file is not a Kartei backup.",
            ),
            FileMissing { file } => {
                if de {
                    format!("Die Sicherungsdatei {file} wurde nicht gefunden.")
                } else {
                    format!("The backup file {file} was not found.")
                }
            }
            TargetNotEmpty { dir } => {
                if de {
                    format!("Im Datenordner {dir} liegt schon eine Kartei. Wiederherstellen geht nur in einen leeren Datenordner; es wurde nichts verändert.")
                } else {
                    format!("The data folder {dir} already holds a card file. Restore only goes into an empty data folder; nothing was changed.")
                }
            }
            ApplianceNotAnswering { socket } => {
                if de {
                    format!("Kartei läuft, antwortet aber nicht über {socket}. Bitte als Kartei-Benutzer aufrufen oder Kartei neu starten.")
                } else {
                    format!("Kartei is running but does not answer on {socket}. Please run this as the Kartei user or restart Kartei.")
                }
            }
            LastVerified { when } => {
                if de {
                    format!("letzte Sicherung {when} geprüft ✓")
                } else {
                    format!("last backup {when} verified ✓")
                }
            }
            Stale { when } => {
                if de {
                    format!("Achtung: die letzte geprüfte Sicherung ist vom {when}, älter als 2 Tage.")
                } else {
                    format!("Warning: the last verified backup is from {when}, older than 2 days.")
                }
            }
            NeverBackedUp => pick(
                de,
                "Achtung: es gibt noch keine geprüfte Sicherung.",
                "Warning: there is no verified backup yet.",
            ),
            LastFailed { reason } => {
                if de {
                    format!("Die letzte Sicherung ist fehlgeschlagen: {reason} Ältere Sicherungen sind unverändert.")
                } else {
                    format!("The last backup failed: {reason} Older backups are unchanged.")
                }
            }
            OwnerOnly => pick(
                de,
                "Sicherungen starten und einrichten dürfen nur Inhaber.",
                "Only owners may start and set up backups.",
            ),
            FolderNotAbsolute => pick(
                de,
                "Bitte den vollständigen Pfad eines Ordners auf dem Gerät angeben, z. B. /mnt/nas/kartei.",
                "Please give the full path of a folder on the appliance, e.g. /mnt/nas/kartei.",
            ),
            AlreadyRunning => pick(
                de,
                "Es wird gerade gesichert; bitte warten, bis die Sicherung fertig ist.",
                "A backup is being written; please wait until it is done.",
            ),
            VerifyFailed { reason } => {
                if de {
                    format!("Die Sicherung ließ sich nicht fehlerfrei zurücklesen und wurde verworfen: {reason}")
                } else {
                    format!("The backup could not be read back without errors and was discarded: {reason}")
                }
            }
        }
    }
}

/// Validation errors keyed by the API field name (`email`, `phones.0.number`, `birthday`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldErrors(BTreeMap<String, Msg>);

impl FieldErrors {
    /// Records the first error of a field (later ones for the same field are dropped).
    pub fn add(&mut self, field: &str, msg: Msg) {
        self.0.entry(field.to_string()).or_insert(msg);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&Msg> {
        self.0.get(field)
    }

    /// The error of `field` in `lang`, or an empty text when it has none (what a form shows
    /// under the field).
    pub fn text(&self, field: &str, lang: Lang) -> String {
        self.0.get(field).map(|m| m.text(lang)).unwrap_or_default()
    }

    pub fn fields(&self) -> impl Iterator<Item = (&str, &Msg)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The messages rendered in `lang`, as the JSON API's `fields` object wants them.
    pub fn texts(&self, lang: Lang) -> BTreeMap<String, String> {
        self.0
            .iter()
            .map(|(k, v)| (k.clone(), v.text(lang)))
            .collect()
    }

    /// One line: the single message, or "check the marked fields" when there are several.
    pub fn summary(&self, lang: Lang) -> String {
        match self.0.len() {
            1 => self
                .0
                .values()
                .next()
                .map(|m| m.text(lang))
                .unwrap_or_default(),
            _ => Msg::InvalidInput.text(lang),
        }
    }

    /// `Ok(())` if nothing was recorded, else the errors as [`crate::CoreError::Invalid`].
    pub fn into_result(self) -> crate::Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(crate::CoreError::Invalid(self))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[track_caller]
    fn check(header: &str, want: Lang) {
        assert_eq!(Lang::from_accept_language(header), want, "{header:?}");
    }

    #[test]
    fn accept_language_weights_decide() {
        check("en;q=0.1, de", Lang::De);
        check("de;q=0.1, en", Lang::En);
        check("en-US,en;q=0.9,de;q=0.8", Lang::En);
        check("de-DE,de;q=0.9,en-US;q=0.8,en;q=0.7", Lang::De);
        check("fr-FR, en;q=0.5, de;q=0.4", Lang::En);
        check("en;q=0.500, de;q=0.501", Lang::De);
        check("EN;Q=1.0", Lang::En);
        check("en ; q=0.8 , de ; q=0.9", Lang::De);
        check("en, de", Lang::En);
        check("de, en", Lang::De);
        check("en;q=0, fr", Lang::De);
        check("en;q=0.000", Lang::De);
        check("en;q=abc, de;q=0.2", Lang::De);
        check("en;q=1.5", Lang::De);
        check("en;q=0.1234", Lang::De);
        check("en;q=-1", Lang::De);
        check("fr, it", Lang::De);
        check("*", Lang::De);
        check("", Lang::De);
        check("denglisch, english", Lang::De);
        check(";;;,,,", Lang::De);
    }

    /// The cases of issue 14.
    #[test]
    fn accept_language_cases_of_the_issue() {
        check("en;q=0.1, de", Lang::De);
        check("de-AT", Lang::De);
        check("fr, en;q=0.5", Lang::En);
        check("fr", Lang::De);
        check("x-klingon, *;q=0.5", Lang::De);
        check("de;q=0, en;q=0.2", Lang::En);
        check("en;q=0", Lang::De);
    }

    #[test]
    fn locales_name_the_language() {
        check("en_GB.UTF-8", Lang::En);
        check("de_AT.UTF-8", Lang::De);
        check("en_US@euro", Lang::En);
        check("C.UTF-8", Lang::De);
        check("POSIX", Lang::De);
    }

    #[test]
    fn a_long_header_is_read_only_so_far() {
        let header = format!("{}en", "fr, ".repeat(MAX_LANGUAGE_RANGES));
        check(&header, Lang::De);
    }
}
