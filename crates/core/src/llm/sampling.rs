//! The sampler chain for one request, in llama.cpp's usual order: repeat penalty, top-k, top-p,
//! temperature, then a seeded draw; greedy (argmax) at temperature 0.

use llama_cpp_2::model::LlamaModel;
use llama_cpp_2::sampling::LlamaSampler;

use super::SamplingParams;

pub(super) fn build(model: &LlamaModel, p: &SamplingParams) -> LlamaSampler {
    let mut chain = Vec::with_capacity(5);
    if p.repeat_penalty != 1.0 {
        chain.push(LlamaSampler::penalties(model.n_vocab(), p.repeat_last_n, p.repeat_penalty, 0.0, 0.0));
    }
    if p.temperature <= 0.0 {
        chain.push(LlamaSampler::greedy());
    } else {
        if p.top_k > 0 {
            chain.push(LlamaSampler::top_k(p.top_k));
        }
        if p.top_p < 1.0 {
            chain.push(LlamaSampler::top_p(p.top_p, 1));
        }
        chain.push(LlamaSampler::temp(p.temperature));
        chain.push(LlamaSampler::dist(p.seed.unwrap_or_else(random_seed)));
    }
    LlamaSampler::chain_simple(chain)
}

fn random_seed() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    // RandomState is seeded from the OS; no extra crate for one number.
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos()));
    h.finish() as u32
}
