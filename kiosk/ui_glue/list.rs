//! `ListAdapter`: the customer list. Every key in the search field starts a search (same search
//! as the server's), filters and sort narrow it, the rows come from the lazy
//! [`CustomerListModel`]; opened cards are remembered for quick access. A tapped row opens its
//! card through the shell ([`Screen::Card`]).

use super::format::{count, initials, list_name};
use super::list_model::{fetch_page, with_model, CustomerListModel, Source};
use super::shell::{self, Screen, Wire};
use super::ui::{CustomerRow, ListAdapter, MainWindow};
use super::{customer_id, Ctx};
use kartei_core::i18n::Word;
use kartei_core::model::NoteKind;
use kartei_core::search::{Filter, SearchRequest, Sort};
use slint::{ComponentHandle, ModelRc, SharedString, VecModel};
use std::sync::Arc;

pub const FILTERS: [Filter; 5] = [
    Filter::All,
    Filter::WithBookings,
    Filter::NoRecentVisit,
    Filter::Regular,
    Filter::New,
];
pub const SORTS: [Sort; 4] = [Sort::NameAsc, Sort::NameDesc, Sort::LastVisit, Sort::Newest];

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<ListAdapter>();
    adapter.set_rows(ModelRc::new(CustomerListModel::new(Source {
        kartei: ctx.kartei.clone(),
        worker: ctx.worker.clone(),
        lang: ctx.lang(),
        window: Some(ui.as_weak()),
    })));
    refresh_groups(ui, ctx);

    let wire = Wire::new(ui, ctx);
    adapter.on_search(wire.call_with(|ui, c, text| {
        ui.global::<ListAdapter>().set_query(text);
        search(ui, c);
    }));
    adapter.on_set_filter(wire.call_with(|ui, c, i| {
        ui.global::<ListAdapter>().set_filter(i);
        search(ui, c);
    }));
    adapter.on_set_group(wire.call_with(|ui, c, i| {
        ui.global::<ListAdapter>().set_group(i);
        search(ui, c);
    }));
    adapter.on_next_sort(wire.call(|ui, c| {
        let adapter = ui.global::<ListAdapter>();
        adapter.set_sort((adapter.get_sort() + 1) % SORTS.len() as i32);
        search(ui, c);
    }));
    adapter.on_open(wire.call_with(|ui, c, id| {
        if let Some(id) = customer_id(id) {
            shell::go(ui, c, Screen::Card(id));
        }
    }));
}

/// The group chips, in the order the salon created the groups.
pub fn refresh_groups(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let names: Vec<SharedString> = ctx
        .kartei
        .groups()
        .iter()
        .map(|g| g.name.as_str().into())
        .collect();
    ui.global::<ListAdapter>()
        .set_groups(ModelRc::new(VecModel::from(names)));
}

/// What the search field, the chips and the sort button ask for.
pub fn request(ui: &MainWindow, ctx: &Ctx) -> SearchRequest {
    let adapter = ui.global::<ListAdapter>();
    let index = |i: i32| usize::try_from(i).unwrap_or(0);
    let group = match index(adapter.get_group()) {
        0 => None,
        n => ctx.kartei.groups().get(n - 1).map(|g| g.id),
    };
    SearchRequest {
        q: adapter.get_query().to_string(),
        filter: FILTERS
            .get(index(adapter.get_filter()))
            .copied()
            .unwrap_or_default(),
        sort: SORTS
            .get(index(adapter.get_sort()))
            .copied()
            .unwrap_or_default(),
        group,
        ..Default::default()
    }
}

/// Runs the search the list shows and replaces its rows with the first page.
pub fn search(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let request = request(ui, ctx);
    let mut generation = 0;
    with_model(ui, |model| {
        generation = model.begin(request.clone(), ctx.lang())
    });
    let kartei = ctx.kartei.clone();
    let lang = ctx.lang();
    ctx.worker.run(
        ui,
        move || fetch_page(&kartei, &request, generation, 0, None, 0, lang),
        move |ui, result| {
            let adapter = ui.global::<ListAdapter>();
            match result {
                Ok(page) => {
                    adapter.set_error("".into());
                    with_model(ui, |model| {
                        model.reset(page);
                        adapter.set_total(i32::try_from(model.total()).unwrap_or(i32::MAX));
                        adapter.set_total_text(count(model.total(), lang).into());
                    });
                }
                Err(err) => adapter.set_error(err.user_message(lang).into()),
            }
        },
    );
}

/// The recently opened customers, most recent first.
pub fn refresh_recent(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let lang = ctx.lang();
    let rows: Vec<CustomerRow> = ctx
        .recent()
        .into_iter()
        .filter_map(|id| {
            let view = ctx.kartei.customer_view(id).ok()?;
            let allergy = ctx
                .kartei
                .notes(id)
                .map(|notes| notes.iter().any(|n| n.kind == NoteKind::Allergy))
                .unwrap_or(false);
            let detail = view
                .phones
                .first()
                .map(|p| p.display.clone())
                .or(view.email.clone())
                .unwrap_or_else(|| Word::NoPhone.text(lang).to_string());
            Some(CustomerRow {
                id: i32::try_from(id.0).unwrap_or(i32::MAX),
                name: list_name(&view.first_name, &view.last_name, &view.company).into(),
                detail: detail.into(),
                initials: initials(&view.first_name, &view.last_name, &view.company).into(),
                allergy,
                loaded: true,
                ..Default::default()
            })
        })
        .collect();
    ui.global::<ListAdapter>()
        .set_recent(ModelRc::new(VecModel::from(rows)));
}

/// When a change is shown (from a phone or a save here): search again, keeping query and
/// filters, and bring the recently opened customers up to date.
pub fn refresh(ui: &MainWindow, ctx: &Arc<Ctx>) {
    search(ui, ctx);
    refresh_recent(ui, ctx);
}
