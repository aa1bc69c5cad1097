import Foundation

/// One writer at a time per database: `ingest`, `correlate` and `run` hold an exclusive lock on
/// `<database>.lock` while they write, so two runs on one database never interleave (a second
/// one waits, up to `timeout`, then says who holds it). Readers (`report`, `query`, `status`
/// when nothing is stale) never take it: WAL lets them read while a writer writes.
///
/// `flock(2)` on a file beside the database: the kernel drops it when the holder exits, even
/// when killed, so a crashed run never leaves the database locked.
public final class WriterLock {
    public let path: String
    private let fd: Int32

    public init(database: String, timeout: Double = 300) throws {
        path = database + ".lock"
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError.lockUnavailable(path, reason: String(cString: strerror(errno)))
        }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(fd)
                throw StoreError.lockUnavailable(path, reason: reason)
            }
            guard Date() < deadline else {
                close(fd)
                throw StoreError.busy(database, waited: timeout)
            }
            usleep(100_000)
        }
        // Who holds it, for the message a waiting run prints.
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
