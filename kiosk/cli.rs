//! The command line: `kartei [--data DIR] [COMMAND]`.

use clap::{Parser, Subcommand};
use kartei_core::search::{Filter, Sort};
use kartei_core::Lang;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kartei",
    version,
    about = "Kartei – die Kundenkartei für den Salon"
)]
pub struct Args {
    /// The data folder (default: $KARTEI_DATA, else ~/.local/share/kartei).
    #[arg(long, global = true, env = "KARTEI_DATA")]
    pub data: Option<PathBuf>,

    /// Language of messages: de or en.
    #[arg(long, global = true, env = "KARTEI_LANG")]
    pub lang: Option<String>,

    /// Run without the kiosk window even if a display is there (the LAN server only).
    #[arg(long)]
    pub headless: bool,

    /// How the LAN server runs (`kartei serve` and the appliance default).
    #[command(flatten)]
    pub serve: ServeOptions,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How the LAN server runs (`kartei serve`, and the appliance default).
#[derive(Debug, Clone, clap::Args)]
pub struct ServeOptions {
    /// The address and port the LAN server listens on.
    #[arg(
        long,
        global = true,
        env = "KARTEI_LISTEN",
        default_value = "0.0.0.0:8080"
    )]
    pub listen: std::net::SocketAddr,
    /// Do not advertise the appliance on the LAN (mDNS).
    #[arg(long, global = true)]
    pub no_mdns: bool,
    /// The mDNS host name: NAME → NAME.local.
    #[arg(long, global = true, default_value = "kartei")]
    pub name: String,
    /// Where the kiosk looks for mounted USB sticks (folders separated by `:`).
    #[arg(
        long,
        global = true,
        env = "KARTEI_USB_ROOTS",
        value_delimiter = ':',
        default_value = "/media:/run/media"
    )]
    pub usb_roots: Vec<std::path::PathBuf>,
    /// More names phones may use to reach the appliance (e.g. `kartei.fritz.box`, from the
    /// router's DNS), besides its IP addresses, `localhost`, NAME.local and the system host
    /// name. Requests for any other name are refused (DNS rebinding).
    #[arg(
        long = "allow-host",
        global = true,
        env = "KARTEI_ALLOW_HOSTS",
        value_delimiter = ','
    )]
    pub allow_hosts: Vec<String>,
}

/// `kartei staff …`.
#[derive(Debug, Subcommand)]
pub enum StaffCommand {
    /// Add a staff member who can log in with a PIN (4–12 digits).
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        pin: String,
        #[arg(long, default_value = "staff")]
        role: kartei_core::model::Role,
    },
    /// List the staff members.
    List,
    /// Remove a staff member.
    Remove { name: String },
}

impl Args {
    pub fn lang(&self) -> Lang {
        match self.lang.as_deref() {
            Some(l) => Lang::from_accept_language(l),
            None => Lang::De,
        }
    }

    /// The data folder: `--data`, `$KARTEI_DATA`, or the user's data directory.
    pub fn data_dir(&self) -> anyhow::Result<PathBuf> {
        if let Some(dir) = &self.data {
            return Ok(dir.clone());
        }
        dirs::data_dir()
            .map(|d| d.join("kartei"))
            .ok_or_else(|| anyhow::anyhow!("no data folder: pass --data DIR or set KARTEI_DATA"))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fill the card file with deterministic German demo data.
    Demo {
        /// How many customers to add.
        #[arg(long, default_value_t = 1000)]
        customers: usize,
        /// Seed of the generator (the same seed gives the same data).
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Search the customer list and print the first page.
    Search {
        /// What you would type into the search box.
        #[arg(default_value = "")]
        query: String,
        #[arg(long, default_value = "all")]
        filter: Filter,
        #[arg(long, default_value = "name_asc")]
        sort: Sort,
        /// Only customers of this group.
        #[arg(long)]
        group: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Print the dashboard figures.
    Stats,
    /// Rebuild the search index from the store.
    Reindex,
    /// Print the record of processing activities (DSGVO Art. 30) as Markdown, to check and sign.
    GdprRecord,
    /// Render every kiosk screen at 1280×800 and 800×480 to PNG (no display needed; demo data).
    Screenshots {
        /// The folder for the PNG files.
        #[arg(long, default_value = "docs/screenshots")]
        out: PathBuf,
    },
    /// Run the LAN server (JSON API and phone web app) without a screen.
    Serve,
    /// Manage the staff members who log in on phones and at the kiosk.
    Staff {
        #[command(subcommand)]
        command: StaffCommand,
    },
    /// List the Kartei appliances on the LAN (mDNS).
    Discover {
        /// How long to listen for answers.
        #[arg(long, default_value_t = 3)]
        seconds: u64,
    },
    /// Export customers, appointments and notes to an Excel file (a filtered list exports just
    /// that list).
    Export {
        /// The file to write (`kunden.xlsx`).
        #[arg(long)]
        out: PathBuf,
        /// Only customers found by this search.
        #[arg(long, default_value = "")]
        q: String,
        #[arg(long, default_value = "all")]
        filter: Filter,
        #[arg(long, default_value = "name_asc")]
        sort: Sort,
        /// Only customers of this group.
        #[arg(long)]
        group: Option<String>,
    },
    /// Import contacts from a vCard (.vcf), CSV or Excel (.xlsx) file: shows a preview, then
    /// asks (or takes every new and merged row with --yes).
    Import {
        file: PathBuf,
        /// Only show what would happen.
        #[arg(long)]
        dry_run: bool,
        /// Take every new and merged row without asking.
        #[arg(long)]
        yes: bool,
    },
    /// Write a backup of the card file (also while the appliance runs: it is then asked to take
    /// it). Without --out: to the automatic backups' folder and every USB stick, verified and
    /// thinned like the nightly backup.
    Backup {
        /// The folder for the backup file (`kartei-backup-YYYYMMDD-HHMMSS.tar`).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Restore a backup into the data folder, which must not hold a card file yet (--data).
    Restore {
        file: PathBuf,
        /// Only check the backup and show what would be restored; write nothing.
        #[arg(long)]
        dry_run: bool,
    },
    /// List cards that are probably the same person.
    Duplicates,
    /// Merge card REMOVE into card KEEP (notes and appointments move; KEEP's values stay unless
    /// named with --take).
    Merge {
        keep: u64,
        remove: u64,
        /// Fields where REMOVE's value wins (email, birthday, address, …).
        #[arg(long, value_delimiter = ',')]
        take: Vec<String>,
        /// Merge without asking.
        #[arg(long)]
        yes: bool,
    },
}
