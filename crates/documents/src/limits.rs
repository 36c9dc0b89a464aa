//! Limits that keep a hostile or broken file from taking the PC down.
//!
//! Office files are ZIP archives, and ZIP (like PDF's Flate streams) lets a few kilobytes unpack
//! to gigabytes. Neither the `zip` crate nor the XML reader limits that, and an archive's
//! declared sizes are whatever the file claims. So every archive entry is read through
//! [`LimitedReader`], which counts the bytes that actually come out and stops at
//! - the total budget of one file (all entries, all attachments): `max_decompressed_bytes`;
//! - a ratio of output to compressed input per entry: `max_ratio`, checked once an entry has
//!   produced more than [`RATIO_GRACE_BYTES`] (small XML parts legitimately compress very well).
//!
//! PDF streams are bounded by lopdf's own per-stream limit, which `pdf.rs` sets from the budget.

use std::cell::Cell;
use std::io::{self, Read};

/// Limits for one extraction. `Default` gives the documented defaults.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExtractOptions {
    /// Files larger than this are refused before they are read (default 200 MiB).
    pub max_file_bytes: u64,
    /// All decompressed data of one file together, attachments included (default 500 MiB).
    pub max_decompressed_bytes: u64,
    /// Largest ratio of decompressed to compressed size of one archive entry (default 100).
    pub max_ratio: u64,
    /// Read images and scanned PDF pages with OCR (default true). Off, images are refused and
    /// scanned pages are a warning (the fuzzer and quick previews use this).
    pub ocr: bool,
    /// Tesseract's data folder holding `deu.traineddata`; `None` looks where Debian's
    /// `tesseract-ocr-deu` puts it (see `ocr.rs`).
    pub tessdata_dir: Option<std::path::PathBuf>,
}

pub const MIB: u64 = 1024 * 1024;

impl Default for ExtractOptions {
    fn default() -> Self {
        Self { max_file_bytes: 200 * MIB, max_decompressed_bytes: 500 * MIB, max_ratio: 100, ocr: true, tessdata_dir: None }
    }
}

/// An entry may unpack to this much before the ratio is checked.
pub const RATIO_GRACE_BYTES: u64 = MIB;
/// Archives with more entries than this are refused (central directories of millions of
/// entries are a memory attack of their own).
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// E-mails in e-mails in e-mails …: deeper attachments are listed as a warning, not read.
pub const MAX_ATTACHMENT_DEPTH: usize = 4;

/// Why a limited read stopped.
#[derive(Debug)]
pub enum LimitError {
    /// The budget or the ratio was exceeded.
    Exceeded,
    /// The data itself is broken (a truncated or corrupt entry).
    Corrupt,
}

/// The decompression budget of one file, shared by all its entries and attachments.
#[derive(Debug)]
pub struct Budget {
    pub opts: ExtractOptions,
    used: Cell<u64>,
}

impl Budget {
    pub fn new(opts: &ExtractOptions) -> Self {
        Self { opts: opts.clone(), used: Cell::new(0) }
    }

    pub fn remaining(&self) -> u64 {
        self.opts.max_decompressed_bytes.saturating_sub(self.used.get())
    }

    /// Counts `n` bytes of output; false once the budget is spent.
    pub fn take(&self, n: u64) -> bool {
        let used = self.used.get().saturating_add(n);
        self.used.set(used);
        used <= self.opts.max_decompressed_bytes
    }
}

/// Reads at most what the budget and the ratio allow from a decompressing reader.
pub struct LimitedReader<'b, R> {
    inner: R,
    budget: &'b Budget,
    compressed_size: u64,
    produced: u64,
    pub exceeded: bool,
}

impl<'b, R: Read> LimitedReader<'b, R> {
    pub fn new(inner: R, budget: &'b Budget, compressed_size: u64) -> Self {
        Self { inner, budget, compressed_size, produced: 0, exceeded: false }
    }

    /// Reads everything into memory, or says why not.
    pub fn read_all(mut self) -> Result<Vec<u8>, LimitError> {
        let mut out = Vec::new();
        match self.read_to_end(&mut out) {
            Ok(_) => Ok(out),
            Err(_) if self.exceeded => Err(LimitError::Exceeded),
            Err(_) => Err(LimitError::Corrupt),
        }
    }
}

impl<R: Read> Read for LimitedReader<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.produced += n as u64;
        let ratio_exceeded = self.produced > RATIO_GRACE_BYTES
            && self.produced > self.compressed_size.max(1).saturating_mul(self.budget.opts.max_ratio);
        if !self.budget.take(n as u64) || ratio_exceeded {
            self.exceeded = true;
            return Err(io::Error::other("decompression limit"));
        }
        Ok(n)
    }
}

/// Counts the bytes each thread allocates, so that tests can check that a hostile file is
/// refused before its memory is taken (tests run on threads of their own, so one test's count
/// is its own). Test builds only.
#[cfg(test)]
pub(crate) mod allocations {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    thread_local! {
        static ALLOCATED: Cell<u64> = const { Cell::new(0) };
    }

    struct Counting;

    // SAFETY: every call is passed on to the system allocator unchanged.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            unsafe { System.alloc(layout) }
        }
        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            count(layout.size());
            unsafe { System.alloc_zeroed(layout) }
        }
        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            count(new_size);
            unsafe { System.realloc(ptr, layout, new_size) }
        }
        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            unsafe { System.dealloc(ptr, layout) }
        }
    }

    #[global_allocator]
    static COUNTING: Counting = Counting;

    fn count(bytes: usize) {
        // `try_with`: the thread's slot is gone while the thread ends.
        let _ = ALLOCATED.try_with(|a| a.set(a.get().saturating_add(bytes as u64)));
    }

    /// Everything this thread has allocated so far (a reallocation counts its new size).
    pub fn on_this_thread() -> u64 {
        ALLOCATED.with(Cell::get)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn budget_is_shared_and_ratio_is_per_entry() {
        let opts = ExtractOptions { max_decompressed_bytes: 3 * MIB, ..Default::default() };
        let budget = Budget::new(&opts);
        let two_mib = vec![b'a'; 2 * MIB as usize];
        // 2 MiB out of "1 MiB compressed": within ratio and budget.
        assert_eq!(LimitedReader::new(&two_mib[..], &budget, MIB).read_all().unwrap().len(), two_mib.len());
        // The next 2 MiB exceed the shared 3 MiB budget.
        assert!(matches!(LimitedReader::new(&two_mib[..], &budget, MIB).read_all(), Err(LimitError::Exceeded)));

        // Ratio: 2 MiB out of 1 KiB compressed is 2048:1.
        let budget = Budget::new(&ExtractOptions::default());
        assert!(matches!(LimitedReader::new(&two_mib[..], &budget, 1024).read_all(), Err(LimitError::Exceeded)));
        // Below the grace size the ratio is not checked.
        let small = vec![b'a'; 1000];
        assert!(LimitedReader::new(&small[..], &budget, 1).read_all().is_ok());
    }
}
