//! `kartei screenshots --out DIR`: renders every screen of the kiosk at 1280×800 and 800×480 to
//! PNG with Slint's software renderer, through a small platform around `MinimalSoftwareWindow`
//! (no display, no GPU). The data is a fresh demo card file in a temporary folder, never the
//! salon's customers. The screens are reached as a user reaches them: through the shell's
//! [`Screen`]s and the adapters' callbacks.

use super::shell::{self, Screen};
use super::ui::{
    AppAdapter, CardAdapter, EditorAdapter, ExportAdapter, ImportAdapter, KeyboardAdapter,
    KeyboardLayout, ListAdapter, LockAdapter, MainWindow, OnboardingAdapter, Page,
};
use super::worker::Worker;
use super::Ctx;
use kartei_core::model::Role;
use kartei_core::search::SearchRequest;
use kartei_core::Kartei;
use slint::platform::software_renderer::{MinimalSoftwareWindow, RepaintBufferType};
use slint::platform::{Platform, WindowAdapter};
use slint::{ComponentHandle, PhysicalSize, PlatformError, Rgb8Pixel};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// The two panels the kiosk must work on.
pub const SIZES: [(u32, u32); 2] = [(1280, 800), (800, 480)];

struct ShotPlatform {
    window: Rc<MinimalSoftwareWindow>,
}

impl Platform for ShotPlatform {
    fn create_window_adapter(&self) -> Result<Rc<dyn WindowAdapter>, PlatformError> {
        Ok(self.window.clone())
    }
}

/// Fills `dir` with a demo card file like a salon's after some weeks of use.
pub fn demo_card_file(dir: &Path, customers: usize) -> anyhow::Result<Kartei> {
    let (kartei, _) = Kartei::open(dir)?;
    kartei_core::demo::generate(&kartei, customers, 2026, |_| {})?;
    let mut settings = kartei.settings();
    settings.salon_name = "Salon Haarmonie".into();
    kartei.set_settings(settings)?;
    kartei.add_staff("Sabine", "2468", Role::Owner)?;
    kartei.add_staff("Lena", "1357", Role::Staff)?;
    kartei.add_staff("Mehmet", "8642", Role::Staff)?;
    if let Some(id) = flagged_customer(&kartei) {
        add_sample_photos(&kartei, id)?;
    }
    Ok(kartei)
}

/// Renders every screen in both sizes into `out`; returns the files written.
pub fn render_all(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(out)?;
    let window = MinimalSoftwareWindow::new(RepaintBufferType::NewBuffer);
    slint::platform::set_platform(Box::new(ShotPlatform {
        window: window.clone(),
    }))
    .map_err(|e| anyhow::anyhow!("the screenshot platform could not be installed: {e}"))?;
    let data = tempfile_dir()?;
    let kartei = demo_card_file(&data, 3_000)?;
    let (ui, ctx) = super::build(&kartei, Worker::Inline)?;
    ui.show()?;
    let mut written = Vec::new();
    for (w, h) in SIZES {
        window.set_size(PhysicalSize::new(w, h));
        for (name, prepare) in screens() {
            prepare(&ui, &ctx);
            let path = out.join(format!("kiosk-{name}-{w}x{h}.png"));
            save(&window, w, h, &path)?;
            written.push(path);
        }
    }
    ui.hide()?;
    drop(ui);
    let _ = std::fs::remove_dir_all(&data);
    Ok(written)
}

fn tempfile_dir() -> std::io::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("kartei-screenshots-{}", std::process::id()));
    if dir.exists() {
        std::fs::remove_dir_all(&dir)?;
    }
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

type Prepare = fn(&MainWindow, &Arc<Ctx>);

