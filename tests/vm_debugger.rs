//! The debugger hook driven directly through the VM API: breakpoints, stepping,
//! exception stops (by type and supertype), paging, evaluation (and its CPU budget),
//! setting locals and fields, two paused requests, pause, stop on entry, inner-class
//! frames and the valid breakpoint lines.

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use isvdbg::vm::debug::{
    DebugCommand, DebugControl, DebuggerSetup, EventSink, ExceptionFilter, FrameInfo,
    FunctionBreakpoint, LineBreakpoint, ResumeKind, StopInfo, StopReason, VarInfo, VmEvent,
};
use isvdbg::vm::interp::RequestEnv;
use isvdbg::vm::{self, RunOutcome, SourceFile};

const WAIT: Duration = Duration::from_secs(20);

/// The 1-based line holding a marker comment such as `// #BP1`.
fn line_of(src: &str, marker: &str) -> u32 {
    src.lines()
        .position(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("marker {marker} not found")) as u32
        + 1
}

struct Sink(Mutex<Sender<(u64, VmEvent)>>);

impl EventSink for Sink {
    fn event(&self, request: u64, event: VmEvent) {
        let _ = self.0.lock().unwrap().send((request, event));
    }
}

/// A program plus one debug session over it.
struct Session {
    prog: Arc<vm::program::Program>,
    control: Arc<DebugControl>,
    sink: Arc<Sink>,
    events: Receiver<(u64, VmEvent)>,
}

/// One request running on its own thread.
struct Request {
    commands: Sender<DebugCommand>,
    pause: Arc<AtomicBool>,
    done: std::thread::JoinHandle<RunOutcome>,
}

impl Session {
    fn new(classes: &[(&str, &str)]) -> Session {
        let files: Vec<SourceFile> = classes
            .iter()
            .map(|(n, t)| SourceFile::new(*n, *t, ""))
            .collect();
        let prog = vm::compile_classes(
            &files,
            Arc::new(isvdbg::vm::schema::standard::standard_schema()),
        )
        .expect("classes compile");
        let (tx, rx) = channel();
        Session {
            prog: Arc::new(prog),
            control: Arc::new(DebugControl::new()),
            sink: Arc::new(Sink(Mutex::new(tx))),
            events: rx,
        }
    }

    fn breakpoint(&self, typeref: &str, line: u32) {
        self.breakpoint_with(typeref, line, None, None, None);
    }

    fn breakpoint_with(
        &self,
        typeref: &str,
        line: u32,
        cond: Option<&str>,
        hit: Option<&str>,
        log: Option<&str>,
    ) {
        self.control.set_line_breakpoints(
            typeref,
            vec![LineBreakpoint::new(
                line as u64,
                typeref,
                line,
                cond.map(str::to_string),
                hit.map(str::to_string),
                log.map(str::to_string),
            )],
        );
    }

    fn start(&self, id: u64, anon: &str) -> Request {
        self.start_with(id, anon, false)
    }

    fn start_with(&self, id: u64, anon: &str, stop_on_entry: bool) -> Request {
        let (prog, entry) = vm::compile_anonymous(&self.prog, anon).expect("anonymous compiles");
        let (ctx, crx) = channel();
        let pause = Arc::new(AtomicBool::new(false));
        let sink: Arc<dyn EventSink> = self.sink.clone();
        let dbg = DebuggerSetup {
            request: id,
            control: self.control.clone(),
            pause: pause.clone(),
            sink,
            commands: crx,
            stop_on_entry,
        };
        let done = std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn(move || {
                let env = RequestEnv {
                    cpu_limit: Duration::from_secs(2),
                    ..Default::default()
                };
                vm::run_entry_with(&prog, entry, env, Some(dbg))
            })
            .unwrap();
        Request {
            commands: ctx,
            pause,
            done,
        }
    }

    /// The next stop of any request.
    fn stopped(&self) -> (u64, StopInfo) {
        loop {
            match self.events.recv_timeout(WAIT).expect("a stop") {
                (r, VmEvent::Stopped(s)) => return (r, s),
                _ => continue,
            }
        }
    }

    /// The next logpoint message.
    fn logpoint(&self) -> String {
        loop {
            match self.events.recv_timeout(WAIT).expect("a logpoint") {
                (_, VmEvent::Logpoint { text, .. }) => return text,
                _ => continue,
            }
        }
    }
}

