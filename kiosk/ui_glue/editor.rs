//! `EditorAdapter`: the new-customer form and the master-data editor. The rules live in core
//! (`CustomerDraft::validate`); its per-field messages are shown next to the fields. A saved
//! card opens through the shell ([`Screen::Card`]); the list follows the change event.

use super::format::tr;
use super::shell::{self, Screen, Wire};
use super::ui::{EditorAdapter, KeyboardAdapter, MainWindow};
use super::Ctx;
use kartei_core::card::group_names;
use kartei_core::i18n::FieldErrors;
use kartei_core::i18n::Word;
use kartei_core::model::{CustomerDraft, CustomerId, PhoneDraft, Salutation, Source};
use kartei_core::{patch, CoreError, Lang};
use slint::ComponentHandle;
use std::cell::RefCell;
use std::sync::Arc;

/// The card being edited: its id, the version the edit started from, the full draft as loaded
/// (the save sends only the difference to it) and the first phone's display form.
struct Editing {
    id: CustomerId,
    version: u64,
    draft: CustomerDraft,
    phone_display: String,
}

thread_local! {
    static EDITING: RefCell<Option<Editing>> = const { RefCell::new(None) };
}

const SALUTATIONS: [Salutation; 4] = [
    Salutation::None,
    Salutation::Frau,
    Salutation::Herr,
    Salutation::Divers,
];

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<EditorAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_save(wire.call(save));
    adapter.on_cancel(wire.call(
        |ui, c| match EDITING.with(|e| e.borrow().as_ref().map(|e| e.id)) {
            Some(id) => shell::go(ui, c, Screen::Card(id)),
            None => shell::go(ui, c, Screen::List),
        },
    ));
}

fn fill(ui: &MainWindow, draft: &CustomerDraft, phone: &str, is_new: bool) {
    let a = ui.global::<EditorAdapter>();
    a.set_is_new(is_new);
    a.set_salutation(
        SALUTATIONS
            .iter()
            .position(|s| *s == draft.salutation)
            .unwrap_or(0) as i32,
    );
    a.set_first_name(draft.first_name.as_str().into());
    a.set_last_name(draft.last_name.as_str().into());
    a.set_phone(phone.into());
    a.set_email(draft.email.as_str().into());
    a.set_birthday(draft.birthday.as_str().into());
    a.set_street(draft.address.street.as_str().into());
    a.set_postal_code(draft.address.postal_code.as_str().into());
    a.set_city(draft.address.city.as_str().into());
    show_errors(ui, &FieldErrors::default(), Lang::De);
    a.set_form_error("".into());
}

/// Prepares [`Screen::NewCustomer`]: an empty card ("+ Neuer Kunde").
pub fn open_new(ui: &MainWindow) {
    EDITING.with(|e| *e.borrow_mut() = None);
    fill(ui, &CustomerDraft::default(), "", true);
}

/// Prepares [`Screen::Edit`]: the master data of `id`, for editing. `false` (with the reason on
/// screen) when the card cannot be read.
pub fn open_edit(ui: &MainWindow, ctx: &Arc<Ctx>, id: CustomerId) -> bool {
    let lang = ctx.lang();
    let customer = match ctx.kartei.customer(id) {
        Ok(c) => c,
        Err(err) => {
            shell::show_error(ui, &err.user_message(lang));
            return false;
        }
    };
    let mut draft = CustomerDraft::from_customer(
        &customer,
        group_names(&customer.groups, &ctx.kartei.groups()),
    );
    if let Some(b) = customer.birthday {
        draft.birthday = b.display();
    }
    let phone_display = customer
        .phones
        .first()
        .map(|p| p.display())
        .unwrap_or_default();
    fill(ui, &draft, &phone_display, false);
    EDITING.with(|e| {
        *e.borrow_mut() = Some(Editing {
            id,
            version: customer.version,
            draft,
            phone_display,
        })
    });
    ctx.set_open_card(Some(id));
    true
}

/// The draft as the form shows it, on top of the card being edited.
fn draft(ui: &MainWindow) -> CustomerDraft {
    let a = ui.global::<EditorAdapter>();
    let (mut draft, phone_display) = EDITING.with(|e| match &*e.borrow() {
        Some(e) => (e.draft.clone(), e.phone_display.clone()),
        None => (CustomerDraft::default(), String::new()),
    });
    draft.salutation = usize::try_from(a.get_salutation())
        .ok()
        .and_then(|i| SALUTATIONS.get(i).copied())
        .unwrap_or_default();
    draft.first_name = a.get_first_name().to_string();
    draft.last_name = a.get_last_name().to_string();
    let phone = a.get_phone().trim().to_string();
    if phone != phone_display {
        match (phone.is_empty(), draft.phones.is_empty()) {
            (true, false) => {
                draft.phones.remove(0);
            }
            (false, true) => draft.phones.push(PhoneDraft {
                number: phone,
                ..Default::default()
            }),
            (false, false) => draft.phones[0].number = phone,
            (true, true) => {}
        }
    }
    draft.email = a.get_email().trim().to_string();
    draft.birthday = a.get_birthday().trim().to_string();
    draft.address.street = a.get_street().to_string();
    draft.address.postal_code = a.get_postal_code().trim().to_string();
    draft.address.city = a.get_city().to_string();
    draft
}

fn show_errors(ui: &MainWindow, errors: &FieldErrors, lang: Lang) {
    let a = ui.global::<EditorAdapter>();
    let text = |fields: &[&str]| {
        fields
            .iter()
            .find_map(|f| errors.get(f))
            .map(|m| m.text(lang))
            .unwrap_or_default()
            .into()
    };
    a.set_first_name_error(text(&["first_name"]));
    a.set_last_name_error(text(&["last_name", "company"]));
    a.set_phone_error(text(&["phones.0.number"]));
    a.set_email_error(text(&["email"]));
    a.set_birthday_error(text(&["birthday"]));
    a.set_address_error(text(&[
        "address.street",
        "address.postal_code",
        "address.city",
    ]));
}

fn save(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    let draft = draft(ui);
    // An edit sends only what the user changed (a merge patch against the card as loaded), so
    // fields this form does not show, or that another device saved meanwhile, stay as they are.
    let editing = EDITING.with(|e| {
        e.borrow()
            .as_ref()
            .map(|e| (e.id, e.version, patch::draft_diff(&e.draft, &draft)))
    });
    let (kartei, user, c) = (ctx.kartei.clone(), ctx.user(), ctx.clone());
    ctx.worker.run(
        ui,
        move || match editing {
            Some((id, version, changes)) => kartei.patch_customer(id, version, &changes, &user),
            None => kartei.create_customer(&draft, Source::Manual, &user),
        },
        move |ui, result| {
            let a = ui.global::<EditorAdapter>();
            match result {
                Ok(customer) => {
                    ui.global::<KeyboardAdapter>().set_visible(false);
                    EDITING.with(|e| *e.borrow_mut() = None);
                    shell::show_message(ui, Word::Saved.text(lang));
                    // The list follows the change event; the card opens with what was saved.
                    shell::show_changes(ui, &c);
                    shell::go(ui, &c, Screen::Card(customer.id));
                }
                Err(CoreError::Invalid(errors)) => {
                    show_errors(ui, &errors, lang);
                    a.set_form_error(
                        tr(
                            lang,
                            "Bitte die markierten Felder prüfen.",
                            "Please check the marked fields.",
                        )
                        .into(),
                    );
                }
                Err(err) => a.set_form_error(err.user_message(lang).into()),
            }
        },
    );
}
