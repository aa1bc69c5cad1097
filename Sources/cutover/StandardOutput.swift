import ArgumentParser
import Foundation

/// Writes to standard output with `write(2)`, so that a full disk (`> /dev/full`) or a closed
/// pipe (`| head -1`) is a message and an exit code, not a crash or a silent SIGPIPE death.
enum StandardOutput {
    /// Installed once, before any output: a write to a closed pipe then fails with EPIPE.
    static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    static func write(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Foundation.write(1, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw CommandError("cannot write to standard output: \(String(cString: strerror(errno)))")
            }
            offset += n
        }
    }
}
