//! Thread counts for inference on office PCs that are never idle.
//!
//! Generation is memory-bound and runs one small matrix-vector step per token in lock-step across
//! threads: when another process takes a core, one descheduled thread stalls all the others
//! (measured on a 2-core machine: 2 threads fell to 0.6× beside a busy loop and ~0.12× beside a
//! parallel build, while 1 thread kept its pace). So generation uses half the physical cores,
//! leaving headroom for the virus scanner and the mail client; prompt processing is compute-bound
//! and short, so it uses every physical core.

/// Default number of threads for token generation.
pub fn default_generation_threads() -> usize {
    (physical_cores() / 2).clamp(1, 8)
}

/// Default number of threads for prompt processing (batches).
pub fn default_batch_threads() -> usize {
    physical_cores().clamp(1, 16)
}

pub fn physical_cores() -> usize {
    num_cpus::get_physical().max(1)
}