fn screens() -> Vec<(&'static str, Prepare)> {
    vec![
        ("onboarding", |ui, _| {
            let a = ui.global::<OnboardingAdapter>();
            a.set_salon_name("Salon Haarmonie".into());
            a.set_owner_name("Sabine".into());
            ui.global::<KeyboardAdapter>()
                .set_layout(KeyboardLayout::Text);
            ui.global::<KeyboardAdapter>().set_visible(true);
            ui.global::<AppAdapter>().set_page(Page::Onboarding);
        }),
        ("lock", |ui, ctx| {
            shell::go(ui, ctx, Screen::Lock);
            ui.global::<LockAdapter>().set_selected("Lena".into());
            ui.global::<LockAdapter>().set_pin("13".into());
        }),
        ("list", |ui, ctx| {
            ctx.set_user("Lena", kartei_core::model::Role::Owner);
            let first = ctx.kartei.search(&SearchRequest {
                limit: 3,
                ..Default::default()
            });
            for item in first.map(|p| p.items).unwrap_or_default() {
                ctx.remember(item.id);
            }
            ui.global::<ListAdapter>().set_query("".into());
            shell::go(ui, ctx, Screen::ListAnew);
        }),
        ("search", |ui, _| {
            ui.global::<ListAdapter>().invoke_search("Mü".into());
            ui.global::<KeyboardAdapter>()
                .set_layout(KeyboardLayout::Text);
            ui.global::<KeyboardAdapter>().set_visible(true);
        }),
        ("card", |ui, ctx| {
            ui.global::<KeyboardAdapter>().set_visible(false);
            if let Some(id) = flagged_customer(&ctx.kartei) {
                shell::go(ui, ctx, Screen::Card(id));
            }
        }),
        ("card-notes", |ui, _| ui.global::<CardAdapter>().set_tab(1)),
        ("card-appointments", |ui, _| {
            ui.global::<CardAdapter>().set_tab(2)
        }),
        ("card-history", |ui, _| {
            ui.global::<CardAdapter>().set_tab(3)
        }),
        ("card-photos", |ui, _| {
            let a = ui.global::<CardAdapter>();
            a.set_tab(4);
            a.invoke_set_photo_filter(0);
        }),
        ("new-customer", |ui, ctx| {
            shell::go(ui, ctx, Screen::NewCustomer);
            let a = ui.global::<EditorAdapter>();
            a.set_salutation(1);
            a.set_first_name("Jana".into());
            a.set_email("jana@".into());
            a.invoke_save();
            ui.global::<KeyboardAdapter>()
                .set_layout(KeyboardLayout::Email);
            ui.global::<KeyboardAdapter>().set_visible(true);
        }),
        ("dashboard", |ui, ctx| shell::go(ui, ctx, Screen::Dashboard)),
        ("export", |ui, ctx| {
            ui.global::<ExportAdapter>().set_status("".into());
            shell::go(ui, ctx, Screen::Export)
        }),
        ("export-no-stick", |ui, ctx| {
            // Mount roots with no stick in them: the page says so.
            ctx.set_usb_roots(vec![std::env::temp_dir().join("kartei-no-sticks-here")]);
            ui.global::<ExportAdapter>().invoke_start();
        }),
        ("import", |ui, ctx| {
            if let Err(err) = plug_in_sample_stick(ctx) {
                eprintln!("kartei: the sample stick could not be written: {err}");
            }
            shell::go(ui, ctx, Screen::Import);
        }),
        ("import-preview", |ui, _| {
            ui.global::<ImportAdapter>().invoke_open(0);
        }),
        ("import-bad-file", |ui, _| {
            ui.global::<ImportAdapter>().invoke_back();
            ui.global::<ImportAdapter>().invoke_open(1);
        }),
    ]
}

/// A folder in the (temporary) data folder standing in for a stick labelled INTENSO with phone
/// contacts, a CSV from another system and a damaged file. The contacts include a demo customer
/// with a new note (completes her card), another one as she is (already there) and a broken
/// e-mail address (invalid).
fn plug_in_sample_stick(ctx: &Ctx) -> anyhow::Result<()> {
    let roots = ctx.kartei.data_dir().join("usb");
    let stick = roots.join("INTENSO");
    std::fs::create_dir_all(stick.join("Kontakte"))?;
    std::fs::write(
        stick.join("Kontakte/iPhone-Kontakte.vcf"),
        sample_vcf(&ctx.kartei),
    )?;
    std::fs::write(
        stick.join("Kontakte/kaputt.vcf"),
        (0..2048u32)
            .map(|i| (i * 7919 % 251) as u8)
            .collect::<Vec<u8>>(),
    )?;
    std::fs::write(
        stick.join("Kundenliste Salon Schick.csv"),
        "Vorname;Nachname;Telefon;E-Mail\r\nMarta;Kowalski;0170 5550101;marta.k@example.de\r\n",
    )?;
    ctx.set_usb_roots(vec![roots]);
    ctx.set_mounts_table(Some(format!("/dev/sda1 {} vfat rw 0 0\n", stick.display())));
    Ok(())
}

