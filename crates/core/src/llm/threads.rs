//! Thread counts for inference on office PCs that are never idle.
//!
//! Generation runs one small step per token in lock-step across threads, so a thread that another
//! process pushes off its core stalls all the others. Measured on a 2-core machine (Gemma 3 270M,
//! the app's real generation path, each configuration in a process of its own, tokens/s; the
//! busy processes are `while :; do :; done` shells):
//!
//! | background load      | 1 thread | 2 threads |
//! |----------------------|----------|-----------|
//! | none                 | 29.7     | 57.9      |
//! | one busy process     | 29.4     | 17.8–19.7 |
//! | two busy processes   | 21.7     | 13.3–13.7 |
//!
//! Using every core doubles the speed on an idle PC but falls to a third of it as soon as anything
//! else runs, while half the cores keep their pace. Staff PCs always run something (mail, virus
//! scanner, browser), so generation uses half the physical cores; prompt processing is
//! compute-bound and short, so it uses all of them. Both are settable (`--threads`,
//! `SCHREIBSTUBE_THREADS`, later the IT policy); `make bench` reports both configurations.

/// Default number of threads for token generation.
pub fn default_generation_threads() -> usize {
    generation_threads_for(physical_cores())
}

fn generation_threads_for(physical: usize) -> usize {
    (physical / 2).clamp(1, 8)
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
    fn generation_leaves_half_the_cores_to_the_office() {
        use super::generation_threads_for as g;
        assert_eq!((g(1), g(2), g(3), g(4), g(8), g(32)), (1, 1, 1, 2, 4, 8));
    }
}
