/// Writes JSON string literals (RFC 8259 section 7): quotes, backslashes and control
/// characters escaped. Shared by the query output and the simulator's writers.
public enum JSONText {
    public static func quote(_ s: String) -> String {
        // On the UTF-8 bytes: only ASCII is ever escaped, and every other byte is part of a
        // character written as it is.
        let bytes = s.utf8
        var out: [UInt8] = [0x22]
        out.reserveCapacity(bytes.count + 2)
        for b in bytes {
            switch b {
            case 0x22: out += [0x5C, 0x22]
            case 0x5C: out += [0x5C, 0x5C]
            case 0x0A: out += [0x5C, 0x6E]
            case 0x0D: out += [0x5C, 0x72]
            case 0x09: out += [0x5C, 0x74]
            case 0..<0x20: out += [0x5C, 0x75, 0x30, 0x30, Self.hex[Int(b >> 4)], Self.hex[Int(b & 15)]]
            default: out.append(b)
            }
        }
        out.append(0x22)
        return String(decoding: out, as: UTF8.self)
    }

    private static let hex = Array("0123456789abcdef".utf8)
}
