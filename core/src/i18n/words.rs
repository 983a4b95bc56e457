//! The catalogue of words: labels, enum values, column headers and the phone app's texts, one
//! [`Word`] each, in German ([`super::de`]) and English ([`super::en`]). Every face draws from
//! it: the core (export, card, photo and note kinds), the server (pages, field labels, and
//! `GET /api/v1/words` for the phone app), the command line, and the kiosk.
//!
//! A word's `key` is its name on the wire (`channel_phone`), which the phone app looks up.
//! Texts may hold `{name}` placeholders, filled by [`Word::fill`] here and by `tf()` in app.js.
//! Messages that carry typed values and are errors of the core are [`super::Msg`]s.

use super::Lang;
use std::collections::BTreeMap;

/// Declares [`Word`] with its wire key, and [`Word::ALL`] in declaration order.
macro_rules! words {
    ($($(#[$doc:meta])* $variant:ident = $key:literal,)*) => {
        /// A word of the catalogue; see the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Word {
            $($(#[$doc])* $variant,)*
        }

        impl Word {
            /// Every word, in the order of the catalogue.
            pub const ALL: &'static [Word] = &[$(Word::$variant,)*];

            /// The word's name on the wire (the phone app's key).
            pub fn key(self) -> &'static str {
                match self {
                    $(Word::$variant => $key,)*
                }
            }
        }
    };
}

words! {
    // ---- The phone app (server/assets/app.js), and the labels other faces share with it
    Search = "search",
    All = "all",
    WithBookings = "with_bookings",
    NoRecentVisit = "no_recent_visit",
    Regular = "regular",
    New = "new",
    NameAsc = "name_asc",
    NameDesc = "name_desc",
    LastVisit = "last_visit",
    Newest = "newest",
    Hits = "hits",
    Allergy = "allergy",
    Edit = "edit",
    Erase = "erase",
    ConfirmErase = "confirm_erase",
    Notes = "notes",
    AddNote = "add_note",
    Note = "note",
    Upcoming = "upcoming",
    Past = "past",
    Top = "top",
    History = "history",
    None = "none",
    Save = "save",
    NewCustomer = "new_customer",
    EditCustomer = "edit_customer",
    Salutation = "salutation",
    FirstName = "first_name",
    LastName = "last_name",
    Phone = "phone",
    Email = "email",
    Birthday = "birthday",
    Street = "street",
    PostalCode = "postal_code",
    City = "city",
    PreferredContact = "preferred_contact",
    Marketing = "marketing",
    Groups = "groups",
    Stats = "stats",
    Total = "total",
    NewWeek = "new_week",
    Regulars = "regulars",
    Occasional = "occasional",
    Birthdays = "birthdays",
    Visits = "visits",
    Appointment = "appointment",
    NavAppointment = "nav_appointment",
    Customer = "customer",
    Pick = "pick",
    Start = "start",
    Service = "service",
    Book = "book",
    Saved = "saved",
    Offline = "offline",
    Changed = "changed",
    ChangedWhileEditing = "changed_while_editing",
    Deleted = "deleted",
    Stale = "stale",
    Logout = "logout",
    LoggedInAs = "logged_in_as",
    Owner = "owner",
    Warning = "warning",
    Title = "title",
    VisitCount = "visit_count",
    CustomerSince = "customer_since",
    Company = "company",
    Phones = "phones",
    PhoneLabel = "phone_label",
    PlabelMobile = "plabel_mobile",
    PlabelPrivate = "plabel_private",
    PlabelBusiness = "plabel_business",
    AddPhone = "add_phone",
    RemovePhone = "remove_phone",
    Stylist = "stylist",
    Consents = "consents",
    Reminders = "reminders",
    Yes = "yes",
    No = "no",
    ConflictTitle = "conflict_title",
    ConflictHint = "conflict_hint",
    YourValue = "your_value",
    SavedValue = "saved_value",
    TakeChoice = "take_choice",
    KindGeneral = "kind_general",
    KindAllergy = "kind_allergy",
    KindColourFormula = "kind_colour_formula",
    KindPreference = "kind_preference",
    KindPersonal = "kind_personal",
    Picked = "picked",
    Card = "card",
    Photos = "photos",
    TakePhoto = "take_photo",
    ChoosePhotos = "choose_photos",
    PhotoKind = "photo_kind",
    PkindBefore = "pkind_before",
    PkindAfter = "pkind_after",
    PkindInspiration = "pkind_inspiration",
    PkindGenerated = "pkind_generated",
    PkindOther = "pkind_other",
    FilterNewest = "filter_newest",
    FilterOldest = "filter_oldest",
    FilterFavourites = "filter_favourites",
    Favourite = "favourite",
    Caption = "caption",
    Close = "close",
    ConfirmDeletePhoto = "confirm_delete_photo",
    NoPhotos = "no_photos",
    FileTooLarge = "file_too_large",
    ExcelExport = "excel_export",
    Import = "import",
    ExportWait = "export_wait",
    DataExport = "data_export",
    Excel = "excel",
    Json = "json",
    ImportTitle = "import_title",
    ImportHint = "import_hint",
    ImportChoose = "import_choose",
    ImportTooLarge = "import_too_large",
    ImportCounts = "import_counts",
    ImportNew = "import_new",
    ImportMerge = "import_merge",
    ImportDuplicate = "import_duplicate",
    ImportInvalid = "import_invalid",
    ImportMergesInto = "import_merges_into",
    ImportAlready = "import_already",
    ImportKept = "import_kept",
    ImportLine = "import_line",
    ImportTake = "import_take",
    ImportResult = "import_result",
    ImportMore = "import_more",
    ImportPhotos = "import_photos",
    ImportToList = "import_to_list",
    ImportAnother = "import_another",
    ImportUnknownColumns = "import_unknown_columns",
    ImportColumns = "import_columns",
    ImportPhoto = "import_photo",
    ImportIgnoredColumns = "import_ignored_columns",
    ImportNewGroups = "import_new_groups",
    ImportWithWarningsOne = "import_with_warnings_one",
    NoteKind = "note_kind",
    Pinned = "pinned",
    Pin = "pin",
    Unpin = "unpin",
    Cancel = "cancel",
    ConfirmDeleteNote = "confirm_delete_note",
    FProducts = "f_products",
    FDeveloper = "f_developer",
    FMinutes = "f_minutes",
    FResult = "f_result",
    FRemark = "f_remark",
    PatchTests = "patch_tests",
    PatchNone = "patch_none",
    PatchLatest = "patch_latest",
    PatchValidUntil = "patch_valid_until",
    PatchNotValid = "patch_not_valid",
    PtPassed = "pt_passed",
    PtFailed = "pt_failed",
    PtPending = "pt_pending",
    PatchDate = "patch_date",
    PatchResult = "patch_result",
    PatchProduct = "patch_product",
    PatchSave = "patch_save",
    StBooked = "st_booked",
    StCompleted = "st_completed",
    StCancelled = "st_cancelled",
    StNoShow = "st_no_show",
    Move = "move",
    NewStart = "new_start",
    CancelAppt = "cancel_appt",
    MarkNoShow = "mark_no_show",
    MovePast = "move_past",
    ConfirmCancelAppt = "confirm_cancel_appt",
    ConfirmNoShow = "confirm_no_show",
    ImportWithWarnings = "import_with_warnings",
    Backups = "backups",
    BackupNow = "backup_now",
    BackupRunning = "backup_running",
    BackupAutomatic = "backup_automatic",
    BackupTime = "backup_time",
    BackupFolder = "backup_folder",
    BackupUsb = "backup_usb",
    BackupSave = "backup_save",
    BackupTargets = "backup_targets",
    BackupNever = "backup_never",
    BackupTargetLine = "backup_target_line",
    BackupSettingsSaved = "backup_settings_saved",
    // ---- The audit log (DSGVO), on the phone, the kiosk and in its export
    Audit = "audit",
    AuditCard = "audit_card",
    AuditDownload = "audit_download",
    AuditMore = "audit_more",
    AuditEmpty = "audit_empty",
    AuditCustomer = "audit_customer",
    AuditViewed = "audit_viewed",
    AuditViewedHealth = "audit_viewed_health",
    AuditCreated = "audit_created",
    AuditChanged = "audit_changed",
    AuditNoteWritten = "audit_note_written",
    AuditExported = "audit_exported",
    AuditListExported = "audit_list_exported",
    AuditMerged = "audit_merged",
    AuditErased = "audit_erased",
    AuditSheet = "audit_sheet",
    AuditFileStem = "audit_file_stem",
    AuditColNo = "audit_col_no",
    AuditColTime = "audit_col_time",
    AuditColWho = "audit_col_who",
    AuditColWhat = "audit_col_what",
    AuditColCustomer = "audit_col_customer",
    AuditColDetails = "audit_col_details",
    Anonymised = "anonymised",
    Retention = "retention",
    RetentionNone = "retention_none",
    RetentionAnonymise = "retention_anonymise",
    RetentionLastVisit = "retention_last_visit",
    RetentionNeverVisited = "retention_never_visited",
    RetentionConfirm = "retention_confirm",
    RetentionYears = "retention_years",
    GdprRecord = "gdpr_record",
    GdprRecordFileStem = "gdpr_record_file_stem",
    AuditAnonymised = "audit_anonymised",
    // ---- Enum values: one word per value on every face
    ChannelPhone = "channel_phone",
    ChannelSms = "channel_sms",
    ChannelEmail = "channel_email",
    ChannelNone = "channel_none",
    SalutationFrau = "salutation_frau",
    SalutationHerr = "salutation_herr",
    SalutationDivers = "salutation_divers",
    SourceManual = "source_manual",
    SourceBooking = "source_booking",
    SourceImport = "source_import",
    // ---- Field labels (import previews and notes, error fields, export columns)
    FieldName = "field_name",
    FieldCompany = "field_company",
    FieldBirthday = "field_birthday",
    FieldCountry = "field_country",
    FieldAddress = "field_address",
    FieldStylist = "field_stylist",
    FieldPhonePrivate = "field_phone_private",
    FieldPhoneBusiness = "field_phone_business",
    FieldPhoneExtension = "field_phone_extension",
    FieldEmailOther = "field_email_other",
    FieldAddressWork = "field_address_work",
    FieldAddressOther = "field_address_other",
    FieldMiddleName = "field_middle_name",
    FieldPrefix = "field_prefix",
    FieldGender = "field_gender",
    FieldBlocked = "field_blocked",
    FieldWorkStreet = "field_work_street",
    FieldWorkPostalCode = "field_work_postal_code",
    FieldWorkCity = "field_work_city",
    FieldWorkCountry = "field_work_country",
    FieldOtherStreet = "field_other_street",
    FieldOtherPostalCode = "field_other_postal_code",
    FieldOtherCity = "field_other_city",
    FieldOtherCountry = "field_other_country",
    FieldValue = "field_value",
    // ---- The export: sheets, columns (the import maps these headers back), file names
    SheetCustomers = "sheet_customers",
    SheetAppointments = "sheet_appointments",
    SheetNotes = "sheet_notes",
    FileCustomers = "file_customers",
    FileCustomer = "file_customer",
    ColCustomerNo = "col_customer_no",
    ColPreferredContact = "col_preferred_contact",
    ColNewsletter = "col_newsletter",
    ColNewsletterSince = "col_newsletter_since",
    ColReminders = "col_reminders",
    ColSource = "col_source",
    ColCustomerSince = "col_customer_since",
    ColCreated = "col_created",
    ColChanged = "col_changed",
    ColTopService = "col_top_service",
    ColDeactivated = "col_deactivated",
    ColAppointmentNo = "col_appointment_no",
    ColEnd = "col_end",
    ColServices = "col_services",
    ColStaff = "col_staff",
    ColStatus = "col_status",
    ColNoteNo = "col_note_no",
    ColKind = "col_kind",
    ColText = "col_text",
    ColFormulaProducts = "col_formula_products",
    ColProcessing = "col_processing",
    ColAuthor = "col_author",
    ColPinned = "col_pinned",
    // ---- The card
    WarnNoPatchTest = "warn_no_patch_test",
    // ---- Pages: login and logout
    LoginTitle = "login_title",
    LoginButton = "login_button",
    LoginAddress = "login_address",
    LoginNoConnection = "login_no_connection",
    LoggedInAsLabel = "logged_in_as_label",
    Back = "back",
    /// The 404 page of the phone app (an unknown address).
    NotFoundTitle = "not_found_title",
    NotFoundText = "not_found_text",
    ToStart = "to_start",
    /// The owner's setting: how long a phone session lasts without a request.
    SessionIdle = "session_idle",
    SessionIdleHint = "session_idle_hint",
    SessionIdleSaved = "session_idle_saved",
    /// A duration: `{n}` minutes, `{n}` hours (the session length's choices).
    DurationMinutes = "duration_minutes",
    DurationHours = "duration_hours",
    DurationOneHour = "duration_one_hour",
    /// Names for screen readers (landmarks and headings the eye does not need).
    MainMenu = "main_menu",
    CardSections = "card_sections",
    CustomerList = "customer_list",
    // ---- The command line
    CliNothingImported = "cli_nothing_imported",
    CliImportAsk = "cli_import_ask",
    CliCancelled = "cli_cancelled",
    CliImportDone = "cli_import_done",
    CliRowNew = "cli_row_new",
    CliRowCompletes = "cli_row_completes",
    CliRowAlready = "cli_row_already",
    CliRowSkipped = "cli_row_skipped",
    CliPreviewCounts = "cli_preview_counts",
    DupPhone = "dup_phone",
    DupEmail = "dup_email",
    DupNameAndBirthday = "dup_name_and_birthday",
    DupSimilarName = "dup_similar_name",
    CliPossibleDuplicates = "cli_possible_duplicates",
    CliMergeInto = "cli_merge_into",
    CliMergeAsk = "cli_merge_ask",
    CliMergedInto = "cli_merged_into",
    CliExportDone = "cli_export_done",
    CliBackupTargetGood = "cli_backup_target_good",
    CliBackupTargetsFailed = "cli_backup_targets_failed",
    CliBackupWritten = "cli_backup_written",
    CliBackupPhotosMissing = "cli_backup_photos_missing",
    CliRestoreDryRun = "cli_restore_dry_run",
    CliRestored = "cli_restored",
    PhotoFiles = "photo_files",
    CliNothingWritten = "cli_nothing_written",
    CliRestoreErasedLeftOut = "cli_restore_erased_left_out",
    CliServerRunning = "cli_server_running",
    CliNoDisplay = "cli_no_display",
    CliMdnsName = "cli_mdns_name",
    CliNoStaffYet = "cli_no_staff_yet",
    CliServerStopped = "cli_server_stopped",
    CliWindowFailed = "cli_window_failed",
    CliAddressUnavailable = "cli_address_unavailable",
    CliControlSocketUnavailable = "cli_control_socket_unavailable",
    CliBackupsNotStarted = "cli_backups_not_started",
    CliKioskOpened = "cli_kiosk_opened",
    CliStaffAdded = "cli_staff_added",
    CliNoStaff = "cli_no_staff",
    CliStaffSince = "cli_staff_since",
    CliStaffRemoved = "cli_staff_removed",
    RoleOwner = "role_owner",
    RoleStaff = "role_staff",
    CliDemoDone = "cli_demo_done",
    CliNoKarteiFound = "cli_no_kartei_found",
    CliScreenshotsDone = "cli_screenshots_done",
    CliReindexed = "cli_reindexed",
    CliIndexRebuilt = "cli_index_rebuilt",
    // ---- The kiosk (kiosk/ui_glue): its words, for its switch from tr() to the catalogue
    ConsentGiven = "consent_given",
    LastVisitShort = "last_visit_short",
    NoVisitYet = "no_visit_yet",
    NoName = "no_name",
    NoPhone = "no_phone",
    PhotoDeleted = "photo_deleted",
    ExportWriting = "export_writing",
    ExportWritten = "export_written",
    ImportReading = "import_reading",
    ImportRunning = "import_running",
    ImportCompletesNamed = "import_completes_named",
    ImportDifferingKept = "import_differing_kept",
    ImportAlreadyNamed = "import_already_named",
    ImportSkippedByNow = "import_skipped_by_now",
    ImportWarned = "import_warned",
    // ---- Messages, newsletters, mail settings (issue 16)
    AuditMessageSent = "audit_message_sent",
    AuditNewsletterSent = "audit_newsletter_sent",
    AuditConsentByMail = "audit_consent_by_mail",
    MessageQueued = "message_queued",
    MessageRetrying = "message_retrying",
    MessagePaused = "message_paused",
    MessageSent = "message_sent",
    MessageFailed = "message_failed",
    MessageReceived = "message_received",
    Messages = "messages",
    WriteMessage = "write_message",
    MessageSubject = "message_subject",
    MessageText = "message_text",
    MessageTemplate = "message_template",
    SendMessage = "send_message",
    Unread = "unread",
    UnreadCount = "unread_count",
    Unassigned = "unassigned",
    AssignTo = "assign_to",
    AssignPick = "assign_pick",
    Attachments = "attachments",
    RetrySend = "retry_send",
    MessageFrom = "message_from",
    MessageTo = "message_to",
    NoMessages = "no_messages",
    NoUnassigned = "no_unassigned",
    MessagesNotSent = "messages_not_sent",
    MessageUnsubscribed = "message_unsubscribed",
    MessageConfirmedConsent = "message_confirmed_consent",
    MsgKindPersonal = "msg_kind_personal",
    MsgKindNewsletter = "msg_kind_newsletter",
    MsgKindReminder = "msg_kind_reminder",
    MsgKindBirthday = "msg_kind_birthday",
    MsgKindConsentRequest = "msg_kind_consent_request",
    MsgKindTest = "msg_kind_test",
    MailSettings = "mail_settings",
    MailAddress = "mail_address",
    MailSenderName = "mail_sender_name",
    SmtpServer = "smtp_server",
    ImapServer = "imap_server",
    MailPort = "mail_port",
    MailSecurity = "mail_security",
    SecurityTls = "security_tls",
    SecurityStartTls = "security_starttls",
    MailUser = "mail_user",
    MailPassword = "mail_password",
    MailPasswordKept = "mail_password_kept",
    MailCertificate = "mail_certificate",
    SentFolder = "sent_folder",
    NewsletterPerMinute = "newsletter_per_minute",
    ReminderHours = "reminder_hours",
    BirthdayGreetings = "birthday_greetings",
    SendTestMail = "send_test_mail",
    TestMailRunning = "test_mail_running",
    TestMailOk = "test_mail_ok",
    TestStepSend = "test_step_send",
    TestStepRead = "test_step_read",
    TestStepSentFolder = "test_step_sent_folder",
    TestStepArrived = "test_step_arrived",
    MailStatusOk = "mail_status_ok",
    MailStatusOff = "mail_status_off",
    Templates = "templates",
    TemplateName = "template_name",
    TemplatePlaceholders = "template_placeholders",
    TemplateNew = "template_new",
    TemplateRemove = "template_remove",
    Newsletter = "newsletter",
    NewsletterNew = "newsletter_new",
    NewsletterAudience = "newsletter_audience",
    CurrentList = "current_list",
    NewsletterGets = "newsletter_gets",
    NewsletterLeftOut = "newsletter_left_out",
    NewsletterOnlyConsent = "newsletter_only_consent",
    NewsletterSendTest = "newsletter_send_test",
    NewsletterSendNow = "newsletter_send_now",
    NewsletterConfirm = "newsletter_confirm",
    NewsletterPause = "newsletter_pause",
    NewsletterResume = "newsletter_resume",
    NewsletterProgress = "newsletter_progress",
    NewsletterTestSent = "newsletter_test_sent",
    RequestConsent = "request_consent",
    ConsentRequested = "consent_requested",
    ConsentConfirmed = "consent_confirmed",
    ConsentUnconfirmed = "consent_unconfirmed",
    ConsentLog = "consent_log",
    // ---- phone, issue 16 (server/assets/app.js)
    MarkRead = "mark_read",
    NewsletterPreview = "newsletter_preview",
    NewsletterGroup = "newsletter_group",
    NewslettersSent = "newsletters_sent",
    ConsentNone = "consent_none",
    MailSaved = "mail_saved",
    MessageSentToast = "message_sent_toast",
    MessagesNav = "messages_nav",
    MailNoEmail = "mail_no_email",
    // ---- kiosk, issue 16
    TestMailFailed = "test_mail_failed",
    UnreadMessages = "unread_messages",
}

impl Word {
    /// The word in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        match lang {
            Lang::De => super::de::text(self),
            Lang::En => super::en::text(self),
        }
    }

    /// The word in `lang` with its `{name}` placeholders filled from `values`; a placeholder
    /// without a value stays as written.
    pub fn fill(self, lang: Lang, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        fill(self.text(lang), values)
    }

    /// The word for a key from the wire, if there is one.
    pub fn from_key(key: &str) -> Option<Word> {
        Word::ALL.iter().copied().find(|w| w.key() == key)
    }
}

