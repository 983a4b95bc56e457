//! `KeyboardAdapter`: the on-screen keys become key events of the window, so they reach
//! whichever text field has the focus exactly as a hardware keyboard's would.

use super::shell::Wire;
use super::ui::{KeyboardAdapter, MainWindow};
use super::Ctx;
use slint::platform::{Key, WindowEvent};
use slint::{ComponentHandle, SharedString};
use std::sync::Arc;

pub fn setup(ui: &MainWindow, ctx: &Arc<Ctx>) {
    let adapter = ui.global::<KeyboardAdapter>();
    let wire = Wire::new(ui, ctx);
    adapter.on_key(wire.call_with(|ui, _, text: SharedString| {
        for c in text.chars() {
            press(ui, SharedString::from(c.to_string().as_str()));
        }
    }));
    adapter.on_backspace(wire.call(|ui, _| press(ui, Key::Backspace.into())));
    adapter.on_enter(wire.call(|ui, _| {
        press(ui, Key::Return.into());
        ui.global::<KeyboardAdapter>().set_visible(false);
    }));
}

/// Sends one key press and release to the focused element.
pub fn press(ui: &MainWindow, text: SharedString) {
    let window = ui.window();
    window.dispatch_event(WindowEvent::KeyPressed { text: text.clone() });
    window.dispatch_event(WindowEvent::KeyReleased { text });
}
