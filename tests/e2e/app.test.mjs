// End-to-end test of the real app in its real webview, through tauri-driver (WebDriver, W3C).
// Started by tests/e2e/run.sh, which provides Xvfb, tauri-driver and these variables:
//   E2E_APP         absolute path of the app binary (required)
//   E2E_APP_ARGS    JSON array of extra arguments for the app (optional)
//   E2E_START_URL   page to navigate to first (only selftest.sh; the app shows its own UI)
//   E2E_DRIVER_URL  tauri-driver's URL (default http://127.0.0.1:4444; must be 127.0.0.1, see run.sh)
//   E2E_OUT         folder for screenshots (default tests/e2e/out)
//   E2E_AXE         path of axe.min.js (default ui/node_modules/axe-core/axe.min.js)
//   E2E_LAUNCH      what WebDriver starts (run.sh's wrapper around E2E_APP; default E2E_APP)
//   E2E_APP_EXIT_FILE  where that wrapper writes the app's exit code
// Plain fetch, no WebDriver client library: the protocol calls used here are few and stable.
// DOM contract: docs/ipc.md ("DOM ids the end-to-end test relies on").

import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const APP = process.env.E2E_APP;
const APP_ARGS = JSON.parse(process.env.E2E_APP_ARGS || "[]");
const START_URL = process.env.E2E_START_URL || "";
const LAUNCH = process.env.E2E_LAUNCH || APP;
const APP_EXIT_FILE = process.env.E2E_APP_EXIT_FILE || "";
const DRIVER = (process.env.E2E_DRIVER_URL || "http://127.0.0.1:4444").replace(/\/$/, "");
const OUT = path.resolve(process.env.E2E_OUT || path.join(root, "tests/e2e/out"));
const AXE = process.env.E2E_AXE || path.join(root, "ui/node_modules/axe-core/axe.min.js");

// Bounded but generous: a 2-core CI machine, a cold model load and a software-rendered webview.
const T = {
  newSession: 120_000, // app start until the webview accepts automation
  modelReady: 120_000, // #model-status data-state="ready"
  firstText: 120_000, // first streamed text in #output after #send
  streamWindow: 8_000, // how long we watch the text grow before pressing #stop
  stopped: 30_000, // #stop until data-state is cancelled/done
  request: 60_000, // any single WebDriver call
  element: 15_000, // an element that appears after an IPC answer
  script: 90_000, // execute/async (axe.run)
  summary: 240_000, // the sample case file summarised on the default model
};

const ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"; // W3C web element identifier
const t0 = Date.now();
const log = (...a) => console.log(`[e2e +${((Date.now() - t0) / 1000).toFixed(1)}s]`, ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

let sessionId = null;
let broken = null; // first failed step: later steps skip instead of piling up follow-on errors

async function wd(method, route, body, timeout = T.request, signal = undefined) {
  const url = `${DRIVER}${route}`;
  // One controller for our timeout and the caller's signal (AbortSignal.any + timeout is unreliable in node 20).
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new Error(`no answer in ${timeout / 1000} s`)), timeout);
  const onAbort = () => ac.abort(signal.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  let res, text;
  try {
    res = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: ac.signal,
    });
    text = await res.text();
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    throw new Error(`WebDriver ${method} ${route}: ${ac.signal.aborted ? ac.signal.reason.message : e.message}`);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`WebDriver ${method} ${route}: HTTP ${res.status}, not JSON: ${text.slice(0, 300)}`);
  }
  if (!res.ok || (json.value && json.value.error)) {
    const v = json.value || {};
    throw new Error(`WebDriver ${method} ${route}: HTTP ${res.status} ${v.error || ""}: ${v.message || text.slice(0, 300)}`);
  }
  return json.value;
}

// run.sh starts the app through a wrapper that writes the app's exit code to E2E_APP_EXIT_FILE:
// WebKitWebDriver itself keeps waiting for an app that has died, so the test checks for it.
function appExit() {
  if (!APP_EXIT_FILE) return null;
  try {
    return readFileSync(APP_EXIT_FILE, "utf8").trim();
  } catch {
    return null;
  }
}
function checkAppAlive() {
  const rc = appExit();
  if (rc !== null) throw new Error(`the app exited (exit code ${rc}); its output is in app.log`);
}

