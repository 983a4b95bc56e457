//! The card's photo gallery (part of `CardAdapter`, tab [`TAB`]): thumbnails newest / oldest /
//! favourites, mark as favourite, delete after asking. Photos are added from the phones;
//! thumbnails are decoded off the UI thread. After a change the shell shows the changes: the
//! app reloads the open card and, while this tab is open, the gallery.

use super::format::local_date;
use super::shell::{self, Wire};
use super::ui::{CardAdapter, MainWindow, PhotoTile};
use super::Ctx;
use kartei_core::i18n::Word;
use kartei_core::model::{CustomerId, PhotoId};
use kartei_core::photos::{Photo, PhotoFilter, PhotoPatch};
use kartei_core::{Kartei, Lang};
use slint::{ComponentHandle, Image, ModelRc, Rgb8Pixel, SharedPixelBuffer, VecModel};
use std::sync::Arc;

const FILTERS: [PhotoFilter; 3] = [
    PhotoFilter::Newest,
    PhotoFilter::Oldest,
    PhotoFilter::Favourites,
];

/// The card's tab that shows the gallery.
pub const TAB: i32 = 4;

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let a = ui.global::<CardAdapter>();
    let wire = Wire::new(ui, ctx);
    a.on_set_photo_filter(wire.call_with(|ui, c, i| {
        if let Some(id) = c.open_card() {
            ui.global::<CardAdapter>().set_photo_filter(i);
            load(ui, c, id);
        }
    }));
    a.on_toggle_favourite(wire.call_with(|ui, c, photo: i32| {
        if let Ok(photo) = u64::try_from(photo) {
            change(ui, c, PhotoId(photo), false);
        }
    }));
    a.on_delete_photo(wire.call_with(|ui, c, photo: i32| {
        if let Ok(photo) = u64::try_from(photo) {
            ui.global::<CardAdapter>().set_confirm_delete(-1);
            change(ui, c, PhotoId(photo), true);
        }
    }));
}

/// A thumbnail ready for the UI thread (pixel buffers may cross threads, images may not).
struct Thumb {
    photo: Photo,
    pixels: Option<SharedPixelBuffer<Rgb8Pixel>>,
}

fn thumbs(kartei: &Kartei, id: CustomerId, filter: PhotoFilter) -> kartei_core::Result<Vec<Thumb>> {
    Ok(kartei
        .photos(id, filter)?
        .into_iter()
        .map(|photo| {
            let pixels = kartei
                .photo_thumb(photo.id)
                .ok()
                .and_then(|data| image::load_from_memory(&data.bytes).ok())
                .map(|img| {
                    let rgb = img.to_rgb8();
                    SharedPixelBuffer::clone_from_slice(rgb.as_raw(), rgb.width(), rgb.height())
                });
            Thumb { photo, pixels }
        })
        .collect())
}

fn tile(thumb: Thumb, lang: Lang) -> PhotoTile {
    let p = &thumb.photo;
    PhotoTile {
        id: i32::try_from(p.id.0).unwrap_or(-1),
        picture: thumb.pixels.map(Image::from_rgb8).unwrap_or_default(),
        caption: if p.caption.is_empty() {
            p.kind.label(lang).into()
        } else {
            format!("{} · {}", p.kind.label(lang), p.caption).into()
        },
        meta: format!("{} · {}", local_date(p.taken_at), p.added_by).into(),
        favourite: p.favourite,
    }
}

/// Loads the gallery of the open card with the chosen filter.
pub fn load(ui: &MainWindow, ctx: &Arc<Ctx>, id: CustomerId) {
    let filter = usize::try_from(ui.global::<CardAdapter>().get_photo_filter())
        .ok()
        .and_then(|i| FILTERS.get(i).copied())
        .unwrap_or_default();
    let (kartei, lang, c) = (ctx.kartei.clone(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || thumbs(&kartei, id, filter),
        move |ui, result| {
            if c.open_card() != Some(id) {
                return;
            }
            match result {
                Ok(list) => {
                    let tiles: Vec<PhotoTile> = list.into_iter().map(|t| tile(t, lang)).collect();
                    ui.global::<CardAdapter>()
                        .set_photos(ModelRc::new(VecModel::from(tiles)));
                }
                Err(err) => shell::show_error(ui, &err.user_message(lang)),
            }
        },
    );
}

fn change(ui: &MainWindow, ctx: &Arc<Ctx>, photo: PhotoId, delete: bool) {
    if ctx.open_card().is_none() {
        return;
    }
    let (kartei, lang, c) = (ctx.kartei.clone(), ctx.lang(), ctx.clone());
    ctx.worker.run(
        ui,
        move || {
            if delete {
                kartei.delete_photo(photo)
            } else {
                let current = kartei.photo(photo)?;
                let patch = PhotoPatch {
                    favourite: Some(!current.favourite),
                    ..Default::default()
                };
                kartei.update_photo(photo, &patch).map(|_| ())
            }
        },
        move |ui, result| match result {
            Ok(()) => {
                if delete {
                    shell::show_message(ui, Word::PhotoDeleted.text(lang));
                }
                // The card (its photo count) and this gallery follow the change event.
                shell::show_changes(ui, &c);
            }
            Err(err) => shell::show_error(ui, &err.user_message(lang)),
        },
    );
}
