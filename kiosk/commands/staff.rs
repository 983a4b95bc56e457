//! `kartei staff add|list|remove`: the staff members who log in with a PIN (stored only as an
//! argon2 hash).

use crate::cli::StaffCommand;
use kartei_core::model::Role;
use kartei_core::Kartei;

pub fn run(kartei: &Kartei, command: StaffCommand) -> anyhow::Result<()> {
    match command {
        StaffCommand::Add { name, pin, role } => {
            let staff = kartei.add_staff(&name, &pin, role)?;
            println!(
                "Zugang für {} angelegt ({}).",
                staff.name,
                role_label(staff.role)
            );
        }
        StaffCommand::List => {
            let staff = kartei.staff()?;
            if staff.is_empty() {
                println!("Keine Zugänge angelegt.");
            }
            for s in staff {
                println!(
                    "{:<24} {:<12} seit {}",
                    s.name,
                    role_label(s.role),
                    s.created_at.format("%d.%m.%Y")
                );
            }
        }
        StaffCommand::Remove { name } => {
            kartei.remove_staff(&name)?;
            println!("Zugang für {name} entfernt.");
        }
    }
    Ok(())
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::Owner => "Inhaber",
        Role::Staff => "Mitarbeiter",
    }
}