fn ask<T: Send + 'static>(
    r: &Request,
    make: impl FnOnce(Box<dyn FnOnce(T) + Send>) -> DebugCommand,
) -> T {
    let (tx, rx) = channel();
    r.commands
        .send(make(Box::new(move |v| {
            let _ = tx.send(v);
        })))
        .expect("request is stopped");
    rx.recv_timeout(WAIT).expect("an answer")
}

impl Request {
    fn stack(&self) -> Vec<FrameInfo> {
        ask(self, DebugCommand::Stack)
    }
    fn scopes(&self, frame: usize) -> Vec<VarInfo> {
        ask(self, |reply| DebugCommand::Scopes { frame, reply })
    }
    fn vars(&self, reference: u64, offset: usize, count: Option<usize>) -> Vec<VarInfo> {
        ask(self, |reply| DebugCommand::Variables {
            reference,
            offset,
            count,
            reply,
        })
        .expect("variables")
    }
    fn locals(&self, frame: usize) -> Vec<VarInfo> {
        let s = self.scopes(frame);
        self.vars(s[0].reference, 0, None)
    }
    fn local(&self, name: &str) -> VarInfo {
        self.locals(0)
            .into_iter()
            .find(|v| v.name == name)
            .unwrap_or_else(|| panic!("no local {name}"))
    }
    fn eval(&self, frame: usize, expression: &str) -> Result<VarInfo, String> {
        let expression = expression.to_string();
        ask(self, |reply| DebugCommand::Evaluate {
            frame,
            expression,
            reply,
        })
    }
    fn resume(&self, kind: ResumeKind) {
        self.commands.send(DebugCommand::Resume(kind)).unwrap();
    }
    fn finish(self) -> RunOutcome {
        drop(self.commands);
        self.done.join().expect("request thread")
    }
}

fn debug_lines(o: &RunOutcome) -> Vec<String> {
    o.output.iter().map(|d| d.message.clone()).collect()
}

const LOOP: &str = "public class Looper {
    public static Integer run(Integer n) {
        Integer total = 0;
        for (Integer i = 0; i < n; i++) {
            total += i; // #BP_LOOP
        }
        return total;
    }
}";

#[test]
fn a_breakpoint_in_a_loop_is_hit_once_per_iteration() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    s.breakpoint("Looper", line_of(LOOP, "#BP_LOOP"));
    let r = s.start(1, "System.debug(Looper.run(5));");
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (req, stop) = s.stopped();
        assert_eq!(req, 1);
        assert_eq!(stop.reason, StopReason::Breakpoint);
        assert_eq!(stop.typeref, "Looper");
        assert_eq!(stop.line, line_of(LOOP, "#BP_LOOP"));
        seen.push(r.local("i").value);
        r.resume(ResumeKind::Continue);
    }
    assert_eq!(seen, ["0", "1", "2", "3", "4"]);
    let out = r.finish();
    assert_eq!(debug_lines(&out), ["10"]);
    assert!(out.exception.is_none());
}

#[test]
fn conditions_hit_counts_and_logpoints() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    let line = line_of(LOOP, "#BP_LOOP");
    s.breakpoint_with("Looper", line, Some("i == 3"), None, None);
    let r = s.start(1, "System.debug(Looper.run(6));");
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Breakpoint);
    assert_eq!(r.local("i").value, "3");
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["15"]);

    s.breakpoint_with("Looper", line, None, Some("% 2"), None);
    let r = s.start(2, "System.debug(Looper.run(6));");
    let mut hits = Vec::new();
    for _ in 0..3 {
        s.stopped();
        hits.push(r.local("i").value);
        r.resume(ResumeKind::Continue);
    }
    assert_eq!(hits, ["1", "3", "5"], "every second hit stops");
    r.finish();

    s.breakpoint_with("Looper", line, None, None, Some("i={i} total={total}"));
    let r = s.start(3, "System.debug(Looper.run(3));");
    assert_eq!(s.logpoint(), "i=0 total=0");
    assert_eq!(s.logpoint(), "i=1 total=0");
    assert_eq!(s.logpoint(), "i=2 total=1");
    let out = r.finish();
    assert_eq!(
        debug_lines(&out),
        ["3"],
        "a logpoint never stops the request"
    );
}