const s = (route) => `/session/${sessionId}${route}`;
const exec = (script, args = []) => wd("POST", s("/execute/sync"), { script, args });
const execAsync = (script, args = [], timeout = T.script) =>
  wd("POST", s("/execute/async"), { script, args }, timeout + 5_000);

// Waits for the element like a user would: many parts render after an IPC answer (an opened history
// entry, a loaded trace), so "not there yet" is retried for a bounded time, then reported.
async function find(css, timeout = T.element) {
  let v;
  for (const end = Date.now() + timeout; ; await sleep(200)) {
    try {
      v = await wd("POST", s("/element"), { using: "css selector", value: css });
      break;
    } catch (e) {
      if (!/no such element/.test(e.message) || Date.now() > end) throw new Error(`find ${css}: ${e.message}`);
      checkAppAlive();
    }
  }
  const id = v && (v[ELEMENT_KEY] ?? v.ELEMENT);
  if (!id) throw new Error(`find ${css}: unexpected reply ${JSON.stringify(v)}`);
  return id;
}

// Clicks like a user who scrolls first: the element to the middle of the viewport, clear of the
// fixed status bar at the bottom (WebDriver's own scrolling may leave it under the bar).
async function click(css) {
  const id = await find(css);
  await exec(`arguments[0].scrollIntoView({ block: "center" });`, [{ [ELEMENT_KEY]: id }]);
  await wd("POST", s(`/element/${id}/click`), {});
}

// One round trip for everything the test watches (cheaper and more consistent than per-element calls).
const SNAPSHOT = `
  const q = (id) => document.getElementById(id);
  const st = q("model-status"), out = q("output"), send = q("send"), stop = q("stop"), prompt = q("prompt");
  return {
    ready: document.readyState,
    model: st ? st.getAttribute("data-state") : null,
    modelText: st ? st.textContent.trim() : null,
    output: out ? out.getAttribute("data-state") : null,
    outputText: out ? out.textContent : null,
    ariaLive: out ? out.getAttribute("aria-live") : null,
    sendDisabled: send ? send.disabled : null,
    stopDisabled: stop ? stop.disabled : null,
    stopVisible: stop ? !!(stop.offsetWidth || stop.offsetHeight || stop.getClientRects().length) : null,
    promptValue: prompt ? prompt.value : null,
    missing: ["prompt", "send", "stop", "output", "model-status", "lang"].filter((id) => !q(id)),
  };`;
const snapshot = () => exec(SNAPSHOT);

// Reads `read()` (a function, or a script for execute/sync) until `ok(value)`, the app alive
// meanwhile; gives up naming `what` and the last value (as `show` prints it). Every wait of the
// test goes through here.
async function until(what, timeout, read, ok = Boolean, every = 250, show = (v) => v) {
  const get = typeof read === "string" ? () => exec(read) : read;
  const end = Date.now() + timeout;
  for (;;) {
    checkAppAlive();
    const value = await get();
    if (ok(value)) return value;
    if (Date.now() > end) {
      throw new Error(`timed out after ${timeout / 1000} s waiting for ${what}; last: ${(JSON.stringify(show(value)) ?? "").slice(0, 600)}`);
    }
    await sleep(every);
  }
}

// The file an export reports in `#<prefix>-export-status` (ResultActions); a failure shows its
// `#<prefix>-export-error` in the message.
async function exportedPath(prefix, pattern) {
  const text = await until(`the export path in #${prefix}-export-status`, 30_000,
    `return (document.getElementById("${prefix}-export-status")?.textContent ?? "") + (document.getElementById("${prefix}-export-error")?.textContent ?? "");`,
    (t) => pattern.test(t));
  return pattern.exec(text)[1];
}

// The DOM contract's state (SNAPSHOT) until `pred`.
const waitFor = (what, timeout, pred, every = 250) => until(what, timeout, snapshot, pred, every, trimSnap);

function trimSnap(x) {
  if (!x || typeof x.outputText !== "string") return x;
  const t = x.outputText;
  return { ...x, outputText: t.length > 200 ? `${t.slice(0, 200)}… (${t.length} chars)` : t };
}

