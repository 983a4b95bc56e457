//! Deterministic, realistic German demo data: names with umlauts and ß, valid phone numbers,
//! e-mails, birthdays, groups, notes (some allergies and colour formulas) and about ten
//! appointments per customer over three years. The same seed always gives the same card file.

use crate::error::Result;
use crate::model::*;
use crate::store::BulkCustomer;
use crate::Kartei;
use chrono::{DateTime, Duration, NaiveDate, Utc};

const FIRST_NAMES: &[&str] = &[
    "Anna",
    "Emma",
    "Mia",
    "Sophie",
    "Lea",
    "Hannah",
    "Lena",
    "Marie",
    "Lara",
    "Jana",
    "Käthe",
    "Jürgen",
    "Jörg",
    "Sören",
    "Björn",
    "Günter",
    "Uwe",
    "Thomas",
    "Michael",
    "Andreas",
    "Stefan",
    "Christian",
    "Jonas",
    "Lukas",
    "Felix",
    "Maximilian",
    "Paul",
    "Ömer",
    "Zoë",
    "Chloé",
    "Renée",
    "Gisela",
    "Ursula",
    "Brigitte",
    "Sabine",
    "Petra",
    "Claudia",
    "Monika",
    "Susanne",
    "Heike",
    "Katrin",
    "Nicole",
    "Julia",
    "Laura",
    "Sarah",
    "Ayşe",
    "Elif",
    "Zeynep",
    "Mehmet",
    "Ali",
    "Dörte",
    "Hülya",
    "Mareike",
    "Frauke",
    "Gesa",
    "Wiebke",
    "Anke",
    "Birgit",
    "Doris",
    "Elke",
];

const LAST_NAMES: &[&str] = &[
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Schäfer",
    "Koch",
    "Bauer",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
    "Braun",
    "Krüger",
    "Hofmann",
    "Hartmann",
    "Lange",
    "Schmitt",
    "Werner",
    "Schmitz",
    "Krause",
    "Meier",
    "Lehmann",
    "Schmid",
    "Schulze",
    "Maier",
    "Köhler",
    "Herrmann",
    "König",
    "Walter",
    "Mayer",
    "Huber",
    "Kaiser",
    "Fuchs",
    "Peters",
    "Lang",
    "Scholz",
    "Möller",
    "Weiß",
    "Jung",
    "Hahn",
    "Schubert",
    "Vogel",
    "Friedrich",
    "Keller",
    "Günther",
    "Frank",
    "Berger",
    "Winkler",
    "Roth",
    "Beck",
    "Lorenz",
    "Baumann",
    "Franke",
    "Albrecht",
    "Böhm",
    "Winter",
    "Krämer",
    "Vogt",
    "Jäger",
    "Sommer",
    "Groß",
    "Seidel",
    "Brandt",
    "Haas",
    "Graf",
    "Dietrich",
    "Ziegler",
    "Kühn",
    "Pohl",
    "Engel",
    "Horn",
    "Busch",
    "Bergmann",
    "Voigt",
    "Öztürk",
    "Yılmaz",
    "Kowalski",
    "Nowak",
    "Straßer",
    "Weißmann",
    "Großmann",
    "Strauß",
    "Süß",
    "Mößner",
    "Bäcker",
    "Özdemir",
    "Schäfer-Lüdtke",
    "von der Heide",
    "Dąbrowski",
];

const CITIES: &[(&str, &str, &str)] = &[
    ("10115", "Berlin", "030"),
    ("80331", "München", "089"),
    ("20095", "Hamburg", "040"),
    ("50667", "Köln", "0221"),
    ("60311", "Frankfurt am Main", "069"),
    ("70173", "Stuttgart", "0711"),
    ("40213", "Düsseldorf", "0211"),
    ("04109", "Leipzig", "0341"),
    ("01067", "Dresden", "0351"),
    ("90402", "Nürnberg", "0911"),
];

const STREETS: &[&str] = &[
    "Hauptstraße",
    "Schulstraße",
    "Gartenstraße",
    "Bahnhofstraße",
    "Dorfstraße",
    "Bergstraße",
    "Lindenstraße",
    "Kirchstraße",
    "Am Markt",
    "Goethestraße",
    "Schillerstraße",
    "Mühlenweg",
    "Königsallee",
    "Rosenweg",
    "Birkenweg",
    "Großer Burstah",
    "Weißenseer Weg",
];

const DOMAINS: &[&str] = &[
    "web.de",
    "gmx.de",
    "t-online.de",
    "gmail.com",
    "posteo.de",
    "outlook.de",
];

/// (name, minutes, cents, needs a patch test)
pub const SERVICES: &[(&str, u32, u32, bool)] = &[
    ("Damenhaarschnitt", 60, 5800, false),
    ("Herrenhaarschnitt", 30, 2900, false),
    ("Waschen & Föhnen", 30, 2500, false),
    ("Färben", 90, 7900, true),
    ("Strähnen", 120, 9900, true),
    ("Balayage", 150, 14900, true),
    ("Dauerwelle", 120, 8900, false),
    ("Kinderhaarschnitt", 20, 1500, false),
    ("Bartpflege", 20, 1500, false),
    ("Hochsteckfrisur", 60, 6500, false),
    ("Pflegekur", 20, 1500, false),
    ("Augenbrauen zupfen", 15, 1200, false),
];

