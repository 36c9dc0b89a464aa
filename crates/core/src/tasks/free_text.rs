//! "Freier Text": the user's own prompt, sent as an instruction (chat template for instruct
//! models, plain continuation for base models).

use serde::{Deserialize, Serialize};

use crate::llm::{GenerateRequest, Prompt, SamplingParams};

/// What the user may set for a free-text request; everything else is the core's default.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct FreeTextOptions {
    pub max_tokens: Option<usize>,
    pub temperature: Option<f32>,
    pub seed: Option<u32>,
}

/// Longest answer a free-text request may ask for.
pub const MAX_TOKENS_LIMIT: usize = 4096;

pub fn request(prompt: &str, opts: &FreeTextOptions) -> GenerateRequest {
    let defaults = SamplingParams::default();
    let params = SamplingParams {
        max_tokens: opts.max_tokens.unwrap_or(defaults.max_tokens).min(MAX_TOKENS_LIMIT),
        temperature: opts.temperature.unwrap_or(defaults.temperature),
        seed: opts.seed,
        ..defaults
    };
    GenerateRequest { prompt: Prompt::Chat { system: None, user: prompt.to_string() }, params }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options_override_defaults_within_limits() {
        let r = request("Hallo", &FreeTextOptions { max_tokens: Some(100_000), temperature: Some(0.0), seed: Some(7) });
        assert_eq!(r.params.max_tokens, MAX_TOKENS_LIMIT);
        assert_eq!(r.params.temperature, 0.0);
        assert_eq!(r.params.seed, Some(7));
        assert!(r.params.repeat_penalty > 1.0, "default repeat penalty kept");
        let r = request("Hallo", &FreeTextOptions::default());
        assert_eq!(r.params.max_tokens, SamplingParams::default().max_tokens);
    }
}
