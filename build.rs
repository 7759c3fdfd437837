//! Build script: links the two speech engines' native libraries.
//!
//! - libvosk is not packaged by Debian; `device/setup.sh` unpacks it from the PyPI `vosk`
//!   wheel into `vendor/vosk/<arch>/libvosk.so` (or set `ROOMVOICE_VOSK_LIB_DIR`). It is
//!   linked here with an rpath, so the binary finds it without `LD_LIBRARY_PATH`. This is
//!   done in the build script rather than `.cargo/config.toml` because rustflags there
//!   are silently dropped as soon as `RUSTFLAGS` is set.
//! - PocketSphinx comes from Debian (`libpocketsphinx-dev`), found with pkg-config, plus a
//!   small C shim (`src/speech/pocketsphinx/shim.c`) for what the public API lacks:
//!   resetting the live cepstral mean between utterances, and a grammar's word graph as
//!   arrays (made minimal in Rust before the search is built).
//!
//! - The wake-word detector's TensorFlow Lite C library (`libtensorflowlite_c.so`) comes
//!   from the PyPI `pymicro-wakeword` wheel, unpacked by `device/setup.sh` into
//!   `vendor/tflite/<arch>/` (or set `ROOMVOICE_TFLITE_LIB_DIR`), linked the same way.
//!
//! An installed binary (`device/setup.sh --install`: `/usr/local/bin/roomvoice`, the two
//! libraries in `/usr/local/lib/roomvoice/`) finds them through a second rpath,
//! `$ORIGIN/../lib/roomvoice`; so does a cross-built one copied to a Raspberry Pi
//! (`device/cross-build.sh`: the target's arch picks `vendor/<lib>/aarch64`, and
//! pkg-config is pointed at the arm64 multiarch folder by the script's environment).
//!
//! An engine whose library is missing is left out of the build (cfg `roomvoice_vosk`,
//! `roomvoice_pocketsphinx`) and reports at run time how to install it, so the rest of
//! the crate still builds on a machine that has not run the setup script.

use std::path::PathBuf;

fn main() {
    println!("cargo::rustc-check-cfg=cfg(roomvoice_vosk)");
    println!("cargo::rustc-check-cfg=cfg(roomvoice_pocketsphinx)");
    println!("cargo::rustc-check-cfg=cfg(roomvoice_tflite)");
    link_vosk();
    link_tflite();
    link_pocketsphinx();
    // Where `device/setup.sh --install` puts libvosk and libtensorflowlite_c.
    println!("cargo::rustc-link-arg=-Wl,-rpath,$ORIGIN/../lib/roomvoice");
    // Relative relocations packed (DT_RELR): 1.9 MB of them were read at every start and
    // stayed resident. The binary then needs glibc 2.36 (Debian 12, Raspberry Pi OS
    // bookworm), which ld records as a version dependency (GLIBC_ABI_DT_RELR), so an
    // older system refuses it at start rather than misrunning it.
    println!("cargo::rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
}

/// The folder name setup.sh uses: `uname -m` of the target (not of the build machine).
fn vosk_arch() -> String {
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    match arch.as_str() {
        "arm" => "armv7l".to_string(),
        other => other.to_string(),
    }
}

/// libvosk is opened at run time (`dlopen`, see `src/speech/vosk.rs`), not linked: only
/// its folder goes into the run path.
fn link_vosk() {
    link_vendored(VendoredLibrary {
        name: "vosk",
        env_dir: "ROOMVOICE_VOSK_LIB_DIR",
        vendor_dir: "vosk",
        cfg: "roomvoice_vosk",
        what: "the Vosk engine",
        link: false,
    });
}

/// libtensorflowlite_c for the trained wake-word detector (see `src/speech/wakeword/`).
fn link_tflite() {
    link_vendored(VendoredLibrary {
        name: "tensorflowlite_c",
        env_dir: "ROOMVOICE_TFLITE_LIB_DIR",
        vendor_dir: "tflite",
        cfg: "roomvoice_tflite",
        what: "the trained wake-word detector",
        link: true,
    });
}

/// A shared library that setup unpacks from a PyPI wheel into `vendor/<dir>/<arch>/`.
struct VendoredLibrary {
    /// `lib<name>.so`
    name: &'static str,
    /// An environment variable naming another folder that holds it.
    env_dir: &'static str,
    vendor_dir: &'static str,
    /// The cfg set when it is linked.
    cfg: &'static str,
    /// What is left out of the build without it.
    what: &'static str,
    /// Linked (or only found in the run path, for `dlopen`).
    link: bool,
}

fn link_vendored(library: VendoredLibrary) {
    println!("cargo::rerun-if-env-changed={}", library.env_dir);
    let dir = match std::env::var_os(library.env_dir) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
            root.join("vendor")
                .join(library.vendor_dir)
                .join(vosk_arch())
        }
    };
    let lib = dir.join(format!("lib{}.so", library.name));
    println!("cargo::rerun-if-changed={}", lib.display());
    if !lib.is_file() {
        println!(
            "cargo::warning=lib{} not found at {}: {} is left out of this build; run device/setup.sh to install it",
            library.name,
            lib.display(),
            library.what
        );
        return;
    }
    if library.link {
        println!("cargo::rustc-link-search=native={}", dir.display());
        println!("cargo::rustc-link-lib=dylib={}", library.name);
    }
    println!("cargo::rustc-link-arg=-Wl,-rpath,{}", dir.display());
    println!("cargo::rustc-cfg={}", library.cfg);
}

fn link_pocketsphinx() {
    let library = match pkg_config::Config::new().probe("pocketsphinx") {
        Ok(library) => library,
        Err(e) => {
            println!(
                "cargo::warning=PocketSphinx not found by pkg-config ({e}): the PocketSphinx engine is left out of this build; install libpocketsphinx-dev (device/setup.sh does)"
            );
            return;
        }
    };
    println!("cargo::rerun-if-changed=src/speech/pocketsphinx/shim.c");
    let mut shim = cc::Build::new();
    shim.file("src/speech/pocketsphinx/shim.c").warnings(false);
    for include in &library.include_paths {
        shim.include(include);
    }
    shim.compile("roomvoice_ps_shim");
    println!("cargo::rustc-cfg=roomvoice_pocketsphinx");
}
