//! Compiles the kiosk's Slint UI (`kiosk/ui/app.slint`) with debug info, so that UI tests can
//! find elements by their accessible labels, and bundles the English translation
//! (`kiosk/ui/translations/en/LC_MESSAGES/kartei.po`; the source strings are German).

use slint_build::{CompilerConfiguration, DefaultTranslationContext};

fn main() {
    let config = CompilerConfiguration::new()
        .with_style("fluent-light".into())
        .with_debug_info(true)
        .with_bundled_translations("kiosk/ui/translations")
        .with_default_translation_context(DefaultTranslationContext::None);
    if let Err(err) = slint_build::compile_with_config("kiosk/ui/app.slint", config) {
        eprintln!("kiosk/ui: {err}");
        std::process::exit(1);
    }
}