const SHAPES: &str = "public class Shapes {
    public static Integer created = init(); // #BP_STATIC
    static Integer init() {
        return 0; // #BP_INIT
    }
    public Integer side { get { return side * 1; } set { side = value; } } // #BP_PROP
    public Shapes(Integer s) {
        created++; // #BP_CTOR
        side = s;
    }
    public Integer area() {
        Integer a = side * side; // #BP_AREA
        return a;
    }
}";

#[test]
fn stepping_into_over_and_out_across_classes_constructors_accessors_and_statics() {
    let s = Session::new(&[("Shapes.cls", SHAPES)]);
    let anon = "Shapes sq = new Shapes(3); // #A1\nInteger x = sq.area(); // #A2\nSystem.debug(x);";
    s.breakpoint("AnonymousBlock", 1);
    let r = s.start(1, anon);
    let (_, stop) = s.stopped();
    assert_eq!((stop.typeref.as_str(), stop.line), ("AnonymousBlock", 1));

    // Into the static initializer: the first use of the class runs it.
    r.resume(ResumeKind::StepIn);
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Step);
    assert_eq!(
        (stop.typeref.as_str(), stop.line),
        ("Shapes", line_of(SHAPES, "#BP_STATIC"))
    );
    assert!(r.stack()[0].name.contains("<clinit>"), "{:?}", r.stack()[0]);
    r.resume(ResumeKind::StepIn);
    let (_, stop) = s.stopped();
    assert_eq!(stop.line, line_of(SHAPES, "#BP_INIT"));
    // Out of init(): back in the static initializer, at the call.
    r.resume(ResumeKind::StepOut);
    let (_, stop) = s.stopped();
    assert_eq!(stop.line, line_of(SHAPES, "#BP_STATIC"));
    assert!(r.stack()[0].name.ends_with("<clinit>"));
    // Out of the static initializer: back at `new Shapes(3)`.
    r.resume(ResumeKind::StepOut);
    let (_, stop) = s.stopped();
    assert_eq!((stop.typeref.as_str(), stop.line), ("AnonymousBlock", 1));
    // Into the constructor, over its first statements, into the property setter.
    r.resume(ResumeKind::StepIn);
    let (_, stop) = s.stopped();
    assert_eq!(stop.typeref, "Shapes");
    assert!(r.stack()[0].name.ends_with("<init>"), "{:?}", r.stack());
    loop {
        r.resume(ResumeKind::StepOver);
        let (_, stop) = s.stopped();
        assert_eq!(r.stack().len(), 2, "step over stays in the constructor");
        if stop.line == line_of(SHAPES, "#BP_CTOR") + 1 {
            break;
        }
    }
    r.resume(ResumeKind::StepIn);
    let (_, stop) = s.stopped();
    assert_eq!(stop.line, line_of(SHAPES, "#BP_PROP"));
    assert!(
        r.stack()[0].name.ends_with("side.set"),
        "{:?}",
        r.stack()[0]
    );
    assert_eq!(r.local("value").value, "3");
    r.resume(ResumeKind::StepOut);
    let (_, stop) = s.stopped();
    assert_eq!(
        stop.line,
        line_of(SHAPES, "#BP_CTOR") + 1,
        "back in the constructor"
    );
    r.resume(ResumeKind::StepOut);
    let (_, stop) = s.stopped();
    assert_eq!((stop.typeref.as_str(), stop.line), ("AnonymousBlock", 1));
    r.resume(ResumeKind::StepOver);
    let (_, stop) = s.stopped();
    assert_eq!((stop.typeref.as_str(), stop.line), ("AnonymousBlock", 2));
    // Into area(), then into the getter from inside it.
    r.resume(ResumeKind::StepIn);
    let (_, stop) = s.stopped();
    assert_eq!(stop.line, line_of(SHAPES, "#BP_AREA"));
    assert_eq!(r.stack().len(), 2);
    r.resume(ResumeKind::StepIn);
    let (_, stop) = s.stopped();
    assert_eq!(stop.line, line_of(SHAPES, "#BP_PROP"));
    assert!(r.stack()[0].name.ends_with("side.get"));
    r.resume(ResumeKind::Continue);
    let out = r.finish();
    assert_eq!(debug_lines(&out), ["9"]);
}

const THROWER: &str = "public class Thrower {
    public class BillingException extends Exception {}
    public static void caught() {
        try {
            Integer x = null;
            x++; // #BP_NPE
        } catch (NullPointerException e) {
            System.debug('caught');
        }
    }
    public static void uncaught() {
        throw new BillingException('no region'); // #BP_THROW
    }
}";

