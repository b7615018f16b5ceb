//! CPU-bound Apex programs on the VM against the same programs on CPython, in one run.
//!
//! `cargo bench --bench vm_vs_cpython` prints, per program, the median run time on
//! each side and the ratio VM ÷ CPython (target: at most 1.0), then the VM with a
//! debugger attached (a breakpoint on a line never reached) against detached
//! (target: at most 1.05). Programs live in `benches/apex/` as `NAME.apex` + `NAME.py`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

use isvdbg::vm::debug::{DebugControl, DebuggerSetup, EventSink, LineBreakpoint, VmEvent};
use isvdbg::vm::interp::RequestEnv;
use isvdbg::vm::program::Program;
use isvdbg::vm::{self, types::FnId};

const PROGRAMS: &[&str] = &["fib", "loops", "strings", "collections", "objects"];

struct NoSink;

impl EventSink for NoSink {
    fn event(&self, _: u64, _: VmEvent) {}
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

/// Runs the program `runs` times on a request thread and gives the median time and output.
fn run_vm(prog: Arc<Program>, entry: FnId, runs: usize, debugged: bool) -> (Duration, String) {
    std::thread::Builder::new()
        .stack_size(vm::REQUEST_STACK)
        .spawn(move || {
            let mut times = Vec::new();
            let mut out = String::new();
            let control = Arc::new(DebugControl::new());
            // A breakpoint that is never reached: the debugger checks every statement.
            control.set_line_breakpoints(
                "AnonymousBlock",
                vec![LineBreakpoint::new(
                    1,
                    "AnonymousBlock",
                    10_000,
                    None,
                    None,
                    None,
                )],
            );
            for _ in 0..runs {
                let (_tx, rx) = mpsc::channel();
                let setup = debugged.then(|| DebuggerSetup {
                    request: 1,
                    control: control.clone(),
                    pause: Arc::new(AtomicBool::new(false)),
                    sink: Arc::new(NoSink),
                    commands: rx,
                    stop_on_entry: false,
                });
                let t = Instant::now();
                let o = vm::run_entry_with(&prog, entry, RequestEnv::default(), setup);
                times.push(t.elapsed());
                out = o
                    .output
                    .last()
                    .map(|d| d.message.clone())
                    .unwrap_or_default();
                if let Some(e) = o.exception {
                    panic!("benchmark program failed: {e}");
                }
            }
            (median(times), out)
        })
        .unwrap()
        .join()
        .unwrap()
}

fn run_python(py: &Path, runs: usize) -> Option<(Duration, String)> {
    let runner = py.with_file_name("run_python.py");
    let out = Command::new("python3")
        .arg(&runner)
        .arg(py)
        .arg(runs.to_string())
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut lines = text.lines();
    let result = lines.next()?.to_string();
    let secs: f64 = lines.next()?.trim().parse().ok()?;
    Some((Duration::from_secs_f64(secs), result))
}

fn main() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/apex");
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let python = Command::new("python3").arg("--version").output().ok();
    let python_version = python
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "not found".into());
    println!("VM against {python_version}, median of {runs} runs each\n");
    println!(
        "{:<12} {:>10} {:>10} {:>8}   {:>10} {:>8}",
        "program", "VM", "CPython", "ratio", "debugged", "ratio"
    );
    let base = Program::clone_shallow(
        &vm::compile_classes(
            &[],
            Arc::new(isvdbg::vm::schema::standard::standard_schema()),
        )
        .unwrap(),
    );
    for name in PROGRAMS {
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let src = std::fs::read_to_string(dir.join(format!("{name}.apex"))).unwrap();
        let (prog, entry) = vm::compile_anonymous(&base, &src).expect("benchmark compiles");
        let prog = Arc::new(prog);
        let (vm_time, vm_out) = run_vm(prog.clone(), entry, runs, false);
        let (dbg_time, _) = run_vm(prog, entry, runs, true);
        let py = run_python(&dir.join(format!("{name}.py")), runs);
        let (py_col, ratio) = match &py {
            Some((t, out)) => {
                assert_eq!(
                    out, &vm_out,
                    "{name}: the Apex and Python programs disagree"
                );
                (
                    format!("{:.1} ms", t.as_secs_f64() * 1e3),
                    format!("{:.2}", vm_time.as_secs_f64() / t.as_secs_f64()),
                )
            }
            None => ("n/a".into(), "n/a".into()),
        };
        println!(
            "{:<12} {:>7.1} ms {:>10} {:>8}   {:>7.1} ms {:>8.3}",
            name,
            vm_time.as_secs_f64() * 1e3,
            py_col,
            ratio,
            dbg_time.as_secs_f64() * 1e3,
            dbg_time.as_secs_f64() / vm_time.as_secs_f64()
        );
    }
}
