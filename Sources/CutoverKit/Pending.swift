import Foundation

/// A value worked out on a thread of its own while the caller goes on; `value` waits for it.
final class Pending<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let done = DoneLatch()

    init(_ work: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            result = work()
            done.signal()
        }
        // As the parse worker's: SQLite and the classifier get the stack the main thread has.
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Read only after the latch opens: the thread's write comes before its signal.
    var value: Value {
        done.wait()
        return result!
    }
}
