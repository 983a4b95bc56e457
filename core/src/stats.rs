//! The dashboard figures, computed from the in-memory list rows (no disk access).

use crate::search::rows::Rows;
use crate::search::{ListContext, ListItem};
use chrono::{Datelike, Duration, Local, NaiveDate, TimeZone};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthVisits {
    /// `2026-11`.
    pub month: String,
    pub visits: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Active (not deactivated) customers.
    pub total_customers: usize,
    /// Cards created since Monday of this week.
    pub new_this_week: usize,
    /// 3 or more visits in the last 12 months.
    pub regulars: usize,
    /// 1 or 2 visits in the last 12 months.
    pub occasional: usize,
    /// The last 12 months including this one, oldest first.
    pub visits_per_month: Vec<MonthVisits>,
    pub birthdays_today: Vec<ListItem>,
}

pub fn compute(rows: &Rows, ctx: &ListContext, today: NaiveDate) -> Stats {
    let now = ctx.now.timestamp();
    let year_ago = now - 365 * 86_400;
    let monday = today - Duration::days(i64::from(today.weekday().num_days_from_monday()));
    let week_start = local_midnight(monday);
    let months: Vec<NaiveDate> = (0..12)
        .rev()
        .filter_map(|back| {
            let first = today.with_day(1)?;
            first.checked_sub_months(chrono::Months::new(back))
        })
        .collect();
    let bounds: Vec<i64> = months
        .iter()
        .map(|m| local_midnight(*m))
        .chain(std::iter::once(now + 1))
        .collect();
    let mut visits = vec![0usize; months.len()];
    let (mut total, mut new_this_week, mut regulars, mut occasional) = (0, 0, 0, 0);
    let mut birthdays = Vec::new();
    for row in rows.iter() {
        if row.deactivated {
            continue;
        }
        total += 1;
        if row.created_at >= week_start {
            new_this_week += 1;
        }
        match row.visits_between(year_ago, now) {
            0 => {}
            1 | 2 => occasional += 1,
            _ => regulars += 1,
        }
        if let (Some(&first), Some(&end)) = (bounds.first(), bounds.last()) {
            let lo = row.visit_starts.partition_point(|s| *s < first);
            let hi = row.visit_starts.partition_point(|s| *s < end);
            for start in &row.visit_starts[lo..hi] {
                let month = bounds.partition_point(|b| b <= start).saturating_sub(1);
                if let Some(v) = visits.get_mut(month) {
                    *v += 1;
                }
            }
        }
        if row.birthday.is_some_and(|b| b.is_on(today)) {
            birthdays.push(row);
        }
    }
    birthdays.sort_by(|a, b| a.sort_key.cmp(&b.sort_key));
    Stats {
        total_customers: total,
        new_this_week,
        regulars,
        occasional,
        visits_per_month: months
            .iter()
            .zip(visits)
            .map(|(m, v)| MonthVisits {
                month: m.format("%Y-%m").to_string(),
                visits: v,
            })
            .collect(),
        birthdays_today: birthdays.into_iter().map(|r| ctx.item(r, false)).collect(),
    }
}

fn local_midnight(day: NaiveDate) -> i64 {
    let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    Local
        .from_local_datetime(&naive)
        .earliest()
        .map(|t| t.timestamp())
        .unwrap_or_else(|| naive.and_utc().timestamp())
}
