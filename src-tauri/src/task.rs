//! One model task (summary, explanation, letter) as every task command runs it: checked against
//! the IT policy, on a blocking thread, registered for `cancel`, its events and its end on a
//! Channel, a finished result saved to the history with the documents it rests on.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use schreibstube_core::documents::Document;
use schreibstube_core::llm::{CancelToken, Engine};
use schreibstube_core::store::NewResult;
use schreibstube_core::tasks::draft::DraftResult;
use schreibstube_core::tasks::explain::ExplainResult;
use schreibstube_core::tasks::summarize::SummaryResult;
use schreibstube_core::{CoreError, ErrorInfo};
use tauri::ipc::{Channel, IpcResponse};
use tauri::AppHandle;

use crate::AppState;

/// Task request ids start above the engine's generation ids, so `cancel` never mixes them up.
static NEXT: AtomicU64 = AtomicU64::new(1 << 32);

/// A task's finished result, as the history takes it.
pub(crate) trait TaskResult: Send + 'static {
    /// The policy feature that switches the task off; also its name in the log.
    const FEATURE: &'static str;
    fn cancelled(&self) -> bool;
    fn to_history(&self, docs: &[Document]) -> NewResult;
}

/// The UI event enum of a task: its last event is `Done` or `Error`.
pub(crate) trait TaskEvent<R>: IpcResponse + Send + 'static {
    fn done(request_id: u64, result: R) -> Self;
    fn error(request_id: u64, error: ErrorInfo) -> Self;
}

/// What the work of a task gets: its request id, the engine, its documents and cancel switch,
/// and the channel for its events.
pub(crate) struct Task<'a, E> {
    pub id: u64,
    pub engine: &'a Engine,
    pub docs: &'a [Document],
    pub cancel: &'a CancelToken,
    on_event: &'a Channel<E>,
}

impl<E: IpcResponse> Task<'_, E> {
    /// A closed window simply stops listening; the task then runs to its end.
    pub fn send(&self, event: E) {
        let _ = self.on_event.send(event);
    }
}

/// Starts `work` and returns its request id at once. The documents are copied on the task's
/// thread, not on the command's (a document may be large).
pub(crate) fn spawn<R: TaskResult, E: TaskEvent<R>>(
    app: AppHandle,
    state: &AppState,
    docs: Vec<Arc<Document>>,
    on_event: Channel<E>,
    work: impl FnOnce(&Task<'_, E>) -> Result<R, CoreError> + Send + 'static,
) -> Result<u64, ErrorInfo> {
    state.policy.ensure_enabled(R::FEATURE).map_err(|e| ErrorInfo::from(&e))?;
    let engine = state.engine.read().unwrap().clone().ok_or_else(|| ErrorInfo::from(&CoreError::ModelNotReady))?;
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let cancel = CancelToken::default();
    state.running.lock().unwrap().insert(id, cancel.clone());
    let running = Arc::clone(&state.running);
    let history = Arc::clone(&state.history);
    tauri::async_runtime::spawn_blocking(move || {
        let docs: Vec<Document> = docs.iter().map(|d| (**d).clone()).collect();
        let task = Task { id, engine: &engine, docs: &docs, cancel: &cancel, on_event: &on_event };
        let outcome = work(&task);
        if let Ok(result) = &outcome {
            crate::store_cmds::save_task_result(&app, &history, result.cancelled(), || result.to_history(&docs), &docs, R::FEATURE);
        }
        task.send(match outcome {
            Ok(result) => E::done(id, result),
            Err(e) => E::error(id, ErrorInfo::from(&e)),
        });
        running.lock().unwrap().remove(&id);
    });
    Ok(id)
}

macro_rules! task_result {
    ($result:ty, $feature:literal) => {
        impl TaskResult for $result {
            const FEATURE: &'static str = $feature;
            fn cancelled(&self) -> bool {
                self.cancelled
            }
            fn to_history(&self, docs: &[Document]) -> NewResult {
                <$result>::to_history(self, docs)
            }
        }
    };
}
task_result!(SummaryResult, "summary");
task_result!(ExplainResult, "explain");
task_result!(DraftResult, "draft");

/// `Done { request_id, result: Box<R> }` and `Error { request_id, error }` of a UI event enum.
macro_rules! task_event {
    ($event:ident, $result:ty) => {
        impl crate::task::TaskEvent<$result> for $event {
            fn done(request_id: u64, result: $result) -> Self {
                Self::Done { request_id, result: Box::new(result) }
            }
            fn error(request_id: u64, error: ErrorInfo) -> Self {
                Self::Error { request_id, error }
            }
        }
    };
}
pub(crate) use task_event;
