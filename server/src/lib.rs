//! Kartei server.
