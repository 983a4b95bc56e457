//! `kartei staff add|list|remove`: the staff members who log in with a PIN (stored only as an
//! argon2 hash).

use crate::cli::StaffCommand;
use kartei_core::i18n::Word;
use kartei_core::model::Role;
use kartei_core::{Kartei, Lang};

pub fn run(kartei: &Kartei, lang: Lang, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { name, pin, role } => {
            let staff = kartei.add_staff(&name, &pin, role)?;
            println!(
                "{}",
                Word::CliStaffAdded.fill(
                    lang,
                    &[
                        ("name", &staff.name),
                        ("role", &role_label(staff.role, lang))
                    ]
                )
            );
        }
        StaffCommand::List => {
            let staff = kartei.staff()?;
            if staff.is_empty() {
                println!("{}", Word::CliNoStaff.text(lang));
            }
            for s in staff {
                let since =
                    Word::CliStaffSince.fill(lang, &[("date", &s.created_at.format("%d.%m.%Y"))]);
                println!("{:<24} {:<12} {since}", s.name, role_label(s.role, lang));
            }
        }
        StaffCommand::Remove { name } => {
            kartei.remove_staff(&name)?;
            println!("{}", Word::CliStaffRemoved.fill(lang, &[("name", &name)]));
        }
    }
    Ok(())
}

fn role_label(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Owner => Word::RoleOwner,
        Role::Staff => Word::RoleStaff,
    }
    .text(lang)
}
