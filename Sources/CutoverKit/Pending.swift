import Foundation

/// A value worked out on a thread of its own while the caller goes on; `value` waits for it.
final class Pending<Value: Sendable>: @unchecked Sendable {
    private var result: Value?
    private let done = DoneLatch()

    init(_ work: @escaping @Sendable () -> Value) {
        Thread { [self] in
            result = work()
            done.signal()
        }.start()
    }

    /// Read only after the latch opens: the thread's write comes before its signal.
    var value: Value {
        done.wait()
        return result!
    }
}