#[test]
fn exception_breakpoints_by_type_and_uncaught_only() {
    let s = Session::new(&[("Thrower.cls", THROWER)]);
    s.control.set_exception_filter(ExceptionFilter {
        types: vec!["system.nullpointerexception".into()],
        ..Default::default()
    });
    let r = s.start(1, "Thrower.caught();");
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Exception);
    assert_eq!(stop.line, line_of(THROWER, "#BP_NPE"));
    let e = stop.exception.expect("exception details");
    assert_eq!(e.type_name, "System.NullPointerException");
    assert!(e.caught);
    assert!(
        e.stack.starts_with("Class.Thrower.caught: line 6"),
        "{}",
        e.stack
    );
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["caught"]);

    s.control.set_exception_filter(ExceptionFilter {
        uncaught: true,
        ..Default::default()
    });
    // The caught exception no longer stops; the uncaught one does.
    let r = s.start(2, "Thrower.caught();\nThrower.uncaught();");
    let (_, stop) = s.stopped();
    assert_eq!(stop.line, line_of(THROWER, "#BP_THROW"));
    let e = stop.exception.unwrap();
    assert_eq!(e.type_name, "Thrower.BillingException");
    assert_eq!(e.message, "no region");
    assert!(!e.caught);
    r.resume(ResumeKind::Continue);
    let out = r.finish();
    assert_eq!(debug_lines(&out), ["caught"]);
    assert_eq!(
        out.exception.unwrap().to_string(),
        "Thrower.BillingException: no region"
    );
}

#[test]
fn paging_a_hundred_thousand_element_list_costs_only_the_page() {
    let s = Session::new(&[]);
    let anon = "List<Integer> big = new List<Integer>();\nfor (Integer i = 0; i < 100000; i++) { big.add(i * 2); }\nSystem.debug(big.size()); // #BP";
    s.breakpoint("AnonymousBlock", 3);
    let r = s.start(1, anon);
    s.stopped();
    let big = r.local("big");
    assert_eq!(big.indexed, Some(100_000));
    assert_eq!(big.value, "List<Integer> (size 100000)");
    let page = r.vars(big.reference, 99_990, Some(5));
    let names: Vec<&str> = page.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(
        names,
        ["[99990]", "[99991]", "[99992]", "[99993]", "[99994]"]
    );
    assert_eq!(page[4].value, "199988");
    assert_eq!(page[0].evaluate_name.as_deref(), Some("big[99990]"));
    let tail = r.vars(big.reference, 99_998, Some(50));
    assert_eq!(tail.len(), 2, "a page past the end is cut short");
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["100000"]);
}

#[test]
fn evaluate_and_set_variable_in_a_frame() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    s.breakpoint("Looper", line_of(LOOP, "#BP_LOOP") + 2);
    let r = s.start(
        1,
        "Integer outer = 7;\nSystem.debug(Looper.run(4) + outer);",
    );
    s.stopped();
    assert_eq!(r.eval(0, "total * 10").unwrap().value, "60");
    assert_eq!(r.eval(0, "n + total").unwrap().value, "10");
    // The caller's frame sees its own locals.
    assert_eq!(r.eval(1, "outer").unwrap().value, "7");
    assert_eq!(
        r.eval(0, "'n=' + String.valueOf(n)").unwrap().value,
        "'n=4'"
    );
    let err = r.eval(0, "nosuch + 1").unwrap_err();
    assert!(err.contains("Variable does not exist: nosuch"), "{err}");
    let err = r.eval(0, "1 / 0").unwrap_err();
    assert_eq!(err, "System.MathException: Divide by 0");
    // Side effects are allowed.
    assert_eq!(r.eval(0, "total = total + 100").unwrap().value, "106");
    let scopes = r.scopes(0);
    let set: Result<VarInfo, String> = ask(&r, |reply| DebugCommand::SetVariable {
        reference: scopes[0].reference,
        name: "total".into(),
        value: "1000".into(),
        reply,
    });
    assert_eq!(set.unwrap().value, "1000");
    let bad: Result<VarInfo, String> = ask(&r, |reply| DebugCommand::SetVariable {
        reference: scopes[0].reference,
        name: "total".into(),
        value: "'text'".into(),
        reply,
    });
    assert_eq!(
        bad.unwrap_err(),
        "Illegal assignment from String to Integer"
    );
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["1007"]);
}

