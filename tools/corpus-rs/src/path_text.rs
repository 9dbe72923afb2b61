//! Lexical handling of absolute POSIX paths, the way the capture tools wrote
//! them (Node's path.posix.normalize/resolve): no filesystem access.

/// Whether `p` is absolute and already in normal form: no empty, `.` or `..`
/// components and no trailing slash (except the root itself).
pub fn is_normal_absolute(p: &str) -> bool {
    if p == "/" {
        return true;
    }
    if !p.starts_with('/') || p.ends_with('/') {
        return false;
    }
    p[1..].split('/').all(|c| !c.is_empty() && c != "." && c != "..")
}

/// `target` resolved against the directory `base` (absolute), lexically:
/// `..` at the root stays at the root, as the kernel does.
pub fn resolve(base: &str, target: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let joined_base = if target.starts_with('/') { "" } else { base };
    for c in joined_base.split('/').chain(target.split('/')) {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            other => parts.push(other),
        }
    }
    format!("/{}", parts.join("/"))
}

/// The directory part of an absolute normal path (`/a/b` → `/a`, `/a` → `/`).
pub fn dirname(p: &str) -> &str {
    match p.rfind('/') {
        Some(0) | None => "/",
        Some(i) => &p[..i],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normal_form() {
        for ok in ["/", "/bin", "/usr/bin/python3", "/tmp/forkscope/work/no shebang"] {
            assert!(is_normal_absolute(ok), "{ok}");
        }
        for bad in ["", "bin", "/bin/", "//bin", "/usr/./bin", "/usr/../bin", "/a//b"] {
            assert!(!is_normal_absolute(bad), "{bad}");
        }
    }

    #[test]
    fn resolution() {
        assert_eq!(resolve("/bin", "dash"), "/bin/dash");
        assert_eq!(resolve("/usr/bin", "../lib/x"), "/usr/lib/x");
        assert_eq!(resolve("/usr/bin", "/etc/alternatives/python"), "/etc/alternatives/python");
        assert_eq!(resolve("/", "../../x"), "/x");
        assert_eq!(resolve("/a", "./b/./c/"), "/a/b/c");
        assert_eq!(dirname("/usr/bin/sh"), "/usr/bin");
        assert_eq!(dirname("/sh"), "/");
    }
}