async function screenshot(name) {
  const b64 = await wd("GET", s("/screenshot"));
  const file = path.join(OUT, name);
  writeFileSync(file, Buffer.from(b64, "base64"));
  const rel = path.relative(process.cwd(), file);
  log(`screenshot ${rel.startsWith("..") ? file : rel}`);
}

// Best-effort diagnostics for a failed step; never throws.
async function dumpFailure(stepName, err) {
  console.error(`\n[e2e] FAILED: ${stepName}: ${err.message}`);
  if (!sessionId) return;
  try {
    await screenshot(`failure-${stepName.replace(/[^a-z0-9]+/gi, "-").replace(/^-|-$/g, "").toLowerCase()}.png`);
  } catch (e) {
    console.error(`[e2e] (no failure screenshot: ${e.message})`);
  }
  try {
    const html = await exec(`
      const cut = (s) => s && s.length > 1500 ? s.slice(0, 1500) + "…" : s;
      const q = (id) => document.getElementById(id);
      return {
        url: location.href, title: document.title,
        modelStatus: cut(q("model-status")?.outerHTML ?? "(no #model-status)"),
        output: cut(q("output")?.outerHTML ?? "(no #output)"),
        body: q("model-status") && q("output") ? undefined : cut(document.body?.outerHTML ?? "(no body)"),
      };`);
    console.error("[e2e] page at failure:");
    for (const [k, v] of Object.entries(html)) if (v != null) console.error(`  ${k}: ${v}`);
  } catch (e) {
    console.error(`[e2e] (could not read the page: ${e.message})`);
  }
}

// A test step: skipped after an earlier failure, dumps diagnostics on its own failure.
function step(name, timeout, fn) {
  it(name, { timeout }, async (t) => {
    if (broken) return t.skip(`earlier step failed: ${broken}`);
    log(`▶ ${name}`);
    broken = name; // stays set if node's step timeout cancels us before the catch below runs
    try {
      await fn(t);
      broken = null;
    } catch (e) {
      await dumpFailure(name, e);
      throw e;
    }
  });
}

// axe-core in the page; fails on serious or critical findings (WCAG 2.1 AA, BITV 2.0).
async function axeCheck(screen) {
  let source;
  try {
    source = readFileSync(AXE, "utf8");
  } catch {
    throw new Error(`axe-core not found at ${AXE} (it is a dev dependency of ui/: install the UI's npm packages)`);
  }
  await exec(`${source}\n;return typeof window.axe;`).then((type) =>
    assert.equal(type, "object", "axe did not load into the page"),
  );
  const res = await execAsync(`
    const done = arguments[arguments.length - 1];
    axe.run(document, { resultTypes: ["violations"] })
      .then((r) => done({ ok: true, version: axe.version, violations: r.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160),
          summary: (n.failureSummary || "").replace(/\\s+/g, " ").slice(0, 300) })),
      })) }))
      .catch((e) => done({ ok: false, error: String(e && e.stack || e) }));`);
  assert.ok(res.ok, `axe.run failed: ${res.error}`);
  const bad = res.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  log(`axe ${res.version} (${screen}): ${res.violations.length} violation(s), ${bad.length} serious/critical`);
  for (const v of res.violations) {
    console.log(`  [${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})`);
    for (const n of v.nodes.slice(0, 5)) console.log(`      at ${n.target}: ${n.html}\n        ${n.summary}`);
    if (v.nodes.length > 5) console.log(`      … and ${v.nodes.length - 5} more`);
  }
  assert.equal(bad.length, 0, `serious/critical accessibility violations: ${bad.map((v) => v.id).join(", ")}`);
}

