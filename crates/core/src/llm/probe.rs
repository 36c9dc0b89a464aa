//! Looks at a GGUF file before llama.cpp loads it: is it a GGUF at all, is it complete, what does
//! its metadata say, and does it fit in memory. llama.cpp would fail on most of these too, but
//! with a null pointer and a log line; the user deserves a precise German sentence.

use std::ffi::{CStr, CString};
use std::io::Read;
use std::path::Path;

use crate::error::{CoreError, Result};

/// What the GGUF header tells about a model.
#[derive(Debug, Clone, serde::Serialize)]
pub struct GgufInfo {
    pub architecture: String,
    pub name: Option<String>,
    pub context_length: Option<u32>,
    pub block_count: Option<u32>,
    pub head_count_kv: Option<u32>,
    pub key_length: Option<u32>,
    pub value_length: Option<u32>,
    pub embedding_length: Option<u32>,
    pub head_count: Option<u32>,
    pub has_chat_template: bool,
    pub file_size: u64,
}

/// Reads and checks the header and tensor table without loading any weights.
pub fn probe(path: &Path) -> Result<GgufInfo> {
    let meta = match std::fs::metadata(path) {
        Ok(m) if m.is_file() => m,
        Ok(_) => return Err(CoreError::NotGguf(path.into())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Err(CoreError::ModelNotFound(path.into())),
        Err(e) => return Err(CoreError::io(path, e)),
    };
    let mut magic = [0u8; 4];
    let mut f = std::fs::File::open(path).map_err(|e| CoreError::io(path, e))?;
    if f.read_exact(&mut magic).is_err() || &magic != b"GGUF" {
        return Err(CoreError::NotGguf(path.into()));
    }
    drop(f);

    let c_path = CString::new(path.to_string_lossy().as_bytes()).map_err(|_| CoreError::NotGguf(path.into()))?;
    let params = llama_cpp_sys_2::gguf_init_params { no_alloc: true, ctx: std::ptr::null_mut() };
    // SAFETY: c_path is a valid C string; with no_alloc only the header and tensor infos are read,
    // and gguf_init_from_file returns null (never aborts) on malformed input.
    let ctx = unsafe { llama_cpp_sys_2::gguf_init_from_file(c_path.as_ptr(), params) };
    if ctx.is_null() {
        // The magic was right, so the header is cut short or malformed.
        return Err(CoreError::ModelCorrupt(path.into()));
    }
    let gguf = Gguf(ctx);

    // The weights must lie within the file: a download cut short passes the header check.
    let data_end = gguf.data_end();
    if data_end > meta.len() {
        tracing::warn!(expected = data_end, actual = meta.len(), "model file is truncated");
        return Err(CoreError::ModelCorrupt(path.into()));
    }

    let architecture = gguf.str("general.architecture").ok_or_else(|| CoreError::ModelCorrupt(path.into()))?;
    let arch_u32 = |key: &str| gguf.u32(&format!("{architecture}.{key}"));
    Ok(GgufInfo {
        name: gguf.str("general.name"),
        context_length: arch_u32("context_length"),
        block_count: arch_u32("block_count"),
        head_count_kv: arch_u32("attention.head_count_kv"),
        head_count: arch_u32("attention.head_count"),
        key_length: arch_u32("attention.key_length"),
        value_length: arch_u32("attention.value_length"),
        embedding_length: arch_u32("embedding_length"),
        has_chat_template: gguf.str("tokenizer.chat_template").is_some(),
        architecture,
        file_size: meta.len(),
    })
}

impl GgufInfo {
    /// Bytes of the KV cache for `n_ctx` tokens at f16, from the header (a generous guess where
    /// the header is silent).
    pub fn kv_cache_bytes(&self, n_ctx: u32) -> u64 {
        let layers = u64::from(self.block_count.unwrap_or(32));
        let heads_kv = u64::from(self.head_count_kv.or(self.head_count).unwrap_or(8));
        let head_dim = |len: Option<u32>| {
            len.map(u64::from).unwrap_or_else(|| {
                u64::from(self.embedding_length.unwrap_or(4096)) / u64::from(self.head_count.unwrap_or(32).max(1))
            })
        };
        let per_token = layers * heads_kv * (head_dim(self.key_length) + head_dim(self.value_length)) * 2;
        per_token * u64::from(n_ctx)
    }

    /// Memory the model needs to run: weights, KV cache and compute buffers (rule of thumb: 10 %
    /// of the weights plus 64 MiB).
    pub fn required_memory(&self, n_ctx: u32) -> u64 {
        self.file_size + self.kv_cache_bytes(n_ctx) + self.file_size / 10 + (64 << 20)
    }
}

/// Refuses a model that would not fit: loading it anyway would thrash the office PC or get the
/// process killed, losing the user's work.
pub fn check_memory(info: &GgufInfo, n_ctx: u32, available_override: Option<u64>) -> Result<()> {
    let required = info.required_memory(n_ctx);
    let available = available_override.unwrap_or_else(available_memory);
    if required > available {
        return Err(CoreError::ModelTooLarge { required_mb: required >> 20, available_mb: available >> 20 });
    }
    Ok(())
}

/// Memory available to a new process (free plus reclaimable page cache, which includes the
/// model's own pages if it was read recently).
pub fn available_memory() -> u64 {
    match sysinfo::System::new() {
        Ok(mut sys) => {
            sys.refresh_memory();
            sys.available_memory()
        }
        // Unknown: do not block the load on a failed measurement.
        Err(_) => u64::MAX,
    }
}

/// Owns a `gguf_context` and reads typed values safely (llama.cpp aborts on a type mismatch, so
/// every read checks the type first).
struct Gguf(*mut llama_cpp_sys_2::gguf_context);

impl Drop for Gguf {
    fn drop(&mut self) {
        // SAFETY: created by gguf_init_from_file, freed once.
        unsafe { llama_cpp_sys_2::gguf_free(self.0) }
    }
}

impl Gguf {
    fn key(&self, key: &str) -> Option<i64> {
        let c = CString::new(key).ok()?;
        // SAFETY: valid context and C string.
        let id = unsafe { llama_cpp_sys_2::gguf_find_key(self.0, c.as_ptr()) };
        (id >= 0).then_some(id)
    }

    fn str(&self, key: &str) -> Option<String> {
        let id = self.key(key)?;
        // SAFETY: id is a valid key index; the type is checked before the typed read.
        unsafe {
            if llama_cpp_sys_2::gguf_get_kv_type(self.0, id) != llama_cpp_sys_2::GGUF_TYPE_STRING {
                return None;
            }
            let p = llama_cpp_sys_2::gguf_get_val_str(self.0, id);
            (!p.is_null()).then(|| CStr::from_ptr(p).to_string_lossy().into_owned())
        }
    }

    fn u32(&self, key: &str) -> Option<u32> {
        let id = self.key(key)?;
        // SAFETY: as above.
        unsafe {
            match llama_cpp_sys_2::gguf_get_kv_type(self.0, id) {
                t if t == llama_cpp_sys_2::GGUF_TYPE_UINT32 => Some(llama_cpp_sys_2::gguf_get_val_u32(self.0, id)),
                t if t == llama_cpp_sys_2::GGUF_TYPE_INT32 => {
                    u32::try_from(llama_cpp_sys_2::gguf_get_val_i32(self.0, id)).ok()
                }
                t if t == llama_cpp_sys_2::GGUF_TYPE_UINT64 => {
                    u32::try_from(llama_cpp_sys_2::gguf_get_val_u64(self.0, id)).ok()
                }
                _ => None,
            }
        }
    }

    /// Offset just past the last tensor's data.
    fn data_end(&self) -> u64 {
        // SAFETY: indices come from gguf_get_n_tensors of the same context.
        unsafe {
            let base = llama_cpp_sys_2::gguf_get_data_offset(self.0) as u64;
            let n = llama_cpp_sys_2::gguf_get_n_tensors(self.0);
            (0..n)
                .map(|i| {
                    llama_cpp_sys_2::gguf_get_tensor_offset(self.0, i) as u64
                        + llama_cpp_sys_2::gguf_get_tensor_size(self.0, i) as u64
                })
                .max()
                .map_or(base, |end| base + end)
        }
    }
}
