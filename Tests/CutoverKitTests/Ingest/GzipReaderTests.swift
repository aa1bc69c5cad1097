import Foundation
import Testing

@testable import CutoverKit

@Suite("GzipReader: every byte inflate gives is kept, damage is reported, other formats are named")
struct GzipReaderTests {
    let dir = Paths.temporaryDirectory()

    /// Everything a reader delivers, and how it ended.
    static func readAll(_ path: String, chunk: Int) -> (bytes: [UInt8], error: IngestError?, trailing: Int64) {
        var out: [UInt8] = []
        do {
            let reader = try GzipReader(path: path, chunkSize: chunk)
            do {
                while let c = try reader.next() { out.append(contentsOf: c) }
            } catch {
                return (out, error, reader.trailingPlainBytes)
            }
            return (out, nil, reader.trailingPlainBytes)
        } catch {
            return (out, error, 0)
        }
    }

    static let text =
        (1...400).map { event(uid: "u\($0)", count: $0, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:05:00Z") }
        .joined(separator: "\n") + "\n"

    @Test(arguments: [1, 7, 4096, 1 << 18])
    func aWrongChecksumKeepsEveryDecompressedByteAndSaysTheFileIsDamaged(chunk: Int) throws {
        let good = dir.appendingPathComponent("good.gz").path
        try writeGzip(Self.text, to: good, members: 2)
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        // The CRC-32 is the 8 bytes before the end's ISIZE: corrupt each of its bytes in turn, and the size.
        for position in (data.count - 8)..<data.count {
            var bad = data
            bad[position] ^= 0x5A
            let path = dir.appendingPathComponent("bad-\(position).gz").path
            try bad.write(to: URL(fileURLWithPath: path))
            let (bytes, error, _) = Self.readAll(path, chunk: chunk)
            #expect(bytes == Array(Self.text.utf8), "byte \(position): \(bytes.count) of \(Self.text.utf8.count) bytes")
            guard case .corrupt? = error else {
                Issue.record("byte \(position): \(String(describing: error))")
                continue
            }
        }
    }

    @Test(arguments: [1, 7, 4096, 1 << 18])
    func plainTextAfterAGzipMemberIsReadNotDropped(chunk: Int) throws {
        let path = dir.appendingPathComponent("mixed-\(chunk).json").path
        try writeGzip(Self.text, to: path)
        let tail = event(uid: "tail-1", count: 1, first: "2026-11-03T13:00:00Z", last: "2026-11-03T13:00:00Z") + "\n"
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(tail.utf8))
        try handle.close()
        let (bytes, error, trailing) = Self.readAll(path, chunk: chunk)
        #expect(error == nil)
        #expect(bytes == Array((Self.text + tail).utf8))
        #expect(trailing == Int64(tail.utf8.count))
    }

    @Test(arguments: [1, 7, 4096])
    func aCutGzipKeepsWhatCameBeforeTheCut(chunk: Int) throws {
        let good = dir.appendingPathComponent("whole.gz").path
        try writeGzip(Self.text, to: good)
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        for cut in stride(from: 20, to: data.count - 1, by: max(1, data.count / 9)) {
            let path = dir.appendingPathComponent("cut-\(cut).gz").path
            try data.prefix(cut).write(to: URL(fileURLWithPath: path))
            let (bytes, error, _) = Self.readAll(path, chunk: chunk)
            #expect(Array(Self.text.utf8).starts(with: bytes), "cut at \(cut)")
            guard case .truncated? = error else {
                Issue.record("cut at \(cut): \(String(describing: error))")
                continue
            }
        }
    }

    /// Real files of each format, made by their own tools where the machine has them, and
    /// otherwise their magic bytes.
    @Test(arguments: [
        ("zip", ["zip", "-q"], "a zip archive"), ("bz2", ["bzip2", "-k"], "bzip2"), ("xz", ["xz", "-k"], "xz"),
        ("zst", ["zstd", "-q"], "zstd"),
    ])
    func otherCompressedFormatsAreNamedWithTheFix(suffix: String, tool: [String], name: String) throws {
        let plain = dir.appendingPathComponent("events.json").path
        try Self.text.write(toFile: plain, atomically: true, encoding: .utf8)
        let packed = plain + "." + suffix
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = suffix == "zip" ? tool + [packed, plain] : tool + [plain]
        process.standardError = Pipe()
        let made = (try? process.run()).map { process.waitUntilExit() } != nil && process.terminationStatus == 0
        if !made {
            let magic: [String: [UInt8]] = [
                "zip": [0x50, 0x4B, 0x03, 0x04], "bz2": [0x42, 0x5A, 0x68, 0x39], "xz": [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00],
                "zst": [0x28, 0xB5, 0x2F, 0xFD],
            ]
            try Data((magic[suffix] ?? []) + Array(repeating: 0x41, count: 64)).write(to: URL(fileURLWithPath: packed))
        }
        let (_, error, _) = Self.readAll(packed, chunk: 4096)
        #expect("\(String(describing: error))".contains("is \(name), which cutover does not read"), "\(String(describing: error))")
        let summary = try Pipeline.ingest(paths: [packed], dbPath: dir.appendingPathComponent("\(suffix).sqlite").path)
        #expect(summary.rejects == 0, "no junk rejects from a compressed file read as text")
        #expect(summary.files.first?.status == .failed)
        #expect(!summary.damaged.isEmpty)
    }
}
