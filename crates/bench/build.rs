//! Builds the C++ reference of `make bench` against the static llama.cpp libraries that
//! llama-cpp-sys-2 just built for the engine (found through its `links = "llama"` metadata), so
//! both sides run the same compiled ggml code.

use std::path::PathBuf;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=reference/reference.cpp");
    let cmake_dir = PathBuf::from(std::env::var("DEP_LLAMA_GGML_CMAKE_DIR").expect("llama-cpp-sys-2 metadata"));
    // …/out/lib/cmake → …/out
    let out_root = cmake_dir.ancestors().nth(2).expect("llama-cpp-sys-2 out dir").to_path_buf();
    let lib = out_root.join("lib");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("llama-reference");
    let cxx = std::env::var("CXX").unwrap_or_else(|_| "c++".into());
    let status = Command::new(&cxx)
        .args(["-O2", "-std=c++17", "reference/reference.cpp", "-o"])
        .arg(&out)
        .arg(format!("-I{}", out_root.join("include").display()))
        .arg(format!("-L{}", lib.display()))
        .args(["-Wl,--start-group", "-lllama", "-lggml", "-lggml-cpu", "-lggml-base", "-Wl,--end-group"])
        .args(["-fopenmp", "-lpthread", "-ldl", "-lm"])
        .status()
        .expect("C++ compiler for the benchmark reference");
    assert!(status.success(), "building the benchmark reference failed");
    println!("cargo:rustc-env=LLAMA_REFERENCE_BIN={}", out.display());
    // The flags llama.cpp was built with, for the report.
    let cache = std::fs::read_to_string(out_root.join("build/CMakeCache.txt")).unwrap_or_default();
    let flags: Vec<String> = cache
        .lines()
        .filter(|l| ["GGML_NATIVE:", "GGML_OPENMP:", "CMAKE_BUILD_TYPE:", "GGML_AVX512:", "GGML_AVX2:"].iter().any(|k| l.starts_with(k)))
        .map(|l| l.replace(":BOOL", "").replace(":STRING", ""))
        .collect();
    println!("cargo:rustc-env=LLAMA_BUILD_FLAGS={}", flags.join(" "));
}
