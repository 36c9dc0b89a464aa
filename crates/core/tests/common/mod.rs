//! Shared by the task tests (summarize, explain, draft): one engine on the real default model
//! per test binary, with a 4096-token context, and its `ModelRef`.

#![allow(dead_code)] // each test file uses a part

use std::sync::OnceLock;

use schreibstube_core::llm::{Engine, EngineConfig};
use schreibstube_core::models::Manifest;
use schreibstube_core::tasks::summarize::ModelRef;

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        let manifest = Manifest::locate(None).expect("models/models.toml (run `make setup`)");
        let mut config = EngineConfig::new(manifest.path_of(manifest.default_entry()));
        config.n_ctx = Some(4096);
        Engine::load(config, |_| {}).expect("default model loads")
    })
}

pub fn model_ref() -> ModelRef {
    let info = engine().info();
    ModelRef { name: info.name.clone(), file: info.file.clone(), sha256: "test".into() }
}
