import Foundation

/// A blocking first-in first-out queue of at most `capacity` items between two threads.
///
/// `put` waits while the queue is full, so a fast producer cannot run ahead of a slow
/// consumer: this is what keeps a two-thread ingest's memory bounded. `close` wakes both
/// sides; after it, `put` refuses and `take` drains what is left, then returns nil.
final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) { self.capacity = max(1, capacity) }

    /// Adds `item`, waiting for room; false when the queue was closed.
    func put(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The oldest item, waiting for one; nil once the queue is closed and empty.
    func take() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Adds `item` if there is room, without waiting.
    func offer(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard items.count < capacity && !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The oldest item if there is one, without waiting.
    func poll() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
