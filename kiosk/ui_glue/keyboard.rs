//! `KeyboardAdapter`: the on-screen keys become key events of the window, so they reach
//! whichever text field has the focus exactly as a hardware keyboard's would.

use super::ui::{KeyboardAdapter, MainWindow};
use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, SharedString};

pub fn setup(ui: &MainWindow) {
    let adapter = ui.global::<KeyboardAdapter>();
    let weak = ui.as_weak();
    adapter.on_key(move |text| {
        if let Some(ui) = weak.upgrade() {
            for c in text.chars() {
                press(&ui, SharedString::from(c.to_string().as_str()));
            }
        }
    });
    let weak = ui.as_weak();
    adapter.on_backspace(move || {
        if let Some(ui) = weak.upgrade() {
            press(&ui, Key::Backspace.into());
        }
    });
    let weak = ui.as_weak();
    adapter.on_enter(move || {
        if let Some(ui) = weak.upgrade() {
            press(&ui, Key::Return.into());
            ui.global::<KeyboardAdapter>().set_visible(false);
        }
    });
}

/// Sends one key press and release to the focused element.
pub fn press(ui: &MainWindow, text: SharedString) {
    let window = ui.window();
    window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    window.dispatch_event(WindowEvent::KeyReleased { text });
}
