import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The result of running hmaml to completion with pipes for its streams.
struct SubprocessResult {
  var status: Int32
  var standardOutput: String
  var standardError: String
}

enum Subprocess {
  /// Runs `executable` with `arguments`, feeding `input` to standard input (closed after), and
  /// waits at most `timeout` seconds (then kills it and reports status −1).
  /// `interruptAfter`: sends SIGINT after that many seconds.
  static func run(_ executable: String, _ arguments: [String], input: String = "",
                  environment: [String: String], timeout: TimeInterval = 30,
                  interruptAfter: TimeInterval? = nil) throws -> SubprocessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    let stdinPipe = Pipe(), stdoutPipe = Pipe(), stderrPipe = Pipe()
    process.standardInput = stdinPipe
    process.standardOutput = stdoutPipe
    process.standardError = stderrPipe
    let outputs = OutputCollector()
    stdoutPipe.fileHandleForReading.readabilityHandler = { outputs.append(stdout: $0.availableData) }
    stderrPipe.fileHandleForReading.readabilityHandler = { outputs.append(stderr: $0.availableData) }
    try process.run()
    stdinPipe.fileHandleForWriting.write(Data(input.utf8))
    try stdinPipe.fileHandleForWriting.close()
    let started = Date()
    var interrupted = false
    while process.isRunning {
      let elapsed = Date().timeIntervalSince(started)
      if let interruptAfter, !interrupted, elapsed >= interruptAfter {
        process.interrupt()
        interrupted = true
      }
      if elapsed > timeout {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        return SubprocessResult(status: -1, standardOutput: outputs.stdout, standardError: outputs.stderr)
      }
      Thread.sleep(forTimeInterval: 0.01)
    }
    process.waitUntilExit()
    stdoutPipe.fileHandleForReading.readabilityHandler = nil
    stderrPipe.fileHandleForReading.readabilityHandler = nil
    outputs.append(stdout: stdoutPipe.fileHandleForReading.readDataToEndOfFile())
    outputs.append(stderr: stderrPipe.fileHandleForReading.readDataToEndOfFile())
    return SubprocessResult(status: process.terminationStatus, standardOutput: outputs.stdout,
                            standardError: outputs.stderr)
  }
}

/// Collects both output streams from the pipes' handler threads.
private final class OutputCollector: @unchecked Sendable {
  private let lock = NSLock()
  private var out = Data()
  private var err = Data()

  func append(stdout data: Data) { lock.lock(); out.append(data); lock.unlock() }
  func append(stderr data: Data) { lock.lock(); err.append(data); lock.unlock() }
  var stdout: String { lock.lock(); defer { lock.unlock() }; return String(decoding: out, as: UTF8.self) }
  var stderr: String { lock.lock(); defer { lock.unlock() }; return String(decoding: err, as: UTF8.self) }
}
