import Foundation

/// Paths the tests need, found from this file's location so they work from any directory.
enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    static let samples = repository.appendingPathComponent("samples")
    static let queries = repository.appendingPathComponent("queries")
    static let fixtures = repository.appendingPathComponent("Tests/CutoverKitTests/Fixtures")
    static let goldens = repository.appendingPathComponent("Tests/CutoverKitTests/Goldens")
    /// The published real examples, kept in the repository (`Fixtures/README.md` names their sources).
    static let realSamples = fixtures.appendingPathComponent("real-samples")

    static func realSample(_ name: String) -> String { realSamples.appendingPathComponent(name).path }

    /// Every test directory of this test process lives under one root, removed when the
    /// process exits (a full run made thousands of directories and left them all in /tmp).
    /// Set `CUTOVER_KEEP_TEST_FILES=1` to keep them for a look after a failure.
    private static let temporaryRoot: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-tests-\(getpid())")
        try? FileManager.default.removeItem(at: url)  // a directory left by an earlier process with this pid
        if ProcessInfo.processInfo.environment["CUTOVER_KEEP_TEST_FILES"] == nil {
            atexit { try? FileManager.default.removeItem(at: Paths.temporaryRoot) }
        }
        return url
    }()

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() -> URL {
        let url = temporaryRoot.appendingPathComponent(UUID().uuidString)
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The built `cutover` executable next to the test bundle.
    static var executable: URL? {
        var candidates: [URL] = []
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        if let arg = CommandLine.arguments.first { candidates.append(URL(fileURLWithPath: arg).deletingLastPathComponent()) }
        for dir in candidates {
            let url = dir.appendingPathComponent("cutover")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return url
            }
        }
        return nil
    }
}
