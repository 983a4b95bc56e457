//! The appliance's own code besides the command line: the reception kiosk, a Slint touch UI
//! over `kartei-core`.
//!
//! - [`ui_glue`]: the compiled `.slint` UI (`kiosk/ui/`) and one controller per adapter global.

pub mod ui_glue;
