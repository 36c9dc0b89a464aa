//! Thread counts for inference on office PCs that are never idle.
//!
//! Generation runs one small step per token in lock-step across threads, so a thread that another
//! process pushes off its core stalls the others. Measured with `make bench` on a 2-core machine
//! (Gemma 3 270M, tokens/s of the app's real generation path):
//!
//! | background load      | 1 thread | 2 threads |
//! |----------------------|----------|-----------|
//! | none                 | 29.8     | 57.1      |
//! | one busy process     | 29.6     | 26.9      |
//! | two busy processes   | 19.2     | 25.8      |
//!
//! One thread only wins beside exactly one busy process, and then by 10 %, while it halves the
//! speed on an idle PC; `OMP_WAIT_POLICY=PASSIVE` halved idle speed too. So small machines use
//! every physical core; from four cores up one core stays free for the mail client and the virus
//! scanner, which keeps a single busy process from stalling the lock-step. Prompt processing is
//! compute-bound and short, so it uses every physical core. Both are settable (`--threads`,
//! `SCHREIBSTUBE_THREADS`).

/// Default number of threads for token generation.
pub fn default_generation_threads() -> usize {
    generation_threads_for(physical_cores())
}

fn generation_threads_for(physical: usize) -> usize {
    let n = if physical >= 4 { physical - 1 } else { physical };
    n.clamp(1, 8)
}

/// Default number of threads for prompt processing (batches).
pub fn default_batch_threads() -> usize {
    physical_cores().clamp(1, 16)
}

pub fn physical_cores() -> usize {
    num_cpus::get_physical().max(1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn leaves_a_core_free_from_four_cores_up() {
        use super::generation_threads_for as g;
        assert_eq!((g(1), g(2), g(3), g(4), g(8), g(32)), (1, 2, 3, 3, 7, 8));
    }
}
