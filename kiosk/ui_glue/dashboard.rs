//! `DashboardAdapter`: the figures of `Kartei::stats` (from memory, no disk access), the bar
//! chart of visits per month, today's birthdays, the backup status line with "Jetzt
//! sichern" (owners), and for owners how long a phone session lasts ("Kürzer"/"Länger" step
//! through the core's choices; the LAN server follows at the sessions' next request).

use super::format::{count, customer_row, date, initials};
use super::shell::{self, Wire};
use super::ui::{CustomerRow, DashboardAdapter, MainWindow, MonthBar};
use super::Ctx;
use kartei_core::backup::Health;
use kartei_core::i18n::Word;
use kartei_core::model::Role;
use kartei_core::retention::RetentionCandidate;
use kartei_core::settings::SESSION_IDLE_CHOICES;
use kartei_core::Lang;
use slint::{ComponentHandle, ModelRc, VecModel};
use std::sync::Arc;

const MONTHS_DE: [&str; 12] = [
    "Jan", "Feb", "Mär", "Apr", "Mai", "Jun", "Jul", "Aug", "Sep", "Okt", "Nov", "Dez",
];
const MONTHS_EN: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `2026-11` → `Nov`.
fn month_label(month: &str, lang: Lang) -> String {
    let names = if lang == Lang::De {
        &MONTHS_DE
    } else {
        &MONTHS_EN
    };
    month
        .split('-')
        .nth(1)
        .and_then(|m| m.parse::<usize>().ok())
        .and_then(|m| names.get(m.wrapping_sub(1)))
        .map(|s| s.to_string())
        .unwrap_or_else(|| month.to_string())
}

/// Sets the session length one choice shorter (`step` −1) or longer (+1) than now.
fn step_session_idle(ui: &MainWindow, c: &Arc<Ctx>, step: isize) {
    let now = u32::try_from(c.kartei.session_idle().as_secs() / 60).unwrap_or(u32::MAX);
    let choices = SESSION_IDLE_CHOICES;
    // The choice now (or, for a value set through the API between two choices, the next one
    // in the direction of the step).
    let next = if step < 0 {
        choices.iter().rev().find(|&&m| m < now)
    } else {
        choices.iter().find(|&&m| m > now)
    };
    if let Some(&minutes) = next {
        if let Err(err) = c.kartei.set_session_idle_minutes(c.role(), minutes) {
            shell::show_error(ui, &err.user_message(c.lang()));
        }
    }
    show_session_idle(ui, c);
}

/// The session length line (owners only).
pub fn show_session_idle(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<DashboardAdapter>();
    a.set_is_owner(ctx.role() == Role::Owner);
    let minutes = ctx.kartei.session_idle().as_secs() / 60;
    a.set_session_idle(duration_text(minutes, ctx.lang()).into());
}

/// `15 Minuten`, `1 Stunde`, `12 Stunden` (the same words the phone app uses).
pub fn duration_text(minutes: u64, lang: Lang) -> String {
    match minutes {
        60 => Word::DurationOneHour.text(lang).to_string(),
        m if m % 60 == 0 => Word::DurationHours.fill(lang, &[("n", &(m / 60))]),
        m => Word::DurationMinutes.fill(lang, &[("n", &m)]),
    }
}

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<DashboardAdapter>();
    a.on_session_shorter(Wire::new(ui, ctx).call(|ui, c| step_session_idle(ui, c, -1)));
    a.on_session_longer(Wire::new(ui, ctx).call(|ui, c| step_session_idle(ui, c, 1)));
    ui.global::<DashboardAdapter>()
        .on_backup_now(Wire::new(ui, ctx).call(|ui, c| {
            let lang = c.lang();
            let started = kartei_core::backup::automatic::check_may_manage(c.role())
                .and_then(|()| c.kartei.start_backups(c.usb_roots()));
            if let Err(err) = started {
                shell::show_error(ui, &err.user_message(lang));
            }
            refresh_backup(ui, c);
        }));
}

