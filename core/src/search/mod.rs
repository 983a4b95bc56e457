//! Search, filters, sorting and pagination of the customer list: the heart of the product.
//!
//! - [`text`]: folding and the terms a customer is found by.
//! - [`query`]: what was typed → clauses.
//! - [`index`]: tantivy plus the overlay of not yet committed changes → matching ids.
//! - [`rows`]: the in-memory list rows → filter, sort, keyset cursor, total.
//!
//! Ranking: customers matching every word exactly (as prefixes) come first, in the chosen sort
//! order; customers found only through a typo come after them, in the same order.

pub mod index;
pub mod indexer;
pub mod query;
pub mod rows;
pub mod text;

use crate::error::{CoreError, Result};
use crate::i18n::Msg;
use crate::model::{Birthday, CustomerId, Group, GroupId};
use chrono::{DateTime, NaiveDate, Utc};
use rows::{PhoneView, Row, Rows};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    #[default]
    All,
    /// At least one appointment that is not cancelled.
    WithBookings,
    /// Visited before, but not within the last `no_visit_days` (default 90).
    NoRecentVisit,
    /// 3 or more visits in the last 12 months.
    Regular,
    /// First visit within the last 90 days, or no visit yet.
    New,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sort {
    #[default]
    NameAsc,
    NameDesc,
    /// Most recent visit first; never visited last.
    LastVisit,
    /// Most recently created first.
    Newest,
}

impl std::str::FromStr for Filter {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
            format!("unknown filter {s:?} (all, with_bookings, no_recent_visit, regular, new)")
        })
    }
}

impl std::str::FromStr for Sort {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        serde_json::from_value(serde_json::Value::String(s.to_string()))
            .map_err(|_| format!("unknown sort {s:?} (name_asc, name_desc, last_visit, newest)"))
    }
}

pub const DEFAULT_PAGE: usize = 50;

/// Typo-tolerant matches are looked for only when the exact matches are fewer than this: typo
/// tolerance rescues a search that finds too little; next to hundreds of exact matches, names one
/// letter off are noise (and "schm" would pull in every "sch…" name).
pub const TYPO_RESCUE_BELOW: usize = 50;
pub const MAX_PAGE: usize = 500;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    pub q: String,
    pub filter: Filter,
    pub group: Option<GroupId>,
    pub sort: Sort,
    /// Page size; 0 means [`DEFAULT_PAGE`]; capped at [`MAX_PAGE`].
    pub limit: usize,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
    /// Deactivated customers are hidden unless asked for.
    pub include_deactivated: bool,
}

/// One customer as lists show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListItem {
    pub id: CustomerId,
    pub first_name: String,
    pub last_name: String,
    pub company: String,
    pub phones: Vec<PhoneView>,
    pub email: Option<String>,
    pub birthday: Option<Birthday>,
    pub last_visit: Option<NaiveDate>,
    pub groups: Vec<String>,
    /// The customer has an allergy note: show the warning sign.
    pub allergy: bool,
    pub deactivated: bool,
    /// Found only with a typo tolerated.
    pub fuzzy: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SearchPage {
    pub items: Vec<ListItem>,
    pub next_cursor: Option<String>,
    pub total: usize,
}

/// What the list needs besides the rows: the time and the salon's settings.
pub struct ListContext<'a> {
    pub now: DateTime<Utc>,
    pub no_visit_days: u32,
    pub groups: &'a [Group],
}

impl ListContext<'_> {
    pub fn item(&self, row: &Row, fuzzy: bool) -> ListItem {
        ListItem {
            id: row.id,
            first_name: row.first_name.clone(),
            last_name: row.last_name.clone(),
            company: row.company.clone(),
            phones: row.phones.clone(),
            email: row.email.clone(),
            birthday: row.birthday,
            last_visit: row
                .last_visit(self.now.timestamp())
                .and_then(text::local_day),
            groups: row
                .groups
                .iter()
                .filter_map(|g| {
                    self.groups
                        .iter()
                        .find(|x| x.id == *g)
                        .map(|x| x.name.clone())
                })
                .collect(),
            allergy: row.allergy,
            deactivated: row.deactivated,
            fuzzy,
        }
    }

    fn passes(&self, row: &Row, request: &SearchRequest) -> bool {
        if row.deactivated && !request.include_deactivated {
            return false;
        }
        if let Some(group) = request.group {
            if !row.groups.contains(&group) {
                return false;
            }
        }
        let now = self.now.timestamp();
        const DAY: i64 = 86_400;
        match request.filter {
            Filter::All => true,
            Filter::WithBookings => row.bookings > 0,
            Filter::NoRecentVisit => row
                .last_visit(now)
                .is_some_and(|last| last < now - i64::from(self.no_visit_days) * DAY),
            Filter::Regular => row.visits_between(now - 365 * DAY, now) >= 3,
            Filter::New => row
                .first_visit(now)
                .is_none_or(|first| first >= now - 90 * DAY),
        }
    }
}

/// A position in a sorted result: after which entry the next page starts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Position {
    tier: u8,
    text: String,
    num: i64,
    id: u64,
}

impl Position {
    fn encode(&self) -> String {
        let json = serde_json::to_vec(self).unwrap_or_default();
        json.iter().map(|b| format!("{b:02x}")).collect()
    }

