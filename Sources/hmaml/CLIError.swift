/// A failure of the front end itself (not of the user's program), with its exit code.
enum CLIError: Error, Equatable, CustomStringConvertible {
  /// Bad command-line usage: exit 2.
  case usage(String)
  /// A file that cannot be read: exit 2 for scripts (like a syntax error: nothing ran).
  case unreadableFile(path: String, reason: String)
  /// The operating system refused something the program needs (signals, threads): exit 1.
  case system(String)

  var description: String {
    switch self {
    case .usage(let message): return message
    case .unreadableFile(let path, let reason): return "cannot read '\(path)': \(reason)"
    case .system(let message): return message
    }
  }

  var exitCode: Int32 {
    switch self {
    case .usage, .unreadableFile: return ExitCode.syntaxOrUsageError
    case .system: return ExitCode.runtimeError
    }
  }
}

/// The process exit codes of `hmaml` (docs/cli.md).
enum ExitCode {
  static let success: Int32 = 0
  static let runtimeError: Int32 = 1
  static let syntaxOrUsageError: Int32 = 2
  /// 128 + SIGINT, as shells report it.
  static let interrupted: Int32 = 130
}
