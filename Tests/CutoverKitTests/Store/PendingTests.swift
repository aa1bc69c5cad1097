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

    /// Where each deinit of a `Tracked` ran: on the caller's thread or not.
    final class FreedLog: @unchecked Sendable {
        let freed = DispatchSemaphore(value: 0)
        let caller = pthread_self()
        private let lock = NSLock()
        private var onCaller: [Bool] = []
        func record() {
            lock.withLock { onCaller.append(pthread_equal(pthread_self(), caller) != 0) }
            freed.signal()
        }
        var threads: [Bool] { lock.withLock { onCaller } }
    }

    final class Tracked: Sendable {
        let log: FreedLog
        init(_ log: FreedLog) { self.log = log }
        deinit { log.record() }
    }

    /// A value released in the background is freed, every part of it, and not on the caller's
    /// thread; one kept until exit is never freed.
    @Test func aReleasedValueIsFreedOnAnotherThreadAndAKeptOneNever() {
        let log = FreedLog()
        let values = (0..<1000).map { _ in Tracked(log) }
        Lifetime.releaseInBackground(consume values)
        for _ in 0..<1000 { #expect(log.freed.wait(timeout: .now() + 10) == .success) }
        #expect(log.threads.count == 1000 && !log.threads.contains(true))
        Lifetime.keepUntilExit([Tracked(log)])
        #expect(log.freed.wait(timeout: .now() + 0.5) == .timedOut)
    }
}
