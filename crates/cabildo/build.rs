//! Link options for the `cabildo` binary.

fn main() {
    let linux = std::env::var("CARGO_CFG_TARGET_OS").is_ok_and(|os| os == "linux");
    let gnu = std::env::var("CARGO_CFG_TARGET_ENV").is_ok_and(|env| env == "gnu");
    if linux && gnu {
        // Relative relocations packed (DT_RELR, glibc ≥ 2.36, binutils ≥
        // 2.38): at every start the loader reads a few kilobytes instead of
        // ~900 KB of relocation entries, which short commands such as
        // `cabildo budget results` feel (bench/budget-results).
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}