describe("Schreibstube end-to-end", { timeout: 15 * 60_000 }, () => {
  before(async () => {
    assert.ok(APP, "E2E_APP (the app binary) is not set; start this test through tests/e2e/run.sh");
    mkdirSync(OUT, { recursive: true });
  });

  after(async () => {
    if (!sessionId) return;
    log("deleting the session (the app exits)");
    try {
      await wd("DELETE", `/session/${sessionId}`, undefined, 30_000);
    } catch (e) {
      console.error(`[e2e] session delete failed: ${e.message}`);
    }
    sessionId = null;
  });

  step("start the app (WebDriver session)", T.newSession + 60_000, async () => {
    log(`app: ${APP} ${APP_ARGS.join(" ")}`);
    // WebKitWebDriver waits for the app's automation connection even if the app died: watch the
    // wrapper's exit file meanwhile, so a crash at start fails in a second rather than after T.newSession.
    const abort = new AbortController();
    const watch = setInterval(() => {
      const rc = appExit();
      if (rc !== null) abort.abort(new Error(`the app exited during start-up (exit code ${rc})`));
    }, 300);
    let v;
    try {
      v = await wd(
        "POST",
        "/session",
        { capabilities: { alwaysMatch: { "tauri:options": { application: LAUNCH, args: APP_ARGS } } } },
        T.newSession,
        abort.signal,
      );
    } catch (e) {
      throw new Error(`${e.message}\n  (the app did not come up for automation: see app.log and tauri-driver.log)`);
    } finally {
      clearInterval(watch);
    }
    sessionId = v.sessionId;
    assert.ok(sessionId, "no session id returned");
    await wd("POST", s("/timeouts"), { script: T.script, implicit: 0 });
    log(`session ${sessionId}`);
    if (START_URL) await wd("POST", s("/url"), { url: START_URL });
  });

  step("model loads (#model-status ready)", T.modelReady + 120_000, async () => {
    let lastShown = "";
    const st = await waitFor('#model-status data-state="ready"', T.modelReady, (x) => {
      const show = `${x.model} ${x.modelText ?? ""}`;
      if (show !== lastShown) log(`model-status: data-state=${x.model} "${x.modelText ?? ""}"`);
      lastShown = show;
      if (x.model === "error") throw new Error(`model failed to load: "${x.modelText}"`);
      return x.model === "ready";
    }, 500);
    assert.deepEqual(st.missing, [], `elements of the DOM contract (docs/ipc.md) missing: #${st.missing.join(", #")}`);
    assert.equal(st.ariaLive, "polite", '#output must have aria-live="polite"');
    await screenshot("start.png");
  });

  step("start screen has no serious/critical axe violations", T.script + 120_000, () => axeCheck("start"));

  step("a German prompt streams text, #stop ends it", T.firstText + T.streamWindow + T.stopped + 180_000, async () => {
    const prompt =
      "Sehr geehrte Damen und Herren, hiermit bestätigen wir den Eingang Ihres Antrags vom";
    const promptEl = await find("#prompt");
    await wd("POST", s(`/element/${promptEl}/clear`), {});
    await wd("POST", s(`/element/${promptEl}/value`), { text: prompt });
    let x = await snapshot();
    if (x.promptValue !== prompt) {
      // Keyboard emulation can lose non-ASCII characters; the test is about generation, so set it directly.
      log(`typed text came out as ${JSON.stringify(x.promptValue)}; setting the value by script instead`);
      await exec(
        `const p = document.getElementById("prompt"); p.value = arguments[0];
         p.dispatchEvent(new Event("input", { bubbles: true })); p.dispatchEvent(new Event("change", { bubbles: true }));`,
        [prompt],
      );
      x = await snapshot();
      assert.equal(x.promptValue, prompt, "#prompt does not hold the prompt");
    }
    assert.equal(x.sendDisabled, false, "#send is disabled with a prompt and a ready model");

    log("click #send");
    await click("#send");

    const lengths = [];
    x = await waitFor("text in #output (data-state streaming/done)", T.firstText, (y) => {
      if (y.output === "error") throw new Error(`generation failed: #output data-state=error: "${y.outputText}"`);
      return (y.output === "streaming" || y.output === "done") && (y.outputText || "").trim().length > 0;
    }, 100);
    lengths.push(x.outputText.length);
    log(`first text (data-state=${x.output}): ${JSON.stringify(x.outputText.slice(0, 80))}`);

    // Watch it grow for a moment: evidence of streaming rather than one final write.
    const end = Date.now() + T.streamWindow;
    while (x.output === "streaming" && Date.now() < end && x.outputText.length < 120) {
      await sleep(150);
      x = await snapshot();
      if (x.outputText && x.outputText.length !== lengths.at(-1)) lengths.push(x.outputText.length);
    }
    log(`output grew over ${lengths.length} observation(s): ${lengths.join(" → ")} chars (data-state=${x.output})`);
    assert.ok((x.outputText || "").trim().length > 0, "#output lost its text");
    // Screenshots show the viewport only: bring the streamed text into it.
    await exec(`document.getElementById("output").scrollIntoView({ block: "center" });`);
    await screenshot("streamed.png");

    x = await snapshot();
    if (x.output === "streaming") {
      const before = x.outputText.length;
      log("still streaming: click #stop");
      await click("#stop");
      x = await waitFor('#output data-state "cancelled" or "done" after #stop', T.stopped, (y) => {
        if (y.output === "error") throw new Error(`#output data-state=error after #stop: "${y.outputText}"`);
        return y.output === "cancelled" || y.output === "done";
      }, 100);
      log(`after #stop: data-state=${x.output}, ${before} → ${x.outputText.length} chars`);
      assert.ok(x.outputText.trim().length > 0, "#output was emptied by #stop");
    } else {
      log(`generation already ${x.output} before #stop could be pressed (${x.outputText.length} chars)`);
      assert.equal(x.output, "done");
    }
    log(`final output: ${JSON.stringify(x.outputText.slice(0, 300))}`);
  });

  // The UI offers Esc to cancel a running answer; a fast model may finish first, which is no failure.
  step("Escape cancels a running generation", T.firstText + T.stopped + 60_000, async () => {
    log("click #send again");
    await click("#send");
    let x = await waitFor("a second generation to stream", T.firstText, (y) => {
      if (y.output === "error") throw new Error(`generation failed: #output data-state=error: "${y.outputText}"`);
      return (y.output === "streaming" && (y.outputText || "").trim().length > 0) || y.output === "done";
    }, 100);
    if (x.output !== "streaming") {
      log("generation finished before Escape could be pressed; not checked");
      return;
    }
    const ESC = "\uE00C";
    await wd("POST", s("/actions"), {
      actions: [{ type: "key", id: "keyboard", actions: [{ type: "keyDown", value: ESC }, { type: "keyUp", value: ESC }] }],
    });
    await wd("DELETE", s("/actions"));
    x = await waitFor('#output data-state "cancelled" or "done" after Escape', T.stopped, (y) => {
      if (y.output === "error") throw new Error(`#output data-state=error after Escape: "${y.outputText}"`);
      return y.output === "cancelled" || y.output === "done";
    }, 100);
    log(`after Escape: data-state=${x.output} (${x.outputText.length} chars)`);
    if (x.output === "done") log("(it finished on its own at the same moment; Escape not proven)");
  });

  // A finished answer is saved by the shell into the encrypted store and listed in "Verlauf".
  step("a finished answer appears in the history", T.firstText + T.streamWindow + 120_000, async () => {
    const store = await until("#store-status to leave 'opening'", 30_000, `const e = document.getElementById("store-status");
        return e ? [e.getAttribute("data-state"), e.textContent.trim()] : [null, ""];`, (st) => st[0] !== null && st[0] !== "opening", 300);
    log(`store: data-state=${store[0]} "${store[1]}"`);
    assert.equal(store[0], "ready", `the store is not ready: "${store[1]}"`);

    const prompt = "Verlaufsprobe: Die Stadtbibliothek ist am Montag geschlossen.";
    await exec(
      `const p = document.getElementById("prompt"); p.value = arguments[0];
       p.dispatchEvent(new Event("input", { bubbles: true }));`,
      [prompt],
    );
    log("click #send (this answer runs to its end)");
    await wd("POST", s(`/element/${await find("#send")}/click`), {});
    await waitFor('#output data-state "done"', T.firstText + T.streamWindow + 60_000, (y) => {
      if (y.output === "error") throw new Error(`generation failed: "${y.outputText}"`);
      return y.output === "done";
    }, 200);
    const titles = await until("the answer in #history", 15_000, `return [...document.querySelectorAll("#history .history-title")].map((e) => e.textContent);`,
      (t) => t.some((x) => x.startsWith("Verlaufsprobe")), 300);
    log(`history titles: ${JSON.stringify(titles)}`);
    await exec(`document.getElementById("history").scrollIntoView({ block: "start" });`);
    await screenshot("history.png");
  });

  step("Akte: the sample case file is summarised with facts, citations and coverage", T.summary + 120_000, async () => {
    const state = () =>
      exec(`const q = (s) => document.querySelector(s);
        return { files: q("#akte-files")?.textContent ?? "", start: q("#akte-start")?.disabled ?? null,
          result: q("#akte-result")?.getAttribute("data-state") ?? null, progress: q("#akte-progress")?.textContent.trim() ?? "",
          coverage: q("#akte-coverage")?.textContent ?? "", facts: q("#akte-facts")?.textContent ?? "",
          alert: q("#akte-result") && document.querySelector(".akte [role=alert]")?.textContent.trim(),
          hl: q("#akte-doc .block.hl")?.textContent ?? null, focused: document.activeElement?.classList.contains("hl") ?? false };`);
    const akte = (what, timeout, pred) => until(what, timeout, state, pred);
    await click("#task-summary");
    await click("#akte-sample");
    await akte("the sample in #akte-files", 30_000, (x) => x.files.includes("6 Seiten") && x.start === false);
    log("sample read: 6 pages; click #akte-start");
    await click("#akte-start");
    let seenProgress = "";
    const x = await akte('#akte-result data-state="done"', T.summary, (y) => {
      if (y.progress && y.progress !== seenProgress) log(`progress: ${(seenProgress = y.progress)}`);
      if (y.result === "error") throw new Error(`summary failed: ${y.alert}`);
      return y.result === "done";
    });
    assert.match(x.coverage, /6 von 6 Seiten gelesen/);
    for (const fact of ["BA-2025-0815", "15.03.2025", "1.250,00 €", "30.04.2025"]) assert.ok(x.facts.includes(fact), `fact ${fact} missing`);
    // A fact's citation opens its passage in the document pane, highlighted and focused.
    await click('#akte-facts tr[data-kind="betrag"] .cite');
    const y = await akte("the cited passage highlighted", 15_000, (z) => z.hl !== null);
    assert.match(y.hl, /1\.250,00 €/);
    assert.ok(y.focused, "the cited passage has the keyboard focus");
    // "Als DOCX speichern": a real file in the export folder, a Word document (ZIP) with the AI mark.
    await click("#akte-export-docx");
    const saved = await exportedPath("akte", /Gespeichert: (\S+\.docx)/);
    const docx = readFileSync(saved);
    assert.equal(docx.subarray(0, 2).toString("latin1"), "PK", "the export is a ZIP (DOCX)");
    log(`exported ${saved} (${docx.length} bytes)`);
    await exec(`document.getElementById("akte-coverage").scrollIntoView({ block: "start" });`);
    await sleep(300);
    await screenshot("akte.png");
  });

  step("Akte screen has no serious/critical axe violations", T.script + 120_000, () => axeCheck("akte"));

  // The finished summary is in the encrypted history, listed on the start page.
  step("the summary appears in the history", 60_000, async () => {
    await click("#akte-back");
    await until("the summary in the history list", 30_000, `return document.querySelector("#history .history-list")?.textContent ?? "";`,
      (list) => list.includes("Zusammenfassung: Beispielakte-Bauantrag.pdf"), 300);
    log("history lists the summary");
    // "Wie ist das entstanden?": the stored summary's sentences traced to the kept case file.
    const id = await exec(`return [...document.querySelectorAll("#history .history-item")].find((b) => b.textContent.includes("Zusammenfassung: Beispielakte-Bauantrag.pdf"))?.dataset.id ?? null;`);
    assert.ok(id, "the summary's history entry");
    await click(`#history .history-item[data-id="${id}"]`);
    await click("#history-trace-toggle");
    const tr = await until("the trace", 15_000, `const q = (s) => document.querySelector(s);
        return { status: q("#history-trace-status")?.dataset.status ?? null, sources: q("#history-trace-sentences")?.textContent ?? "",
          inputs: q("#history-trace-inputs")?.textContent ?? "", provenance: q("#history-trace-provenance")?.textContent ?? "" };`, (tr) => tr.status);
    assert.equal(tr.status, "traced", JSON.stringify(tr));
    assert.match(tr.inputs, /Beispielakte-Bauantrag\.pdf/);
    assert.match(tr.provenance, /a5fd3b62230aa5ec/);
    log("history trace shown");
  });

  step("history with its trace has no serious/critical axe violations", T.script + 120_000, () => axeCheck("history-trace"));

  step("Erklären: the budget sample's figures are computed by code, charted and explained", T.summary + 60_000, async () => {
    await click("#task-explain");
    await click("#explain-sample-budget");
    await until("the budget sample read", 20_000, `return document.getElementById("explain-doc")?.textContent ?? "";`, (t) => t.includes("Beispiel-Haushalt-2026.csv"));
    await click('input[name="audience"][value="gremium"]');
    await click("#explain-start");
    const st = await until("the explanation", T.summary, `const r = document.getElementById("explain-result");
        return { state: r?.getAttribute("data-state"), figures: document.getElementById("explain-figures")?.textContent ?? "",
          bars: document.querySelectorAll("#explain-chart rect").length, note: document.getElementById("explain-note")?.textContent ?? "",
          alert: document.querySelector(".akte [role=alert]")?.textContent.trim() ?? "" };`, (st) => {
      if (st.state === "error") throw new Error(`explanation failed: ${st.alert}`);
      return st.state === "done";
    }, 300);
    // Totals and the largest increase, as the code computed them from the sample CSV.
    for (const v of ["9.112.500,00", "9.677.587,00", "+348.000,00", "Kindertagesstätten"]) assert.ok(st.figures.includes(v), `figure ${v} missing`);
    assert.equal(st.bars, 6, "one bar per budget line");
    assert.match(st.note, /Original/);
    // The explanation goes out as PDF with its computed figures.
    await click("#explain-export-pdf");
    const pdf = await exportedPath("explain", /Gespeichert: (\S+\.pdf)/);
    assert.equal(readFileSync(pdf).subarray(0, 5).toString("latin1"), "%PDF-", "the export is a PDF");
    log(`exported ${pdf}`);
    await exec(`document.getElementById("explain-result").scrollIntoView({ block: "start" });`);
    await sleep(300);
    await screenshot("explain.png");
  });

  step("Erklären screen has no serious/critical axe violations", T.script + 120_000, () => axeCheck("explain"));

  step("Erklären: an earlier result (the summary) is picked from the history and explained", T.summary + 60_000, async () => {
    // The list of earlier results is loaded from the store after the screen opens.
    const value = await until("the summary offered as an earlier result", 15_000, `const s = document.getElementById("explain-earlier");
        const o = s && [...s.options].find((o) => o.textContent.includes("Beispielakte-Bauantrag.pdf"));
        if (!o) return null;
        s.value = o.value; s.dispatchEvent(new Event("change", { bubbles: true }));
        return o.value;`);
    await click("#explain-earlier-use");
    await until("the earlier result taken", 20_000, `return document.getElementById("explain-doc")?.textContent ?? "";`, (t) => t.includes(`Ergebnis-${value}.txt`));
    await click('input[name="audience"][value="buerger"]');
    await click("#explain-start");
    await until("the explanation of the earlier result", T.summary, `return document.getElementById("explain-result")?.getAttribute("data-state");`, (st) => {
      if (st === "error") throw new Error("explaining the earlier result failed");
      return st === "done";
    }, 300);
    log("earlier result explained");
  });

  step("Brief: a Nachforderung answers the sample letter, prefilled, checked, previewed and exported as DOCX", T.summary + 120_000, async () => {
    await click("#explain-back");
    // The sender profile, set once in the settings (encrypted store), heads every letter. The
    // settings form appears once they are loaded (`find` waits for it).
    for (const [f, v] of [["authority", "Stadt Musterstadt"], ["clerk", "Erika Beispiel"], ["role", "Sachbearbeiterin Wohngeld"],
      ["address", "Marktplatz 1\uE00712345 Musterstadt"] /* \uE007: the Enter key */, ["land", "NW"]]) {
      const el = await find(`#sender-${f}`);
      await exec(`arguments[0].scrollIntoView({ block: "center" });`, [{ [ELEMENT_KEY]: el }]);
      await wd("POST", s(`/element/${el}/clear`), {});
      await wd("POST", s(`/element/${el}/value`), { text: v });
    }
    await click("#settings-save");
    await until("the settings saved", 10_000, `return document.getElementById("privacy-notice")?.textContent ?? "";`, (n) => n.includes("gespeichert"), 200);
    await click("#task-letter");
    // The templates arrive from the backend after the screen opens (`find` waits for them).
    await click("#template-nachforderung");
    await click("#letter-sample");
    // The citizen's letter fills name, address, date and references; the deadline is computed.
    const fields = `const v = (id) => document.getElementById(id)?.value ?? null;
        return { doc: document.getElementById("letter-doc")?.textContent ?? "", name: v("field-empfaenger_name"),
          address: v("field-empfaenger_anschrift"), ref: v("field-unser_zeichen"), date: v("field-ihre_nachricht_vom"),
          reason: document.getElementById("letter-reason")?.textContent.trim() ?? "",
          generate: document.getElementById("letter-generate")?.disabled === false };`;
    const f = await until("the fields prefilled from the letter", 20_000, fields, (f) => f.doc.includes("Beispiel-Antrag-Wohngeld.txt") && f.name === "Max Mustermann");
    assert.equal(f.ref, "WG-2026-0815");
    assert.equal(f.date, "18.11.2026");
    assert.match(f.address, /Lindenstraße 12/);
    // The required list of missing documents is the clerk's: until it is given, generating is blocked with the reason.
    assert.match(f.reason, /Fehlende Unterlagen/);
    await wd("POST", s(`/element/${await find("#field-fehlende_unterlagen")}/value`), { text: "Gehaltsnachweise Oktober 2026" });
    await wd("POST", s(`/element/${await find("#letter-instructions")}/value`), { text: "Es fehlen die Gehaltsnachweise." });
    await until("#letter-generate enabled", 10_000, fields, (f) => f.generate);
    await exec(`document.getElementById("letter-templates").scrollIntoView({ block: "start" });`);
    await sleep(200);
    await screenshot("letter-fields.png");
    await click("#letter-generate");
    const st = await until("the draft", T.summary, `const r = document.getElementById("letter-result");
        return { state: r?.getAttribute("data-state"), preview: document.getElementById("letter-preview")?.textContent ?? "",
          legal: document.getElementById("letter-paragraph-mitwirkung")?.textContent ?? "",
          list: document.getElementById("letter-paragraph-liste")?.textContent ?? "",
          model: document.querySelectorAll("[data-origin=model]").length,
          alert: document.querySelector("#letter-result [role=alert]")?.textContent.trim() ?? "" };`, (st) => {
      if (st.state === "error") throw new Error(`draft failed: ${st.alert}`);
      return st.state === "done";
    }, 300);
    // DIN 5008 parts in the preview, the mark until review, the legal passage from the template.
    for (const v of ["Stadt Musterstadt · Marktplatz 1 · 12345 Musterstadt", "Max Mustermann", "12345 Musterstadt", "Unser Zeichen", "WG-2026-0815",
      "fehlende Unterlagen", "Guten Tag Max Mustermann,", "Mit freundlichen Grüßen", "Erika Beispiel", "Sachbearbeiterin Wohngeld", "KI-Entwurf"]) {
      assert.ok(st.preview.includes(v), `preview lacks ${v}: ${st.preview.slice(0, 300)}`);
    }
    assert.match(st.legal, /§ 26 Abs\. 2 des Verwaltungsverfahrensgesetzes/);
    assert.match(st.list, /Gehaltsnachweise Oktober 2026/);
    assert.ok(st.model >= 1, "the model wrote at least one paragraph");
    await click("#letter-export-docx");
    const docx = await exportedPath("letter", /Gespeichert: (\S+\.docx)/);
    assert.equal(readFileSync(docx).subarray(0, 2).toString("latin1"), "PK", "the export is a DOCX (zip)");
    log(`exported ${docx}`);
    await exec(`document.getElementById("letter-preview").scrollIntoView({ block: "start" });`);
    await sleep(300);
    await screenshot("letter.png");
  });

  step("Brief screen has no serious/critical axe violations", T.script + 120_000, () => axeCheck("letter"));
});
