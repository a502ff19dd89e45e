//! How the executable starts (build.rs, src/main.rs): settings that exist only for speed
//! (docs/performance.md, "Start-up"), checked so a toolchain or dependency update that
//! silently undoes them fails here instead of showing up as a slower benchmark.

use assert_cmd::Command;
use assert_cmd::cargo::cargo_bin;

/// build.rs links the executable at a fixed address (ELF type `ET_EXEC`, 2) unless it was
/// built with `OGEL_SCHEMA_PIE` set (then `ET_DYN`, 3, as cargo links by default).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn the_executable_is_linked_without_pie() {
    let bytes = std::fs::read(cargo_bin("ogel-schema")).unwrap();
    assert_eq!(&bytes[..4], b"\x7fELF");
    let e_type = u16::from_le_bytes([bytes[16], bytes[17]]);
    let expected = if option_env!("OGEL_SCHEMA_PIE").is_some() {
        3
    } else {
        2
    };
    assert_eq!(e_type, expected, "ELF e_type (2 = EXEC, 3 = DYN/PIE)");
}

/// src/main.rs sets two mimalloc options by their index in mimalloc's option table; its
/// verbose start-up output lists every option by name, so a renumbered table shows here.
#[cfg(all(target_os = "linux", not(feature = "system-alloc")))]
#[test]
fn mimalloc_options_are_set_by_name() {
    let out = Command::cargo_bin("ogel-schema")
        .unwrap()
        .arg("--version")
        .env("MIMALLOC_VERBOSE", "1")
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("option 'destroy_on_exit': 2"), "{stderr}");
    assert!(
        stderr.contains("option 'arena_reserve': 65536 KiB"),
        "{stderr}"
    );
}
