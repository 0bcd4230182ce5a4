#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive `flock` on a file, so compare-and-set on a directory tree holds across processes
/// (`gloo-hashi run` writing statuses while `gloo-hashi apply` writes a resource).
struct FileLock {
    let path: String

    /// Runs `body` while holding the lock.
    func withLock<T>(_ body: () throws -> T) throws -> T {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw StoreError.unavailable(backend: "directory", cause: "cannot open lock file \(path): \(errnoText())")
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno != EINTR {
                throw StoreError.unavailable(backend: "directory", cause: "cannot lock \(path): \(errnoText())")
            }
        }
        defer { flock(descriptor, LOCK_UN) }
        return try body()
    }
}

/// The text of the current `errno`.
func errnoText() -> String {
    String(cString: strerror(errno))
}