#[test]
fn two_requests_paused_at_once_resume_independently() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    s.breakpoint("Looper", line_of(LOOP, "#BP_LOOP") + 2);
    let a = s.start(1, "System.debug('a' + Looper.run(3));");
    let b = s.start(2, "System.debug('b' + Looper.run(4));");
    let mut stopped = vec![s.stopped().0, s.stopped().0];
    stopped.sort();
    assert_eq!(stopped, [1, 2]);
    assert_eq!(a.local("total").value, "3");
    assert_eq!(b.local("total").value, "6");
    a.resume(ResumeKind::Continue);
    let out_a = a.finish();
    assert_eq!(debug_lines(&out_a), ["a3"]);
    // B is still stopped and still answers.
    assert_eq!(b.local("total").value, "6");
    assert_eq!(b.stack()[0].line, line_of(LOOP, "#BP_LOOP") + 2);
    b.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&b.finish()), ["b6"]);
}

#[test]
fn pause_stops_a_running_loop() {
    let s = Session::new(&[]);
    let r = s.start(1, "Integer n = 0;\nwhile (true) {\n    n++;\n}");
    std::thread::sleep(Duration::from_millis(50));
    r.pause.store(true, std::sync::atomic::Ordering::Relaxed);
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Pause);
    assert!(
        [2, 3].contains(&stop.line),
        "stopped inside the loop, at {}",
        stop.line
    );
    let n: i64 = r.local("n").value.parse().unwrap();
    assert!(n > 0);
    // Ending the session lets the loop run on to the CPU limit; time paused does not count.
    s.control.end();
    r.resume(ResumeKind::Continue);
    let out = r.finish();
    assert_eq!(
        out.exception.unwrap().to_string(),
        "System.LimitException: Apex CPU time limit exceeded"
    );
}

#[test]
fn a_debug_line_reaches_the_debugger_while_its_loop_still_runs() {
    let s = Session::new(&[]);
    let r = s.start(
        1,
        "Integer n = 0;\nSystem.debug('counting');\nwhile (true) {\n    n++;\n}",
    );
    // No call, return, throw or stop follows the line: it must come on its own.
    let (line, message) = loop {
        match s.events.recv_timeout(WAIT).expect("the debug line, live") {
            (1, VmEvent::Debug { line, message, .. }) => break (line, message),
            _ => continue,
        }
    };
    assert_eq!((line, message.as_str()), (2, "counting"));
    assert!(!r.done.is_finished(), "the loop is still running");
    r.pause.store(true, std::sync::atomic::Ordering::Relaxed);
    assert_eq!(s.stopped().1.reason, StopReason::Pause);
    s.control.end();
    r.resume(ResumeKind::Continue);
    let out = r.finish();
    assert_eq!(debug_lines(&out), ["counting"]);
}

#[test]
fn a_request_whose_debugger_goes_away_finishes() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    s.breakpoint("Looper", line_of(LOOP, "#BP_LOOP"));
    let r = s.start(1, "System.debug(Looper.run(3));");
    s.stopped();
    // Dropping the command channel is what a vanished debugger looks like.
    let out = r.finish();
    assert_eq!(debug_lines(&out), ["3"]);
}

#[test]
fn function_breakpoints_stop_at_the_first_statement() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    s.control.set_function_breakpoints(vec![FunctionBreakpoint {
        id: 9,
        name: "Looper.run".into(),
    }]);
    let r = s.start(1, "System.debug(Looper.run(2));");
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::FunctionBreakpoint);
    assert_eq!(stop.line, 3);
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["1"]);
}

#[test]
fn scopes_show_this_and_statics_and_objects_expand() {
    let s = Session::new(&[("Shapes.cls", SHAPES)]);
    s.breakpoint("Shapes", line_of(SHAPES, "#BP_AREA") + 1);
    let r = s.start(1, "Shapes sq = new Shapes(4);\nSystem.debug(sq.area());");
    s.stopped();
    let scopes = r.scopes(0);
    let names: Vec<&str> = scopes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["Locals", "This", "Statics"]);
    let this = r.vars(scopes[1].reference, 0, None);
    assert_eq!(this[0].name, "side");
    assert_eq!(this[0].value, "4");
    let statics = r.vars(scopes[2].reference, 0, None);
    assert_eq!(
        (statics[0].name.as_str(), statics[0].value.as_str()),
        ("created", "1")
    );
    let caller = r.locals(1);
    let sq = caller.iter().find(|v| v.name == "sq").unwrap();
    assert_eq!(sq.value, "Shapes");
    assert!(sq.reference > 0);
    let fields = r.vars(sq.reference, 0, None);
    assert_eq!(fields[0].value, "4");
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["16"]);
}

