import Foundation

/// Whether two values from `JSONSerialization` are the same JSON: same keys and values, key
/// order aside; numbers by value.
func jsonEqual(_ a: Any, _ b: Any) -> Bool {
    switch (a, b) {
    case (let a as [String: Any], let b as [String: Any]):
        return a.count == b.count && a.allSatisfy { key, value in b[key].map { jsonEqual(value, $0) } ?? false }
    case (let a as [Any], let b as [Any]):
        return a.count == b.count && zip(a, b).allSatisfy { jsonEqual($0, $1) }
    case (let a as String, let b as String):
        return a == b
    case (is NSNull, is NSNull):
        return true
    case (let a as NSNumber, let b as NSNumber):
        return a.isEqual(to: b) && String(describing: type(of: a)) == String(describing: type(of: b))
    case (let a as Bool, let b as Bool):
        return a == b
    default:
        return false
    }
}