/// Phone contacts as an iPhone writes them, for the import screens.
pub fn sample_vcf(kartei: &Kartei) -> String {
    let card = |first: &str, last: &str, lines: &str| {
        format!(
            "BEGIN:VCARD\r\nVERSION:3.0\r\nPRODID:-//Apple Inc.//iPhone OS 17.1//EN\r\nN:{last};{first};;;\r\nFN:{first} {last}\r\n{lines}END:VCARD\r\n"
        )
    };
    let mut out = String::new();
    out += &card(
        "Jürgen",
        "Weiß",
        "TEL;type=CELL;type=pref:0171 4455667\r\nEMAIL;type=INTERNET:juergen.weiss@example.de\r\nBDAY:1980-03-15\r\n",
    );
    out += &card("Käthe", "Müller", "TEL;type=CELL:+49 160 2233445\r\n");
    let demo = kartei
        .search(&SearchRequest {
            limit: 40,
            ..Default::default()
        })
        .map(|p| p.items)
        .unwrap_or_default();
    let with_phone: Vec<_> = demo.iter().filter(|i| !i.phones.is_empty()).collect();
    if let Some(known) = with_phone.first() {
        out += &card(
            &known.first_name,
            &known.last_name,
            &format!(
                "TEL;type=CELL:{}\r\nNOTE:Möchte Termine lieber vormittags.\r\n",
                known.phones[0].display
            ),
        );
    }
    out += &card(
        "Sören",
        "Bäcker",
        "TEL;type=HOME:0221 3344556\r\nNOTE:Färbt seit 2019\\, immer 7/1.\r\n",
    );
    out += &card(
        "Sabine",
        "Kraus",
        "EMAIL;type=INTERNET:sabine.kraus(at)example\r\n",
    );
    if let Some(known) = with_phone.get(1) {
        out += &card(
            &known.first_name,
            &known.last_name,
            &format!("TEL;type=CELL:{}\r\n", known.phones[0].display),
        );
    }
    out += &card(
        "Zoë",
        "Schröder",
        "TEL;type=CELL:0160 9876543\r\nEMAIL:zoe.schroeder@example.com\r\nBDAY:--0705\r\n",
    );
    out += &card("Ayşe", "Öztürk", "TEL;type=CELL:+49 176 12345678\r\n");
    out
}

/// A few generated pictures on a card, as the stylists' phones would add them.
pub fn add_sample_photos(
    kartei: &Kartei,
    id: kartei_core::model::CustomerId,
) -> anyhow::Result<()> {
    use kartei_core::photos::{samples, PhotoKind};
    let shots = [
        (PhotoKind::Before, "Ansatz grau", 11),
        (PhotoKind::After, "Kupfer, Stufen", 12),
        (PhotoKind::Inspiration, "Wunschfarbe", 13),
        (PhotoKind::After, "Balayage", 14),
        (PhotoKind::Before, "", 15),
    ];
    for (kind, caption, seed) in shots {
        kartei.add_photo(id, &samples::jpeg(640, 480, seed), kind, caption, "Lena")?;
    }
    Ok(())
}

/// A customer with an allergy and some history, to show the banner.
fn flagged_customer(kartei: &Kartei) -> Option<kartei_core::model::CustomerId> {
    let page = kartei
        .search(&SearchRequest {
            filter: kartei_core::search::Filter::Regular,
            limit: 500,
            ..Default::default()
        })
        .ok()?;
    page.items.iter().find(|i| i.allergy).map(|i| i.id)
}

fn save(window: &MinimalSoftwareWindow, w: u32, h: u32, path: &Path) -> anyhow::Result<()> {
    let mut pixels = vec![Rgb8Pixel::new(0, 0, 0); (w * h) as usize];
    // The first pass lays out and creates list rows; the second draws them settled.
    for _ in 0..2 {
        slint::platform::update_timers_and_animations();
        window.request_redraw();
        window.draw_if_needed(|renderer| {
            renderer.render(&mut pixels, w as usize);
        });
    }
    let bytes: Vec<u8> = pixels.iter().flat_map(|p| [p.r, p.g, p.b]).collect();
    let image = image::RgbImage::from_raw(w, h, bytes)
        .ok_or_else(|| anyhow::anyhow!("the rendered buffer has the wrong size"))?;
    image.save(path)?;
    Ok(())
}
