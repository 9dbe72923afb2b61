//! Linux signal names (x86_64, include/uapi/asm-generic/signal.h and
//! arch/x86/include/uapi/asm/signal.h), for validating the names the corpus
//! records. Aliases that Node.js may report (SIGIOT, SIGPOLL) are accepted too.

/// Name and number of every standard Linux signal on x86_64.
pub const SIGNALS: [(&str, u8); 33] = [
    ("SIGHUP", 1),
    ("SIGINT", 2),
    ("SIGQUIT", 3),
    ("SIGILL", 4),
    ("SIGTRAP", 5),
    ("SIGABRT", 6),
    ("SIGIOT", 6),
    ("SIGBUS", 7),
    ("SIGFPE", 8),
    ("SIGKILL", 9),
    ("SIGUSR1", 10),
    ("SIGSEGV", 11),
    ("SIGUSR2", 12),
    ("SIGPIPE", 13),
    ("SIGALRM", 14),
    ("SIGTERM", 15),
    ("SIGSTKFLT", 16),
    ("SIGCHLD", 17),
    ("SIGCONT", 18),
    ("SIGSTOP", 19),
    ("SIGTSTP", 20),
    ("SIGTTIN", 21),
    ("SIGTTOU", 22),
    ("SIGURG", 23),
    ("SIGXCPU", 24),
    ("SIGXFSZ", 25),
    ("SIGVTALRM", 26),
    ("SIGPROF", 27),
    ("SIGWINCH", 28),
    ("SIGIO", 29),
    ("SIGPOLL", 29),
    ("SIGPWR", 30),
    ("SIGSYS", 31),
];

/// The number of a signal name: a standard name, or a real-time one written
/// `SIGRTMIN`, `SIGRTMIN+n`, `SIGRTMAX`, `SIGRTMAX-n` (kernel range 32..=64),
/// or `SIGRT_n` as strace prints them (n in 32..=64).
pub fn signal_number(name: &str) -> Option<u8> {
    if let Some((_, n)) = SIGNALS.iter().find(|(s, _)| *s == name) {
        return Some(*n);
    }
    let small = |t: &str| -> Option<u8> {
        if t.is_empty() || t.len() > 2 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    let rt = |n: u8| (32..=64).contains(&n).then_some(n);
    match name {
        "SIGRTMIN" => Some(32),
        "SIGRTMAX" => Some(64),
        _ => {
            if let Some(k) = name.strip_prefix("SIGRTMIN+") {
                rt(32 + small(k)?)
            } else if let Some(k) = name.strip_prefix("SIGRTMAX-") {
                rt(64u8.checked_sub(small(k)?)?)
            } else if let Some(k) = name.strip_prefix("SIGRT_") {
                rt(small(k)?)
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::signal_number;

    #[test]
    fn names() {
        assert_eq!(signal_number("SIGKILL"), Some(9));
        assert_eq!(signal_number("SIGCHLD"), Some(17));
        assert_eq!(signal_number("SIGIOT"), Some(6));
        assert_eq!(signal_number("SIGRTMIN+3"), Some(35));
        assert_eq!(signal_number("SIGRTMAX-1"), Some(63));
        assert_eq!(signal_number("SIGRT_40"), Some(40));
        for bad in ["KILL", "SIGKIL", "SIGRTMIN+40", "SIGRT_3", "SIGRTMAX-99", "SIGRTMIN+", "sigkill", ""] {
            assert_eq!(signal_number(bad), None, "{bad}");
        }
    }
}