/// The backup status line (from memory: the status is kept by the core). Shown again when the
/// core announces `BackupsChanged`.
pub fn refresh_backup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let summary = ctx
        .kartei
        .backup_status()
        .summary(ctx.kartei.now(), ctx.lang());
    let a = ui.global::<DashboardAdapter>();
    a.set_backup_text(summary.text.into());
    a.set_backup_good(summary.health == Health::Good);
    a.set_backup_running(ctx.kartei.backup_running());
}

/// Shows how many customers are due for the retention review and the first few (owners
/// only; the line is empty for staff and when nobody is due).
fn show_retention(ui: &MainWindow, ctx: &Arc<Ctx>, due: &[RetentionCandidate]) {
    const SHOWN: usize = 4;
    let a = ui.global::<DashboardAdapter>();
    let lang = ctx.lang();
    let text = match due.len() {
        0 => String::new(),
        n => format!(
            "{} · {}",
            Word::Retention.fill(lang, &[("years", &ctx.kartei.settings().retention_years)]),
            count(n, lang)
        ),
    };
    a.set_retention_text(text.into());
    let rows: Vec<CustomerRow> = due
        .iter()
        .take(SHOWN)
        .map(|c| CustomerRow {
            id: i32::try_from(c.id.0).unwrap_or(i32::MAX),
            name: c.name.as_str().into(),
            detail: match c.last_visit {
                Some(day) => Word::RetentionLastVisit.fill(lang, &[("when", &date(day))]),
                None => Word::RetentionNeverVisited.fill(lang, &[("when", &date(c.created))]),
            }
            .into(),
            initials: initials(&c.name, "", "").into(),
            ..Default::default()
        })
        .collect();
    a.set_retention_due(ModelRc::new(VecModel::from(rows)));
}

pub fn refresh(ui: &MainWindow, ctx: &Arc<Ctx>) {
    refresh_backup(ui, ctx);
    show_session_idle(ui, ctx);
    let kartei = ctx.kartei.clone();
    let lang = ctx.lang();
    let role = ctx.role();
    let c = ctx.clone();
    ctx.worker.run(
        ui,
        // Off the UI thread: the review reads every due card from the store.
        move || {
            let due = match role {
                Role::Owner => kartei.retention_review(role)?,
                Role::Staff => Vec::new(),
            };
            Ok((kartei.stats(), due))
        },
        move |ui, result| {
            let (stats, due) = match result {
                Ok(both) => both,
                Err(err) => return shell::show_error(ui, &err.user_message(lang)),
            };
            show_retention(ui, &c, &due);
            let a = ui.global::<DashboardAdapter>();
            let int = |n: usize| i32::try_from(n).unwrap_or(i32::MAX);
            a.set_total(count(stats.total_customers, lang).into());
            a.set_new_this_week(count(stats.new_this_week, lang).into());
            a.set_regulars(count(stats.regulars, lang).into());
            a.set_occasional(count(stats.occasional, lang).into());
            let bars: Vec<MonthBar> = stats
                .visits_per_month
                .iter()
                .map(|m| MonthBar {
                    label: month_label(&m.month, lang).into(),
                    value: int(m.visits),
                })
                .collect();
            a.set_max_visits(bars.iter().map(|b| b.value).max().unwrap_or(1).max(1));
            a.set_visits(ModelRc::new(VecModel::from(bars)));
            let birthdays: Vec<CustomerRow> = stats
                .birthdays_today
                .iter()
                .map(|i| customer_row(i, lang))
                .collect();
            a.set_birthdays(ModelRc::new(VecModel::from(birthdays)));
        },
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_text(15, Lang::De), "15 Minuten");
        assert_eq!(duration_text(60, Lang::De), "1 Stunde");
        assert_eq!(duration_text(720, Lang::De), "12 Stunden");
        assert_eq!(duration_text(90, Lang::En), "90 minutes");
        assert_eq!(duration_text(1440, Lang::En), "24 hours");
    }

    #[test]
    fn month_labels() {
        assert_eq!(month_label("2026-03", Lang::De), "Mär");
        assert_eq!(month_label("2026-10", Lang::En), "Oct");
        assert_eq!(month_label("garbage", Lang::De), "garbage");
    }
}
