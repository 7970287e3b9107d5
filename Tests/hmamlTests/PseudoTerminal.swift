import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// hmaml running on a real pseudo-terminal (forkpty): the line discipline turns Ctrl-C into
/// SIGINT, libedit sees a terminal, and what the program writes is read back from the master.
///
/// Assertions look at `screenText`: the output with escape sequences and carriage returns
/// removed, which holds the echoed keystrokes, prompts and results in order.
final class PseudoTerminal {
  enum Key {
    static let enter = "\r"
    static let tab = "\t"
    static let up = "\u{1B}[A"
    static let controlC = "\u{03}"
    static let controlD = "\u{04}"
    static let controlR = "\u{12}"
  }

  struct Timeout: Error, CustomStringConvertible {
    var waitingFor: String
    var screen: String
    var description: String { "timed out waiting for \(waitingFor); screen so far:\n\(screen)" }
  }

  private let pid: pid_t
  private let master: Int32
  private var bytes: [UInt8] = []
  private var exitStatus: Int32?

  /// Starts `executable` on a new terminal of `columns` × `rows`.
  init(_ executable: String, arguments: [String] = [], environment: [String: String],
       columns: UInt16 = 100, rows: UInt16 = 40) throws {
    // Everything the child needs is allocated before fork: after it, only execve and _exit.
    let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
      argv.forEach { free($0) }
      envp.forEach { free($0) }
    }
    var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
    var masterDescriptor: Int32 = -1
    let child = argv.withUnsafeBufferPointer { arguments in
      envp.withUnsafeBufferPointer { variables -> pid_t in
        guard let path = arguments[0], let argumentList = arguments.baseAddress,
              let variableList = variables.baseAddress else { return -1 }
        let child = forkpty(&masterDescriptor, nil, nil, &size)
        if child == 0 {
          execve(path, argumentList, variableList)
          _exit(127)
        }
        return child
      }
    }
    guard child > 0 else { throw POSIXError(.EAGAIN) }
    pid = child
    master = masterDescriptor
  }

  deinit {
    if exitStatus == nil {
      kill(pid, SIGKILL)
      var status: Int32 = 0
      waitpid(pid, &status, 0)
    }
    close(master)
  }

  /// Types `text` (keys included).
  func send(_ text: String) {
    var remaining = Array(text.utf8)
    while !remaining.isEmpty {
      let written = remaining.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
      if written <= 0 { return }
      remaining.removeFirst(written)
    }
  }

  /// Sends SIGINT-producing Ctrl-C, etc.: a short pause first lets the program reach its read.
  func press(_ key: String, pause: TimeInterval = 0.15) {
    Thread.sleep(forTimeInterval: pause)
    send(key)
  }

  /// The output so far, escape sequences, carriage returns and bells removed.
  var screenText: String {
    drain(timeout: 0)
    return PseudoTerminal.strip(bytes)
  }

  /// The raw output so far.
  var rawText: String {
    drain(timeout: 0)
    return String(decoding: bytes, as: UTF8.self)
  }

  /// A position in `screenText` (a UTF-8 offset) to search from.
  var mark: Int { screenText.utf8.count }

  /// Waits until `screenText` after `mark` contains `needle`; returns the text after `mark`.
  @discardableResult
  func waitFor(_ needle: String, after mark: Int = 0, timeout: TimeInterval = 20) throws -> String {
    try waitUntil("'\(needle)'", after: mark, timeout: timeout) { $0.contains(needle) }
  }

  /// Waits until `condition` holds for the text after `mark`; returns that text.
  @discardableResult
  func waitUntil(_ what: String, after mark: Int = 0, timeout: TimeInterval = 20,
                 _ condition: (String) -> Bool) throws -> String {
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      drain(timeout: 0.05)
      let screen = PseudoTerminal.strip(bytes)
      let tail = String(decoding: screen.utf8.dropFirst(mark), as: UTF8.self)
      if condition(tail) { return tail }
      if Date() > deadline { throw Timeout(waitingFor: what, screen: screen) }
    }
  }

  /// Types `line` and Enter, then waits for the next prompt (primary or continuation); returns
  /// what appeared in between (the echo, the output, the prompt).
  @discardableResult
  func enter(_ line: String, timeout: TimeInterval = 20) throws -> String {
    let start = mark
    send(line + Key.enter)
    return try waitUntil("a prompt after '\(line)'", after: start, timeout: timeout) { tail in
      guard let newline = tail.firstIndex(of: "\n") else { return false }
      let after = tail[newline...]
      return after.hasSuffix("hmaml> ") || after.hasSuffix("...> ")
    }
  }

  /// Waits for the program to exit; returns its exit code (128 + n for signal n).
  func waitForExit(timeout: TimeInterval = 20) throws -> Int32 {
    if let exitStatus { return exitStatus }
    let deadline = Date().addingTimeInterval(timeout)
    while true {
      drain(timeout: 0.02)
      var status: Int32 = 0
      if waitpid(pid, &status, WNOHANG) == pid {
        let signal = status & 0x7f
        let code = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        exitStatus = code
        return code
      }
      if Date() > deadline { throw Timeout(waitingFor: "exit", screen: PseudoTerminal.strip(bytes)) }
    }
  }

  /// Reads whatever the program wrote, waiting up to `timeout` for the first bytes.
  private func drain(timeout: TimeInterval) {
    var wait = Int32(timeout * 1000)
    var buffer = [UInt8](repeating: 0, count: 4096)
    while true {
      var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
      guard poll(&descriptor, 1, wait) > 0, descriptor.revents & Int16(POLLIN) != 0 else { return }
      let count = buffer.withUnsafeMutableBytes { read(master, $0.baseAddress, $0.count) }
      guard count > 0 else { return }
      bytes.append(contentsOf: buffer[0..<count])
      wait = 0
    }
  }

  /// Removes CSI/OSC/other escape sequences, carriage returns, bells and backspaces.
  static func strip(_ bytes: [UInt8]) -> String {
    var kept: [UInt8] = []
    var index = 0
    while index < bytes.count {
      let byte = bytes[index]
      if byte == 0x1B, index + 1 < bytes.count {
        let kind = bytes[index + 1]
        index += 2
        if kind == UInt8(ascii: "[") {
          while index < bytes.count, !(0x40...0x7E).contains(bytes[index]) { index += 1 }
          index += 1
        } else if kind == UInt8(ascii: "]") {
          while index < bytes.count, bytes[index] != 0x07, bytes[index] != 0x1B { index += 1 }
          index += 1
        } else if kind == UInt8(ascii: "(") || kind == UInt8(ascii: ")") || kind == UInt8(ascii: "O") {
          index += 1
        }
        continue
      }
      if byte != 0x0D && byte != 0x07 && byte != 0x08 { kept.append(byte) }
      index += 1
    }
    return String(decoding: kept, as: UTF8.self)
  }
}