    fn decode(cursor: &str) -> Result<Position> {
        let bad = || CoreError::invalid("cursor", Msg::InvalidInput);
        if !cursor.len().is_multiple_of(2) || cursor.len() > 2048 {
            return Err(bad());
        }
        // Byte pairs, not string slices: a cursor from the network may hold multibyte characters.
        let bytes: Vec<u8> = cursor
            .as_bytes()
            .chunks_exact(2)
            .map(|pair| {
                let digit = |b: u8| (b as char).to_digit(16);
                Some((digit(pair[0])? * 16 + digit(pair[1])?) as u8)
            })
            .collect::<Option<_>>()
            .ok_or_else(bad)?;
        serde_json::from_slice(&bytes).map_err(|_| bad())
    }
}

/// A candidate row with its tier (0 exact, 1 typo-tolerant).
#[derive(Clone, Copy)]
struct Candidate<'a> {
    tier: u8,
    num: i64,
    /// Copied from the row so that most comparisons need no pointer chase.
    prefix: u64,
    row: &'a Row,
}

/// Sorts and pages `candidates` (rows that matched the text query, with their tier) and counts
/// those passing the filters.
pub fn page(
    rows: &Rows,
    matched: Option<(Vec<CustomerId>, Vec<CustomerId>)>,
    request: &SearchRequest,
    ctx: &ListContext,
) -> Result<SearchPage> {
    let limit = match request.limit {
        0 => DEFAULT_PAGE,
        n => n.min(MAX_PAGE),
    };
    page_of(rows, matched, request, ctx, limit)
}

/// [`page`] with any page size (`usize::MAX`: everything, for exports).
pub fn page_of<'r>(
    rows: &'r Rows,
    matched: Option<(Vec<CustomerId>, Vec<CustomerId>)>,
    request: &SearchRequest,
    ctx: &ListContext,
    limit: usize,
) -> Result<SearchPage> {
    let after = request
        .cursor
        .as_deref()
        .map(Position::decode)
        .transpose()?;
    let now = ctx.now.timestamp();
    let num_of = |row: &Row| match request.sort {
        Sort::NameAsc | Sort::NameDesc => 0,
        Sort::LastVisit => row.last_visit(now).map(|t| -t).unwrap_or(i64::MAX),
        Sort::Newest => -row.created_at,
    };
    let mut total = 0usize;
    let mut candidates: Vec<Candidate<'r>> = Vec::new();
    let mut consider = |tier: u8, row: &'r Row| {
        if !ctx.passes(row, request) {
            return;
        }
        total += 1;
        candidates.push(Candidate {
            tier,
            num: num_of(row),
            prefix: row.sort_prefix,
            row,
        });
    };
    match &matched {
        None => rows.iter().for_each(|row| consider(0, row)),
        Some((exact, fuzzy)) => {
            for (tier, ids) in [(0u8, exact), (1u8, fuzzy)] {
                for id in ids {
                    if let Some(row) = rows.get(*id) {
                        consider(tier, row);
                    }
                }
            }
        }
    }

    let descending_name = request.sort == Sort::NameDesc;
    let cmp = |a: &Candidate, b: &Candidate| -> Ordering {
        a.tier.cmp(&b.tier).then_with(|| {
            let primary = a.num.cmp(&b.num).then_with(|| {
                a.prefix
                    .cmp(&b.prefix)
                    .then_with(|| a.row.sort_key.cmp(&b.row.sort_key))
            });
            let by_id = a.row.id.cmp(&b.row.id);
            if descending_name {
                primary.then(by_id).reverse()
            } else {
                primary.then(by_id)
            }
        })
    };
    if let Some(pos) = &after {
        let is_after = |c: &Candidate| -> bool {
            let ord = c.tier.cmp(&pos.tier).then_with(|| {
                let primary = c
                    .num
                    .cmp(&pos.num)
                    .then_with(|| c.row.sort_key.as_str().cmp(pos.text.as_str()));
                let by_id = c.row.id.0.cmp(&pos.id);
                if descending_name {
                    primary.then(by_id).reverse()
                } else {
                    primary.then(by_id)
                }
            });
            ord == Ordering::Greater
        };
        candidates.retain(is_after);
    }
    let more = candidates.len() > limit;
    if more {
        candidates.select_nth_unstable_by(limit, cmp);
        candidates.truncate(limit);
    }
    candidates.sort_unstable_by(cmp);
    let next_cursor = match (more, candidates.last()) {
        (true, Some(last)) => Some(
            Position {
                tier: last.tier,
                text: last.row.sort_key.clone(),
                num: last.num,
                id: last.row.id.0,
            }
            .encode(),
        ),
        _ => None,
    };
    Ok(SearchPage {
        items: candidates
            .iter()
            .map(|c| ctx.item(c.row, c.tier == 1))
            .collect(),
        next_cursor,
        total,
    })
}

#[cfg(test)]
mod tests {
    use super::Position;

    #[test]
    fn a_cursor_round_trips() {
        let position = Position {
            tier: 1,
            text: "müller anna".into(),
            num: -7,
            id: 42,
        };
        let decoded = Position::decode(&position.encode()).expect("own cursor decodes");
        assert_eq!(decoded.text, "müller anna");
        assert_eq!((decoded.tier, decoded.num, decoded.id), (1, -7, 42));
    }

    #[test]
    fn a_cursor_with_multibyte_characters_is_refused_not_a_panic() {
        // `a%C3%A9b` from the network: four bytes, but slicing at byte 2 would split the `é`.
        for cursor in ["aéb", "éé", "zz", "7", "ä1", "7b22"] {
            assert!(
                Position::decode(cursor).is_err(),
                "{cursor:?} must be refused"
            );
        }
    }
}
