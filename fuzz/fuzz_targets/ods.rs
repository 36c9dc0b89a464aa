//! The Ods reader on arbitrary bytes. A panic inside it is contained (as in the app) and not a
//! finding; aborts, out-of-memory, stack overflows, hangs and sanitizer reports are.
#![no_main]
use libfuzzer_sys::fuzz_target;
use schreibstube_documents::{fuzzing, DocumentType};

fuzz_target!(|data: &[u8]| {
    schreibstube_fuzz::quiet_panics();
    let _ = fuzzing::read_as(DocumentType::Ods, data);
});
