//! A calibration taken while other processes keep every core busy is used
//! by the engine that took it but never stored: a cache file must not
//! hand a crowded machine's models to every later process. (Its own test
//! binary: the load it makes would slow other tests' measurements.)

#![cfg(target_os = "linux")]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use hetero::problems::pi::PiKernel;
use hetero::{Engine, Pi};

/// A busy loop per core, in other processes, stopped when dropped (also
/// when the test fails).
struct Load(Vec<Child>);

impl Load {
    fn on_every_core() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let loops = (0..cores)
            .map(|_| {
                Command::new("sh")
                    .args(["-c", "while :; do :; done"])
                    .stdin(Stdio::null())
                    .spawn()
                    .expect("sh starts")
            })
            .collect();
        // Let them reach the scheduler before anything is measured.
        std::thread::sleep(Duration::from_millis(300));
        Self(loops)
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A fresh cache folder for one test, and an engine keeping its models
/// there (its load check as `check` says).
fn engine_in(test: &str, check: bool) -> (std::path::PathBuf, Engine) {
    let dir = std::env::temp_dir().join(format!("hetero-auto-{test}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let engine = Engine::with_threads(2)
        .unwrap()
        .with_load_check(check)
        .with_calibration_dir(Some(dir.clone()));
    (dir, engine)
}

#[test]
fn models_measured_on_a_busy_machine_are_used_but_not_stored() {
    let (dir, engine) = engine_in("busy", true);
    let kernel = PiKernel::new(&Pi::new(5_000_000, 1).unwrap());

    let load = Load::on_every_core();
    let busy = engine.calibration().explain_reduce(&kernel);
    drop(load);
    let busy = busy.unwrap();

    let cores = busy
        .busy
        .unwrap_or_else(|| panic!("a busy loop on every core went unseen: {busy}"));
    assert!(cores >= 0.5, "{busy}");
    assert!(busy.to_string().contains("not stored"), "{busy}");
    assert!(busy.predictions.iter().all(|p| p.measured_now), "{busy}");
    // Nothing of it in the cache file.
    let file = busy.cache_file.clone().expect("a cache file path");
    let stored = std::fs::read_to_string(&file).unwrap_or_default();
    assert!(!stored.contains("PiKernel"), "{stored}");

    // This engine decides with them until told to forget them; then it
    // measures again.
    assert_eq!(engine.calibration().forget_busy(), 1);
    let again = engine.calibration().explain_reduce(&kernel).unwrap();
    assert!(again.predictions.iter().all(|p| p.measured_now), "{again}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_engine_told_not_to_check_the_load_stores_what_it_measured() {
    let (dir, engine) = engine_in("unchecked", false);
    let kernel = PiKernel::new(&Pi::new(5_000_000, 1).unwrap());
    let load = Load::on_every_core();
    let measured = engine.calibration().explain_reduce(&kernel);
    drop(load);
    let measured = measured.unwrap();
    assert_eq!(measured.busy, None, "{measured}");
    let file = measured.cache_file.clone().expect("a cache file path");
    let stored = std::fs::read_to_string(&file).unwrap();
    assert!(stored.contains("PiKernel"), "{stored}");
    let _ = std::fs::remove_dir_all(&dir);
}
