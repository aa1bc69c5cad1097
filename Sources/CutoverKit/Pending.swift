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

/// Where the last reference to a large graph of values goes, when freeing it is work of its own:
/// correlation's facts and results are hundreds of thousands of strings and arrays, and freeing
/// them took a quarter to a third of a second each on 98,000 failures.
public enum Lifetime {
    /// Frees `value` on a thread of its own, on the core the caller leaves idle while it writes.
    public static func releaseInBackground<T>(_ value: consuming T) {
        let box = Released(value)
        Thread { box.value = nil }.start()
    }

    /// Never frees `value`: what the process holds when it ends, the operating system takes back
    /// at once, where freeing it value by value would be the command's last third of a second.
    /// For a command's result it reads last; never for a value a long-lived caller drops.
    public static func keepUntilExit<T>(_ value: consuming T) {
        _ = Unmanaged.passRetained(Released(value))
    }

    private final class Released<T>: @unchecked Sendable {
        var value: T?
        init(_ value: consuming T) { self.value = value }
    }
}
