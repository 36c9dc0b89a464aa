//! The whole pipeline (detection, the reader it picks, recursion into attachments).
#![no_main]
use libfuzzer_sys::fuzz_target;
use schreibstube_documents::{extract_bytes, fuzzing};

fuzz_target!(|data: &[u8]| {
    schreibstube_fuzz::quiet_panics();
    let _ = fuzzing::detect(data, "datei.pdf");
    let _ = extract_bytes("datei", data, &fuzzing::options());
});
