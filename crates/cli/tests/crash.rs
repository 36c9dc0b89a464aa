//! Crash safety: the process is killed (SIGKILL) in the middle of a stream of saves; every save
//! it reported as committed must be intact and the database must open cleanly.

mod common;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use schreibstube_core::store::{Keychain, Store, DB_FILE};

#[test]
fn a_kill_during_saves_loses_no_committed_result() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = common::cli(dir.path())
        .args(["debug-save-stream", "1000000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut committed = Vec::new();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    while committed.len() < 300 {
        let line = lines.next().expect("the stream ended early").unwrap();
        let (i, id) = line.split_once(' ').unwrap();
        committed.push((i.parse::<usize>().unwrap(), id.parse::<i64>().unwrap()));
    }
    // Child::kill is SIGKILL on Unix: no destructor, no flush, mid-transaction.
    child.kill().unwrap();
    let status = child.wait().unwrap();
    assert!(!status.success(), "killed, not finished");
    // Lines already in the pipe were committed too.
    for line in lines.map_while(|l| l.ok()) {
        if let Some((i, id)) = line.split_once(' ') {
            if let (Ok(i), Ok(id)) = (i.parse(), id.parse()) {
                committed.push((i, id));
            }
        }
    }

    let key = Keychain::default().get().unwrap().expect("the CLI's key");
    let store = Store::open(&dir.path().join(DB_FILE), &key).expect("opens after the crash");
    assert_eq!(store.integrity_check().unwrap(), "ok");
    for (i, id) in &committed {
        let r = store.get_result(*id).unwrap().unwrap_or_else(|| panic!("committed result {id} lost"));
        let expected = format!("Testergebnis Nummer {i}: {}", "Lorem ipsum dolor sit amet. ".repeat(40));
        assert_eq!(r.body, expected, "result {id} damaged");
        assert_eq!(r.title, format!("Stapel {i}"));
    }
    let stored = store.list_results(usize::MAX >> 1).unwrap().len();
    assert!(stored >= committed.len(), "{stored} stored, {} reported", committed.len());
    assert!(stored <= committed.len() + 1, "at most the one in flight beyond what was reported");
    // The full-text index survived as well.
    assert!(!store.search("Testergebnis", 5).unwrap().is_empty());
}
