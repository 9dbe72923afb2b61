//! `corpus/<family>/<case>/expected.json`: the capture's process behaviour in
//! the language-neutral normalized form (`format: "forkscope-normalized"`,
//! schema in corpus/schema/expected.schema.json, written by
//! `forkscope normalize --write corpus/`). Tasks are renumbered: the root is 1,
//! then depth first over the creation tree. Kinds this reader does not know
//! are kept as `Unknown` (and counted) so the format can grow.

use crate::case_file::{CaseFile, ExitStatus};
use crate::problem::JsonPointer;
use crate::promise::Promise;
use serde_derive::Deserialize;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

pub const EXPECTED_FORMAT: &str = "forkscope-normalized";
pub const EXPECTED_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Expected {
    pub format: String,
    pub version: u32,
    /// Ordered by renumbered pid.
    pub processes: Vec<Process>,
    /// Cross-task orderings the recording shows and Linux guarantees.
    pub orderings: Vec<Ordering>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Process {
    /// The renumbered id of the process's original leader task.
    pub pid: u32,
    /// The parent process's pid; `None` for a root of the capture.
    pub parent: Option<u32>,
    /// The clone-family event that created it; `None` for a root.
    pub created_by: Option<EventRef>,
    /// How the whole process ended; `None` if the capture never showed it.
    pub exit: Option<ProcessExit>,
    /// The leader first, then its threads by id.
    pub tasks: Vec<Task>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Task {
    pub tid: u32,
    pub thread: bool,
    /// Lifecycle events in the task's program order.
    pub events: Vec<Event>,
    /// Signals delivered to the task, in recorded order (apart from events: their
    /// position among the calls depends on timing).
    pub signals: Vec<SignalDelivery>,
}

/// A position in one task's `events`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize)]
pub struct EventRef {
    /// The task's renumbered id (a tid for threads).
    pub pid: u32,
    pub index: usize,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum ProcessExit {
    Exited { code: i64 },
    Killed { signal: String, core: bool },
}

impl std::fmt::Display for ProcessExit {
    /// `exited with 0`, `killed by SIGSEGV (core dumped)` — the same words as `ExitStatus`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ProcessExit::Exited { code } => write!(f, "exited with {code}"),
            ProcessExit::Killed { signal, core } => write!(f, "killed by {signal}{}", if *core { " (core dumped)" } else { "" }),
        }
    }
}

/// A pid as the capture showed it: a renumbered task, or one outside the capture.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Value")]
pub enum TaskRef {
    Task(u32),
    External,
}

impl TryFrom<Value> for TaskRef {
    type Error = String;
    fn try_from(v: Value) -> Result<Self, String> {
        match &v {
            Value::String(s) if s == "external" => Ok(TaskRef::External),
            Value::Number(n) => n
                .as_u64()
                .and_then(|n| u32::try_from(n).ok())
                .map(TaskRef::Task)
                .ok_or_else(|| format!("task id {n} is not a positive 32-bit number")),
            _ => Err(format!("task reference {v} is neither a number nor \"external\"")),
        }
    }
}

/// A call's result: a value (a renumbered pid where the call returns one, else
/// the number), a pid outside the capture, or an errno name (`ENOENT`, or
/// `errno N` when strace could not name it). A call that never returned is `None`
/// where this type is used.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "Value")]
pub enum CallResult {
    Value(i64),
    External,
    Errno(String),
}

impl TryFrom<Value> for CallResult {
    type Error = String;
    fn try_from(v: Value) -> Result<Self, String> {
        match &v {
            Value::Number(n) => n.as_i64().map(CallResult::Value).ok_or_else(|| format!("result {n} is not an integer")),
            Value::String(s) if s == "external" => Ok(CallResult::External),
            Value::String(s) if is_errno_name(s) => Ok(CallResult::Errno(s.clone())),
            _ => Err(format!("result {v} is not a number, \"external\" or an errno name")),
        }
    }
}

/// `E` + capitals/digits (`ENOENT`, `E2BIG`), or strace's `errno N` for unnamed ones.
fn is_errno_name(s: &str) -> bool {
    if let Some(n) = s.strip_prefix("errno ") {
        return !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit());
    }
    s.len() >= 2 && s.starts_with('E') && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// A signal as strace printed it: a name, or a number it could not name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum SignalRef {
    Number(i64),
    Name(String),
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum WaitTarget {
    Any,
    Pid {
        pid: TaskRef,
    },
    /// The caller's own process group.
    OwnGroup,
    Group {
        pgid: TaskRef,
    },
    Pidfd {
        fd: i64,
    },
    Other {
        text: String,
    },
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum WaitStatus {
    Exited { code: i64 },
    Killed { signal: SignalRef, core: bool },
    Stopped { signal: SignalRef },
    Continued,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum KillTarget {
    Pid {
        pid: TaskRef,
    },
    OwnGroup,
    Group {
        pgid: TaskRef,
    },
    /// kill(-1, …)
    All,
    /// tgkill/tkill: one thread.
    Thread {
        pid: Option<TaskRef>,
        tid: TaskRef,
    },
    Other {
        text: String,
    },
}

/// Which clone-family call created a task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CloneCall {
    Clone,
    Clone3,
    Fork,
    Vfork,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExecCall {
    Execve,
    Execveat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExitCall {
    Exit,
    ExitGroup,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum WaitCall {
    Wait4,
    Waitid,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KillCall {
    Kill,
    Tgkill,
    Tkill,
}

/// One lifecycle event of a task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Event {
    /// clone, clone3, fork or vfork.
    #[serde(rename_all = "camelCase")]
    Clone {
        call: CloneCall,
        /// CLONE_* names, sorted.
        flags: Vec<String>,
        exit_signal: Option<SignalRef>,
        /// The created task's id, or an errno.
        result: Option<CallResult>,
        /// clone3 only: its size argument (it decides several errors).
        #[serde(default)]
        size: Option<i64>,
    },
    /// execve or execveat.
    #[serde(rename_all = "camelCase")]
    Exec {
        call: ExecCall,
        path: Option<String>,
        argv: Option<Vec<String>>,
        argv_truncated: bool,
        /// `Value(0)` on success, or an errno.
        result: Option<CallResult>,
    },
    /// exit or exit_group.
    ExitCall {
        call: ExitCall,
        code: Option<i64>,
    },
    /// wait4 or waitid.
    Wait {
        call: WaitCall,
        target: WaitTarget,
        /// W* names, sorted.
        options: Vec<String>,
        result: Option<CallResult>,
        /// The task whose state change was reported.
        child: Option<TaskRef>,
        status: Option<WaitStatus>,
    },
    /// kill, tgkill or tkill.
    Kill {
        call: KillCall,
        target: KillTarget,
        signal: Option<SignalRef>,
        result: Option<CallResult>,
    },
    /// The task's end as strace reported it.
    Exited {
        code: i64,
    },
    Killed {
        signal: String,
        core: bool,
    },
    /// An exec in another thread of the group ended this task; that thread took its pid.
    Superseded {
        by: u32,
    },
    /// An event kind newer than this reader.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SignalDelivery {
    pub signal: String,
    /// si_code as printed (`CLD_EXITED`), or a number.
    pub code: Option<Value>,
    /// si_pid, renumbered.
    pub pid: Option<TaskRef>,
    /// si_status.
    pub status: Option<SignalRef>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum OrderingReason {
    /// A CLONE_VFORK parent resumed after the child's successful execve.
    VforkReleasedByExec,
    /// A CLONE_VFORK parent resumed after the child started to exit.
    VforkReleasedByExit,
    /// A wait call returned after the reported child's exit.
    WaitAfterExit,
    #[serde(other)]
    Unknown,
}

impl OrderingReason {
    /// The name used in the JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            OrderingReason::VforkReleasedByExec => "vfork-released-by-exec",
            OrderingReason::VforkReleasedByExit => "vfork-released-by-exit",
            OrderingReason::WaitAfterExit => "wait-after-exit",
            OrderingReason::Unknown => "(unknown reason)",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Ordering {
    /// Only "resumed-after" so far.
    pub kind: String,
    pub reason: OrderingReason,
    /// The call that blocked.
    pub call: EventRef,
    /// What had to happen first.
    pub after: EventRef,
}

/// The only ordering kind so far.
pub const RESUMED_AFTER: &str = "resumed-after";

impl Ordering {
    /// A `resumed-after` ordering with a reason this reader knows (and checks).
    pub fn is_known(&self) -> bool {
        self.kind == RESUMED_AFTER && self.reason != OrderingReason::Unknown
    }
}

impl Expected {
    /// Every task, with the pid of its process.
    pub fn tasks(&self) -> impl Iterator<Item = (u32, &Task)> {
        self.processes.iter().flat_map(|p| p.tasks.iter().map(move |t| (p.pid, t)))
    }

    /// The event an `EventRef` names, if it exists.
    pub fn event(&self, r: EventRef) -> Option<&Event> {
        self.tasks().find(|(_, t)| t.tid == r.pid).and_then(|(_, t)| t.events.get(r.index))
    }

    /// How many events and orderings have a kind this reader does not know.
    pub fn unknown_kinds(&self) -> usize {
        let events = self.tasks().flat_map(|(_, t)| t.events.iter()).filter(|e| **e == Event::Unknown).count();
        events + self.orderings.iter().filter(|o| !o.is_known()).count()
    }

    /// Internal consistency: format and version; pids sorted and unique; task
    /// ids unique and exactly 1..=N; each process led by its non-thread leader;
    /// every pid or tid referenced is a task of the capture; `createdBy` names a
    /// clone event whose result is this process; each ordering names real events
    /// of the kinds its reason requires.
    pub fn check(&self) -> Vec<(JsonPointer, String)> {
        let root = JsonPointer::root();
        let mut out: Vec<(JsonPointer, String)> = Vec::new();
        if self.format != EXPECTED_FORMAT {
            out.push((root.key("format"), format!("format \"{}\" is not \"{EXPECTED_FORMAT}\"", self.format)));
        }
        if self.version != EXPECTED_VERSION {
            out.push((
                root.key("version"),
                format!("version {} is not {EXPECTED_VERSION}, the version this reader understands", self.version),
            ));
        }

        // Which process each task belongs to, and where it is.
        let mut process_of: HashMap<u32, u32> = HashMap::new();
        let pids: HashSet<u32> = self.processes.iter().map(|p| p.pid).collect();
        for (pi, p) in self.processes.iter().enumerate() {
            let at = root.key("processes").index(pi);
            if pi > 0 && self.processes[pi - 1].pid >= p.pid {
                out.push((at.key("pid"), format!("pid {} is not above the previous process's {}", p.pid, self.processes[pi - 1].pid)));
            }
            match p.tasks.first() {
                None => out.push((at.key("tasks"), format!("process {} has no tasks", p.pid))),
                Some(t) if t.tid != p.pid || t.thread => out.push((
                    at.key("tasks").index(0),
                    format!("first task of process {} is not its leader (tid {}, thread {})", p.pid, t.tid, t.thread),
                )),
                Some(_) => {}
            }
            for (ti, t) in p.tasks.iter().enumerate().skip(1) {
                if !t.thread {
                    out.push((at.key("tasks").index(ti), format!("task {} follows the leader but is not a thread", t.tid)));
                }
            }
            for (ti, t) in p.tasks.iter().enumerate() {
                if process_of.insert(t.tid, p.pid).is_some() {
                    out.push((at.key("tasks").index(ti).key("tid"), format!("task id {} used twice", t.tid)));
                }
            }
        }
        let n = process_of.len() as u32;
        if let Some(bad) = process_of.keys().filter(|&&tid| tid == 0 || tid > n).min() {
            out.push((root.key("processes"), format!("task ids are not exactly 1..={n} (found {bad})")));
        }

        let task_exists = |r: &TaskRef| match r {
            TaskRef::Task(id) => process_of.contains_key(id),
            TaskRef::External => true,
        };
        let event_at = |r: EventRef| self.event(r);

        for (pi, p) in self.processes.iter().enumerate() {
            let at = root.key("processes").index(pi);
            if let Some(parent) = p.parent {
                if !pids.contains(&parent) {
                    out.push((at.key("parent"), format!("parent {parent} is not a process of the capture")));
                }
            }
            match p.created_by {
                // Only a root of the capture was not created in it.
                None if p.parent.is_some() => {
                    out.push((at.key("createdBy"), "a child process (with a parent) lacks createdBy".to_string()))
                }
                None => {}
                Some(by) => match event_at(by) {
                    None => out.push((at.key("createdBy"), format!("createdBy names no event (task {} index {})", by.pid, by.index))),
                    Some(Event::Clone { result: Some(CallResult::Value(v)), flags, .. }) if *v == i64::from(p.pid) => {
                        // No parent in the capture: only CLONE_PARENT from a root gives that.
                        if p.parent.is_none() && !flags.iter().any(|f| f == "CLONE_PARENT") {
                            out.push((at.key("parent"), "a created process has no parent, and its clone lacks CLONE_PARENT".to_string()));
                        }
                    }
                    Some(other) => {
                        out.push((at.key("createdBy"), format!("createdBy is not a clone returning {}: {}", p.pid, describe(other))))
                    }
                },
            }
            if let Some(ProcessExit::Exited { code }) = p.exit {
                if !(0..=255).contains(&code) {
                    out.push((at.key("exit").key("code"), format!("exit code {code} is outside 0..255")));
                }
            }
            for (ti, t) in p.tasks.iter().enumerate() {
                let tat = at.key("tasks").index(ti);
                for (ei, e) in t.events.iter().enumerate() {
                    let eat = tat.key("events").index(ei);
                    // exec and kill return 0 or an errno, nothing else.
                    if let Event::Exec { result: Some(r), .. } | Event::Kill { result: Some(r), .. } = e {
                        if !matches!(r, CallResult::Value(0) | CallResult::Errno(_)) {
                            out.push((eat.key("result"), format!("result {} is neither 0 nor an errno", show_result(&Some(r.clone())))));
                        }
                    }
                    for (field, r) in task_refs(e) {
                        if !task_exists(&r) {
                            out.push((eat.key(field), format!("{field} names task {} which the capture does not have", show_ref(r))));
                        }
                    }
                }
                for (si, s) in t.signals.iter().enumerate() {
                    if let Some(r) = &s.pid {
                        if !task_exists(r) {
                            out.push((
                                tat.key("signals").index(si).key("pid"),
                                format!("si_pid names task {} which the capture does not have", show_ref(*r)),
                            ));
                        }
                    }
                }
            }
        }

        for (oi, o) in self.orderings.iter().enumerate() {
            let at = root.key("orderings").index(oi);
            let (call, after) = (event_at(o.call), event_at(o.after));
            if call.is_none() {
                out.push((at.key("call"), format!("names no event (task {} index {})", o.call.pid, o.call.index)));
            }
            if after.is_none() {
                out.push((at.key("after"), format!("names no event (task {} index {})", o.after.pid, o.after.index)));
            }
            let (Some(call), Some(after)) = (call, after) else { continue };
            if !o.is_known() {
                continue;
            }
            if let Some(why) = ordering_mismatch(o, call, after, &process_of) {
                out.push((at, why));
            }
        }
        out
    }
}

impl Expected {
    /// Whether the normalized calls show what `promise` says the capture
    /// contains (the same meaning as the capture tools give it; failed calls
    /// count, since a promise is about the calls made).
    pub fn keeps(&self, promise: Promise) -> bool {
        let has = |flags: &[String], name: &str| flags.iter().any(|f| f == name);
        let vfork_like = |flags: &[String]| has(flags, "CLONE_VM") && has(flags, "CLONE_VFORK");
        let mut events = self.tasks().flat_map(|(_, t)| t.events.iter().enumerate().map(move |(i, e)| (t.tid, i, e)));
        match promise {
            Promise::Clone3Vfork => {
                events.any(|(_, _, e)| matches!(e, Event::Clone { call: CloneCall::Clone3, flags, .. } if vfork_like(flags)))
            }
            Promise::CloneVfork => {
                events.any(|(_, _, e)| matches!(e, Event::Clone { call: CloneCall::Clone, flags, .. } if vfork_like(flags)))
            }
            Promise::Vfork => events.any(|(_, _, e)| matches!(e, Event::Clone { call: CloneCall::Vfork, .. })),
            Promise::Fork => events.any(|(_, _, e)| match e {
                Event::Clone { call: CloneCall::Fork, .. } => true,
                Event::Clone { call: CloneCall::Clone | CloneCall::Clone3, flags, .. } => {
                    !has(flags, "CLONE_VM") && !has(flags, "CLONE_THREAD")
                }
                _ => false,
            }),
            Promise::Thread => events.any(|(_, _, e)| matches!(e, Event::Clone { flags, .. } if has(flags, "CLONE_THREAD"))),
            Promise::Clone3 => events.any(|(_, _, e)| matches!(e, Event::Clone { call: CloneCall::Clone3, .. })),
            // An exec besides the root's own first one.
            Promise::Execve => events.any(|(tid, i, e)| matches!(e, Event::Exec { .. }) && (tid, i) != (1, 0)),
            // No task besides the root ever appeared.
            Promise::None => self.tasks().count() == 1,
        }
    }

    /// Agreement with the case.json beside it: process 1 is the root (no
    /// parent), its first event is the successful exec of the case's argv, it
    /// ended as the case's exitStatus says, and the calls the case promises are there.
    pub fn check_against(&self, case: &CaseFile) -> Vec<(JsonPointer, String)> {
        let root = JsonPointer::root();
        let mut out = Vec::new();
        let Some((pi, p)) = self.processes.iter().enumerate().find(|(_, p)| p.pid == 1) else {
            out.push((root.key("processes"), "no process 1 (the traced root)".to_string()));
            return out;
        };
        let at = root.key("processes").index(pi);
        if p.parent.is_some() {
            out.push((at.key("parent"), "process 1, the traced root, has a parent".to_string()));
        }
        let first = p.tasks.first().filter(|t| t.tid == 1).and_then(|t| t.events.first());
        let first_at = at.key("tasks").index(0).key("events").index(0);
        match first {
            Some(Event::Exec { path, argv, argv_truncated, result: Some(CallResult::Value(0)), .. }) => {
                if path.as_deref() != case.argv.first().map(String::as_str) {
                    out.push((first_at.key("path"), format!("root exec path {path:?} is not argv[0] of case.json")));
                }
                if !argv_truncated && argv.as_ref() != Some(&case.argv) {
                    out.push((first_at.key("argv"), format!("root exec argv {argv:?} is not case.json's {:?}", case.argv)));
                }
            }
            Some(other) => out.push((first_at, format!("the root's first event is {}, not its successful exec", describe(other)))),
            None => out.push((at.key("tasks"), "the root task has no events (its exec is missing)".to_string())),
        }
        let agrees = match (&p.exit, &case.exit_status) {
            (Some(ProcessExit::Exited { code }), ExitStatus::Exited { code: c }) => *code == i64::from(*c),
            (Some(ProcessExit::Killed { signal, core }), ExitStatus::Killed { signal: s, core_dumped }) => {
                signal == s && core == core_dumped
            }
            _ => false,
        };
        for promise in &case.promises {
            if !self.keeps(*promise) {
                out.push((root.key("processes"), format!("case.json promises \"{promise}\" but no such call is here")));
            }
        }
        if !agrees {
            let seen = p.exit.as_ref().map_or("never ended".to_string(), ToString::to_string);
            out.push((at.key("exit"), format!("the root {seen}, but case.json's exitStatus says {}", case.exit_status)));
        }
        out
    }
}

/// Why an ordering's events are not of the kinds its reason speaks of, if they are not.
fn ordering_mismatch(o: &Ordering, call: &Event, after: &Event, process_of: &HashMap<u32, u32>) -> Option<String> {
    let vfork_child = |call: &Event| match call {
        Event::Clone { flags, result: Some(CallResult::Value(v)), .. } if flags.iter().any(|f| f == "CLONE_VFORK") => Some(*v),
        _ => None,
    };
    match o.reason {
        OrderingReason::VforkReleasedByExec | OrderingReason::VforkReleasedByExit => {
            let Some(child) = vfork_child(call) else {
                return Some(format!("{}: call is not a successful CLONE_VFORK clone: {}", o.reason.as_str(), describe(call)));
            };
            if child != i64::from(o.after.pid) {
                return Some(format!("{}: after is in task {}, not the vfork child {child}", o.reason.as_str(), o.after.pid));
            }
            let fits = matches!(
                (o.reason, after),
                (OrderingReason::VforkReleasedByExec, Event::Exec { result: Some(CallResult::Value(0)), .. })
                    | (OrderingReason::VforkReleasedByExit, Event::ExitCall { .. })
            );
            (!fits).then(|| format!("{}: after is {}", o.reason.as_str(), describe(after)))
        }
        OrderingReason::WaitAfterExit => {
            let Event::Wait { child, .. } = call else {
                return Some(format!("wait-after-exit: call is {}", describe(call)));
            };
            if !matches!(after, Event::Exited { .. } | Event::Killed { .. }) {
                return Some(format!("wait-after-exit: after is {}", describe(after)));
            }
            match child {
                Some(TaskRef::Task(c)) if process_of.get(&o.after.pid) == Some(c) => None,
                _ => Some(format!("wait-after-exit: the ended task {} is not in the reported child's process", o.after.pid)),
            }
        }
        OrderingReason::Unknown => None,
    }
}

/// The task references inside one event, with the field that holds each.
fn task_refs(e: &Event) -> Vec<(&'static str, TaskRef)> {
    let mut v = Vec::new();
    let result_ref = |r: &Option<CallResult>| match r {
        Some(CallResult::Value(n)) if *n > 0 => Some(u32::try_from(*n).map(TaskRef::Task).unwrap_or(TaskRef::Task(0))),
        _ => None,
    };
    match e {
        Event::Clone { result, .. } => v.extend(result_ref(result).map(|r| ("result", r))),
        Event::Wait { target, result, child, .. } => {
            // wait4 returns the reaped pid; waitid returns 0.
            v.extend(result_ref(result).map(|r| ("result", r)));
            v.extend(child.map(|r| ("child", r)));
            match target {
                WaitTarget::Pid { pid } => v.push(("target", *pid)),
                WaitTarget::Group { pgid } => v.push(("target", *pgid)),
                _ => {}
            }
        }
        Event::Kill { target, .. } => match target {
            KillTarget::Pid { pid } => v.push(("target", *pid)),
            KillTarget::Group { pgid } => v.push(("target", *pgid)),
            KillTarget::Thread { pid, tid } => {
                v.extend(pid.map(|r| ("target", r)));
                v.push(("target", *tid));
            }
            _ => {}
        },
        Event::Superseded { by } => v.push(("by", TaskRef::Task(*by))),
        _ => {}
    }
    v
}

fn show_ref(r: TaskRef) -> String {
    match r {
        TaskRef::Task(id) => id.to_string(),
        TaskRef::External => "external".to_string(),
    }
}

/// A result for messages: the number, `external`, the errno, or `?` if the call never returned.
fn show_result(r: &Option<CallResult>) -> String {
    match r {
        Some(CallResult::Value(n)) => n.to_string(),
        Some(CallResult::External) => "external".to_string(),
        Some(CallResult::Errno(e)) => e.clone(),
        None => "?".to_string(),
    }
}

/// A short description of an event for messages, e.g. `vfork = 2`, `execve = ENOENT`.
fn describe(e: &Event) -> String {
    match e {
        Event::Clone { call, result, .. } => {
            let name = match call {
                CloneCall::Clone => "clone",
                CloneCall::Clone3 => "clone3",
                CloneCall::Fork => "fork",
                CloneCall::Vfork => "vfork",
            };
            format!("{name} = {}", show_result(result))
        }
        Event::Exec { call, result, .. } => {
            let name = match call {
                ExecCall::Execve => "execve",
                ExecCall::Execveat => "execveat",
            };
            format!("{name} = {}", show_result(result))
        }
        Event::ExitCall { call: ExitCall::Exit, .. } => "exit".to_string(),
        Event::ExitCall { call: ExitCall::ExitGroup, .. } => "exit_group".to_string(),
        Event::Wait { call: WaitCall::Wait4, result, .. } => format!("wait4 = {}", show_result(result)),
        Event::Wait { call: WaitCall::Waitid, result, .. } => format!("waitid = {}", show_result(result)),
        Event::Kill { call, result, .. } => {
            let name = match call {
                KillCall::Kill => "kill",
                KillCall::Tgkill => "tgkill",
                KillCall::Tkill => "tkill",
            };
            format!("{name} = {}", show_result(result))
        }
        Event::Exited { code } => format!("exited with {code}"),
        Event::Killed { signal, .. } => format!("killed by {signal}"),
        Event::Superseded { by } => format!("superseded by {by}"),
        Event::Unknown => "an event of unknown kind".to_string(),
    }
}
