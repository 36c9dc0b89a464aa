// Reference for `make bench`: llama.cpp's C API called directly, linked against the very static
// libraries llama-cpp-sys-2 built for the engine (same source, same flags). It follows llama-bench's
// method: random tokens, the prompt in one batch (pp), single-token generation without sampling (tg),
// one warm-up run, N repetitions, the KV memory cleared before each run.
//
// usage: reference MODEL THREADS N_PROMPT N_GEN REPS   → one JSON object on stdout
#include "llama.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

static void quiet(ggml_log_level, const char *, void *) {}

static double now_ms() {
    using namespace std::chrono;
    return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

static long peak_rss_kb() {
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line)) {
        if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
    }
    return -1;
}

static bool run_prompt(llama_context * ctx, const llama_vocab * vocab, int n_prompt, int n_batch) {
    llama_memory_clear(llama_get_memory(ctx), true);
    const int n_vocab = llama_vocab_n_tokens(vocab);
    std::vector<llama_token> tokens(n_batch);
    for (int done = 0; done < n_prompt;) {
        const int n = std::min(n_prompt - done, n_batch);
        for (int i = 0; i < n; i++) tokens[i] = std::rand() % n_vocab;
        if (done == 0) tokens[0] = llama_vocab_bos(vocab);
        if (llama_decode(ctx, llama_batch_get_one(tokens.data(), n)) != 0) return false;
        done += n;
    }
    llama_synchronize(ctx);
    return true;
}

static bool run_gen(llama_context * ctx, const llama_vocab * vocab, int n_gen) {
    llama_memory_clear(llama_get_memory(ctx), true);
    const int n_vocab = llama_vocab_n_tokens(vocab);
    llama_token token = llama_vocab_bos(vocab);
    for (int i = 0; i < n_gen; i++) {
        if (llama_decode(ctx, llama_batch_get_one(&token, 1)) != 0) return false;
        llama_synchronize(ctx);
        token = std::rand() % n_vocab;
    }
    return true;
}

int main(int argc, char ** argv) {
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s MODEL THREADS N_PROMPT N_GEN REPS\n", argv[0]);
        return 2;
    }
    const char * path = argv[1];
    const int threads = std::atoi(argv[2]), n_prompt = std::atoi(argv[3]), n_gen = std::atoi(argv[4]), reps = std::atoi(argv[5]);
    llama_log_set(quiet, nullptr);
    llama_backend_init();

    const double t0 = now_ms();
    llama_model * model = llama_model_load_from_file(path, llama_model_default_params());
    if (!model) { std::fprintf(stderr, "cannot load %s\n", path); return 1; }
    const double load_ms = now_ms() - t0;

    llama_context_params cp = llama_context_default_params();
    cp.n_ctx = n_prompt + n_gen;
    cp.n_batch = n_prompt;
    cp.n_ubatch = n_prompt;
    cp.n_threads = threads;
    cp.n_threads_batch = threads;
    llama_context * ctx = llama_init_from_model(model, cp);
    if (!ctx) { std::fprintf(stderr, "cannot create context\n"); return 1; }
    const llama_vocab * vocab = llama_model_get_vocab(model);

    // Warm-up, as llama-bench: one prompt run and one generated token.
    if (!run_prompt(ctx, vocab, n_prompt, n_prompt) || !run_gen(ctx, vocab, 1)) return 1;

    std::string pp = "[", tg = "[";
    for (int r = 0; r < reps; r++) {
        double t = now_ms();
        if (!run_prompt(ctx, vocab, n_prompt, n_prompt)) return 1;
        pp += (r ? "," : "") + std::to_string(n_prompt / ((now_ms() - t) / 1000.0));
    }
    for (int r = 0; r < reps; r++) {
        double t = now_ms();
        if (!run_gen(ctx, vocab, n_gen)) return 1;
        tg += (r ? "," : "") + std::to_string(n_gen / ((now_ms() - t) / 1000.0));
    }
    std::printf("{\"load_ms\":%.1f,\"pp\":%s],\"tg\":%s],\"peak_rss_kb\":%ld}\n", load_ms, pp.c_str(), tg.c_str(), peak_rss_kb());
    llama_free(ctx);
    llama_model_free(model);
    return 0;
}
