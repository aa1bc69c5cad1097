import Foundation

/// Runs a program to its end and returns its exit status and what it printed: the shell,
/// bash with the completion script, python with the markdown checker.
func runProgram(
    _ path: String, _ arguments: [String], in directory: URL? = nil, environment: [String: String]? = nil
) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let stderr = ErrorOutput()
    // Read stderr on its own thread so that neither pipe fills up and blocks the child.
    let reader = Thread { stderr.data = err.fileHandleForReading.readDataToEndOfFile() }
    reader.start()
    let stdout = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    while !reader.isFinished { usleep(1000) }
    return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr.data, as: UTF8.self))
}

private final class ErrorOutput: @unchecked Sendable {
    var data = Data()
}