const STAFF: &[&str] = &["Lena", "Mehmet", "Sabine", "Jonas", "Aylin"];

const ALLERGIES: &[&str] = &[
    "Reagiert auf PPD (Paraphenylendiamin)",
    "Nickelallergie",
    "Duftstoffallergie – nur parfümfreie Produkte",
    "Empfindliche Kopfhaut, kein Ammoniak",
];

const PREFERENCES: &[&str] = &[
    "Mag es kurz im Nacken, Pony nicht zu kurz",
    "Trinkt gern Cappuccino mit Hafermilch",
    "Möchte während der Behandlung nicht reden",
    "Bevorzugt Termine am Samstagvormittag",
];

/// SplitMix64: tiny, fast and the same on every platform, so demo data is reproducible.
pub struct DemoRng(u64);

impl DemoRng {
    pub fn new(seed: u64) -> DemoRng {
        DemoRng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            0
        } else {
            self.next_u64() % n
        }
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// Makes sure the demo service catalog exists; returns it.
pub fn ensure_services(kartei: &Kartei) -> Result<Vec<Service>> {
    let mut services = kartei.services()?;
    for (name, minutes, cents, patch) in SERVICES {
        if !services.iter().any(|s| s.name == *name) {
            services.push(kartei.create_service(&ServiceDraft {
                name: name.to_string(),
                duration_minutes: *minutes,
                price_cents: *cents,
                requires_patch_test: *patch,
            })?);
        }
    }
    Ok(services)
}

/// Adds `count` demo customers, in batches of `batch` per transaction. `progress` is called
/// with the number written so far.
pub fn generate(
    kartei: &Kartei,
    count: usize,
    seed: u64,
    mut progress: impl FnMut(usize),
) -> Result<()> {
    let services = ensure_services(kartei)?;
    let groups = kartei.groups();
    let group_id = |name: &str| groups.iter().find(|g| g.name == name).map(|g| g.id);
    let (stamm, neu, vip) = (
        group_id("Stammkunde"),
        group_id("Neukunde"),
        group_id("VIP"),
    );
    let now = kartei.now();
    let mut rng = DemoRng::new(seed);
    const BATCH: usize = 2_000;
    let mut written = 0;
    while written < count {
        let n = BATCH.min(count - written);
        let batch: Vec<BulkCustomer> = (0..n)
            .map(|i| customer(&mut rng, written + i, now, &services, [stamm, neu, vip]))
            .collect();
        kartei.bulk_insert(batch)?;
        written += n;
        progress(written);
    }
    kartei.flush_index()
}

fn customer(
    rng: &mut DemoRng,
    serial: usize,
    now: DateTime<Utc>,
    services: &[Service],
    [stamm, neu, vip]: [Option<GroupId>; 3],
) -> BulkCustomer {
    let first = *rng.pick(FIRST_NAMES);
    let last = *rng.pick(LAST_NAMES);
    let (postal_code, city, area) = *rng.pick(CITIES);
    let mut phones = Vec::new();
    if rng.chance(90) {
        let prefix = *rng.pick(&[
            "151", "152", "157", "160", "170", "171", "172", "175", "176",
        ]);
        let digits = if prefix.starts_with("15") {
            8
        } else {
            7 + rng.below(2) as u32
        };
        let subscriber = rng.below(10u64.pow(digits - 1) * 9) + 10u64.pow(digits - 1);
        phones.push(Phone::from_e164(
            PhoneLabel::Mobile,
            format!("+49{prefix}{subscriber}"),
        ));
    }
    if phones.is_empty() || rng.chance(25) {
        let subscriber = rng.below(9_000_000) + 1_000_000;
        let number = format!("+49{}{subscriber}", &area[1..]);
        phones.push(Phone::from_e164(PhoneLabel::Private, number));
    }
    let email = rng.chance(70).then(|| {
        let local = format!(
            "{}.{}{}",
            crate::search::text::fold_umlaut_e(first),
            crate::search::text::fold_umlaut_e(last),
            serial % 1000
        );
        Email::parse(&format!("{local}@{}", rng.pick(DOMAINS))).ok()
    });
    let birthday = match rng.below(10) {
        0 => None,
        1 => Some(Birthday::DayMonth {
            day: 1 + rng.below(28) as u32,
            month: 1 + rng.below(12) as u32,
        }),
        _ => NaiveDate::from_ymd_opt(
            1940 + rng.below(68) as i32,
            1 + rng.below(12) as u32,
            1 + rng.below(28) as u32,
        )
        .map(Birthday::Full),
    };

    let visits = match rng.below(10) {
        0 => 0,
        1..=3 => 1 + rng.below(4),
        _ => 5 + rng.below(21),
    };
    let since_days = 30 + rng.below(4 * 365) as i64;
    let created = now - Duration::days(since_days);
    let staff = rng.pick(STAFF).to_string();
    let main_service = rng.pick(services).id;
    let mut appointments = Vec::new();
    let span = since_days.min(3 * 365);
    for _ in 0..visits {
        let day = rng.below(span as u64) as i64;
        let start = day_at(now - Duration::days(day), 9 + rng.below(9) as u32);
        let mut ids = vec![if rng.chance(70) {
            main_service
        } else {
            rng.pick(services).id
        }];
        if rng.chance(30) {
            ids.push(rng.pick(services).id);
        }
        ids.dedup();
        let status = match rng.below(20) {
            0 => AppointmentStatus::Cancelled,
            1 => AppointmentStatus::NoShow,
            _ => AppointmentStatus::Completed,
        };
        appointments.push(appointment(start, ids, &staff, status, services));
    }
    if visits > 0 && rng.chance(15) {
        let start = day_at(
            now + Duration::days(1 + rng.below(60) as i64),
            9 + rng.below(9) as u32,
        );
        appointments.push(appointment(
            start,
            vec![main_service],
            &staff,
            AppointmentStatus::Booked,
            services,
        ));
    }
    appointments.sort_by_key(|a| a.start);

    let mut notes = Vec::new();
    let note = |kind: NoteKind, text: &str, formula: Option<ColourFormula>| Note {
        id: NoteId(0),
        customer_id: CustomerId(0),
        kind,
        text: text.to_string(),
        author: staff.clone(),
        created_at: created,
        updated_at: created,
        pinned: kind == NoteKind::Allergy,
        formula,
    };
    if rng.chance(5) {
        let allergy: &&str = rng.pick(ALLERGIES);
        notes.push(note(NoteKind::Allergy, allergy, None));
    }
    if rng.chance(20) {
        let preference: &&str = rng.pick(PREFERENCES);
        notes.push(note(NoteKind::Preference, preference, None));
    }
    if services
        .iter()
        .any(|s| s.id == main_service && s.requires_patch_test)
    {
        let shade = format!("{}/{}", 4 + rng.below(6), rng.below(8));
        let formula = ColourFormula {
            products: format!("Koleston {shade} 30 g + 6/0 30 g"),
            developer: "6 %".into(),
            processing_minutes: Some(30 + 5 * rng.below(4) as u32),
            result: "Gleichmäßig, Ansatz gut abgedeckt".into(),
        };
        notes.push(note(NoteKind::ColourFormula, "", Some(formula)));
    }

    let recent = appointments
        .iter()
        .filter(|a| a.start > now - Duration::days(365))
        .count();
    let mut groups = Vec::new();
    if recent >= 3 {
        groups.extend(stamm);
    }
    if since_days < 90 {
        groups.extend(neu);
    }
    if rng.chance(3) {
        groups.extend(vip);
    }
    let marketing = rng.chance(40);
    let consent = |given: bool| Consent {
        given,
        at: Some(created),
        by: staff.clone(),
        how: "persönlich".into(),
        confirmed: false,
    };
    let customer = Customer {
        id: CustomerId(0),
        version: 1,
        salutation: if rng.chance(75) {
            Salutation::Frau
        } else {
            Salutation::Herr
        },
        title: if rng.chance(3) {
            "Dr.".into()
        } else {
            String::new()
        },
        first_name: first.to_string(),
        last_name: last.to_string(),
        company: String::new(),
        phones,
        email: email.flatten(),
        address: Address {
            street: format!("{} {}", rng.pick(STREETS), 1 + rng.below(120)),
            postal_code: postal_code.to_string(),
            city: city.to_string(),
            country: "DE".into(),
        },
        birthday,
        preferred_contact: *rng.pick(&[
            ContactChannel::Phone,
            ContactChannel::Sms,
            ContactChannel::Email,
        ]),
        groups,
        stylist: staff.clone(),
        reminder_consent: consent(true),
        marketing_consent: consent(marketing),
        consent_log: vec![],
        source: Source::Manual,
        customer_since: created.date_naive(),
        deactivated: false,
        anonymised: false,
        created_at: created,
        updated_at: created,
    };
    BulkCustomer {
        customer,
        notes,
        appointments,
    }
}

fn day_at(day: DateTime<Utc>, hour: u32) -> DateTime<Utc> {
    day.date_naive()
        .and_hms_opt(hour, 0, 0)
        .map(|t| t.and_utc())
        .unwrap_or(day)
}

fn appointment(
    start: DateTime<Utc>,
    services_booked: Vec<ServiceId>,
    staff: &str,
    status: AppointmentStatus,
    catalog: &[Service],
) -> Appointment {
    let minutes: u32 = services_booked
        .iter()
        .filter_map(|id| catalog.iter().find(|s| s.id == *id))
        .map(|s| s.duration_minutes)
        .sum();
    Appointment {
        id: AppointmentId(0),
        customer_id: CustomerId(0),
        start,
        end: start + Duration::minutes(i64::from(minutes.max(15))),
        services: services_booked,
        staff: staff.to_string(),
        status,
        note: String::new(),
        created_at: start - Duration::days(14),
        updated_at: start,
    }
}
