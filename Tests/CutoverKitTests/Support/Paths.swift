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

    /// A fresh temporary directory for one test.
    static func temporaryDirectory() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("cutover-tests-\(UUID().uuidString)")
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