/// Every word of `lang` by its key: what `GET /api/v1/words` sends the phone app.
pub fn table(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    Word::ALL.iter().map(|w| (w.key(), w.text(lang))).collect()
}

fn fill(text: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match values.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(&value.to_string()),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The `{name}` placeholders of a text, sorted.
#[cfg(test)]
fn placeholders(text: &str) -> Vec<&str> {
    let mut names: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name))
        .collect();
    names.sort_unstable();
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    /// Every word has a text in both languages (the two exhaustive matches in `de.rs` and
    /// `en.rs` make a missing one a compile error), none is empty, keys are unique snake_case,
    /// and both languages have the same placeholders.
    #[test]
    fn every_word_is_in_both_languages_with_the_same_placeholders() {
        let mut keys = BTreeSet::new();
        for &word in Word::ALL {
            let key = word.key();
            assert!(keys.insert(key), "{key} twice");
            assert!(
                key.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{key}"
            );
            let (de, en) = (word.text(Lang::De), word.text(Lang::En));
            assert!(!de.trim().is_empty() && !en.trim().is_empty(), "{key}");
            assert_eq!(placeholders(de), placeholders(en), "{key}");
            assert_eq!(Word::from_key(key), Some(word));
        }
        assert_eq!(table(Lang::De).len(), Word::ALL.len());
        assert_eq!(table(Lang::En).len(), Word::ALL.len());
    }

    #[test]
    fn one_word_per_contact_channel() {
        assert_eq!(Word::ChannelPhone.text(Lang::De), "Telefon");
        assert_eq!(Word::ChannelPhone.text(Lang::En), "Phone");
        assert_eq!(Word::ChannelNone.text(Lang::De), "Keine Angabe");
    }

    #[test]
    fn placeholders_are_filled() {
        let check = |text: &str, want: &str| {
            assert_eq!(fill(text, &[("n", &3), ("name", &"Anna")]), want, "{text}")
        };
        check("{n} neu", "3 neu");
        check("„{name}“ ({n})", "„Anna“ (3)");
        check("{other} bleibt", "{other} bleibt");
        check("offen {", "offen {");
        check("", "");
        assert_eq!(
            Word::CliPossibleDuplicates.fill(Lang::En, &[("n", &2)]),
            "2 possible duplicates."
        );
    }
}
