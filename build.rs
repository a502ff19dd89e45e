//! Links the `ogel-schema` executable position-dependent (non-PIE) on Linux with glibc.
//!
//! A PIE executable is relocated by the dynamic loader at every start: ~37,800 pointers in
//! 164 pages of `.data.rel.ro` written before `main`, ~0.5 ms of a 2.7 ms pre-commit run on
//! three files (docs/performance.md, "Start-up"). Linked at a fixed address, the linker
//! resolves them once and the loader maps those pages from the file as they are read. The
//! code is still compiled position-independent (rustc's default); shared libraries, the
//! stack and the heap keep their random addresses, only the executable's own image does not.
//! Build with `OGEL_SCHEMA_PIE=1` set to keep a PIE executable. Benches and tests are linked
//! as cargo links them (`-bins` only).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=OGEL_SCHEMA_PIE");
    let target = |key: &str| std::env::var(key).unwrap_or_default();
    if target("CARGO_CFG_TARGET_OS") == "linux"
        && target("CARGO_CFG_TARGET_ENV") == "gnu"
        && std::env::var_os("OGEL_SCHEMA_PIE").is_none()
    {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
