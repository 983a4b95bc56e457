//! UI flows tested headless with Slint's testing backend.