#[test]
fn stop_on_entry_stops_at_the_first_statement() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    let r = s.start_with(1, "Integer n = Looper.run(3);\nSystem.debug(n);", true);
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Entry);
    assert_eq!((stop.typeref.as_str(), stop.line), ("AnonymousBlock", 1));
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["3"]);
}

#[test]
fn exception_filter_matches_a_supertype() {
    let s = Session::new(&[("Thrower.cls", THROWER)]);
    s.control.set_exception_filter(ExceptionFilter {
        types: vec!["system.exception".into()],
        ..Default::default()
    });
    let r = s.start(1, "Thrower.uncaught();");
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Exception);
    assert_eq!(stop.line, line_of(THROWER, "#BP_THROW"));
    assert_eq!(
        stop.exception.unwrap().type_name,
        "Thrower.BillingException"
    );
    r.resume(ResumeKind::Continue);
    assert!(r.finish().exception.is_some());
}

const OUTER: &str = "public class Outer {
    public class Inner {
        public Integer size = 1;
        public Integer grow(Integer by) {
            size += by; // #BP_INNER
            return size;
        }
    }
}";

#[test]
fn a_frame_in_an_inner_class_is_named_and_its_fields_can_be_set() {
    let s = Session::new(&[("Outer.cls", OUTER)]);
    s.breakpoint("Outer", line_of(OUTER, "#BP_INNER"));
    let r = s.start(
        1,
        "Outer.Inner o = new Outer.Inner();\nSystem.debug(o.grow(2));",
    );
    let (_, stop) = s.stopped();
    assert_eq!(stop.reason, StopReason::Breakpoint);
    let top = &r.stack()[0];
    assert_eq!(top.name, "Class.Outer.Inner.grow");
    // A frame names the class that declares its code, in Salesforce's form,
    // and the file that holds it; the caller's frame is the anonymous block.
    assert_eq!(
        (top.typeref.as_str(), top.file.as_str()),
        ("Outer$Inner", "Outer.cls")
    );
    assert_eq!(r.stack()[1].typeref, "AnonymousBlock");
    // Set `this.size` through the frame's This scope.
    let this = r.scopes(0).into_iter().find(|v| v.name == "This").unwrap();
    let set: Result<VarInfo, String> = ask(&r, |reply| DebugCommand::SetVariable {
        reference: this.reference,
        name: "size".into(),
        value: "40".into(),
        reply,
    });
    assert_eq!(set.unwrap().value, "40");
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["42"]);
}

#[test]
fn evaluation_stops_at_its_own_cpu_budget() {
    let s = Session::new(&[("Looper.cls", LOOP)]);
    s.breakpoint("Looper", line_of(LOOP, "#BP_LOOP"));
    let r = s.start(1, "System.debug(Looper.run(2));");
    s.stopped();
    let err = r
        .eval(0, "Looper.run(2000000000)")
        .expect_err("a runaway evaluation fails");
    assert!(err.contains("Apex CPU time limit exceeded"), "{err}");
    // The request itself goes on.
    s.control.set_line_breakpoints("Looper", vec![]);
    r.resume(ResumeKind::Continue);
    assert_eq!(debug_lines(&r.finish()), ["1"]);
}

const MARKED: &str = "public class Marked {
    public static Integer run(Integer n) {
        Integer total = 0; // #S
        for (Integer i = 0; i < n; i++) { // #S
            total += i; // #S
        }
        if (total > 10) { // #S
            total = 10; // #S
        }
        return total; // #S
    }
}";

#[test]
fn valid_breakpoint_lines_are_exactly_the_statement_lines() {
    let s = Session::new(&[("Marked.cls", MARKED)]);
    let class = s
        .prog
        .classes
        .iter()
        .find(|c| c.name == "Marked")
        .expect("class");
    let marked: Vec<u32> = MARKED
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("// #S"))
        .map(|(k, _)| k as u32 + 1)
        .collect();
    let method_line = line_of(MARKED, "public static Integer run");
    let valid: Vec<u32> = class
        .valid_lines
        .iter()
        .copied()
        .filter(|l| *l != method_line)
        .collect();
    assert_eq!(valid, marked);
}
