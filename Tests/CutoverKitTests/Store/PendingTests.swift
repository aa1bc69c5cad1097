import Foundation
import Testing

@testable import CutoverKit

@Suite("Pending: a value worked out beside the caller")
struct PendingTests {
    /// The work runs on a thread of its own while the caller goes on: it waits for the caller's
    /// signal, which comes only after `Pending` returned (run in line, it would time out).
    @Test func theWorkRunsBesideTheCaller() {
        let go = DispatchSemaphore(value: 0)
        let pending = Pending { () -> (signalled: Bool, main: Bool) in
            (go.wait(timeout: .now() + 5) == .success, Thread.isMainThread)
        }
        go.signal()
        #expect(pending.value.signalled)
        #expect(!pending.value.main)
    }

    @Test func everyReadGivesTheOneValue() {
        let pending = Pending { (1...100_000).reduce(0, +) }
        #expect(pending.value == 5_000_050_000)
        #expect(pending.value == 5_000_050_000)
    }

    /// A failure in the work reaches the caller through its `Result`.
    @Test func anErrorComesBackAsTheResult() {
        let pending = Pending { Result { try Database(path: "/nonexistent/dir/x.sqlite", readOnly: true) }.map { _ in 0 } }
        #expect(throws: SQLiteError.self) { try pending.value.get() }
    }
}
