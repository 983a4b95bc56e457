//! Times the phases of opening a card file: `cargo run --release -p kartei-core --example open_phases DIR`.
fn main() {
    let dir = std::env::args().nth(1).expect("DIR");
    let t = std::time::Instant::now();
    let store =
        kartei_core::store::Store::open(&std::path::Path::new(&dir).join("kartei.redb")).unwrap();
    println!("store open {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut n = 0;
    let mut phones = Vec::new();
    store
        .for_each_facts(|f| {
            n += 1;
            phones.extend(f.customer.phones);
            Ok(())
        })
        .unwrap();
    println!("facts {n} {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let d: usize = phones.iter().map(|p| p.display().len()).sum();
    println!("phone display x{} {:?} {d}", phones.len(), t.elapsed());
}
