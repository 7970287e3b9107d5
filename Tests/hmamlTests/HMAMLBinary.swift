import Foundation
import Testing

/// Where the built `hmaml` executable is, and the environment the tests run it in.
///
/// The tests never link libedit: they run the real binary as a subprocess or through a pseudo
/// terminal. It is looked up, in order: `HMAML_BINARY`; beside the test bundle (the
/// configuration `swift test` built, debug or release); `.build/{debug,release}/hmaml` of this
/// package.
enum HMAMLBinary {
  static let path: String? = {
    let fileManager = FileManager.default
    var candidates: [String] = []
    if let explicit = ProcessInfo.processInfo.environment["HMAML_BINARY"], !explicit.isEmpty {
      candidates.append(explicit)
    }
    for runner in [Bundle.main.executablePath, CommandLine.arguments.first].compactMap({ $0 }) {
      var directory = URL(fileURLWithPath: runner).deletingLastPathComponent()
      // macOS: …/hmamlPackageTests.xctest/Contents/MacOS/runner
      for _ in 0..<4 {
        candidates.append(directory.appendingPathComponent("hmaml").path)
        directory = directory.deletingLastPathComponent()
      }
    }
    let packageRoot = URL(fileURLWithPath: #filePath)
      .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    for configuration in ["debug", "release"] {
      candidates.append(packageRoot.appendingPathComponent(".build/\(configuration)/hmaml").path)
    }
    return candidates.first { path in
      var isDirectory: ObjCBool = false
      return fileManager.fileExists(atPath: path, isDirectory: &isDirectory) && !isDirectory.boolValue
        && fileManager.isExecutableFile(atPath: path)
    }
  }()

  /// The binary, or a recorded test failure saying how to build it.
  static func require(sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    guard let path else {
      Issue.record("the hmaml binary was not found: run `swift build --product hmaml` first",
                   sourceLocation: sourceLocation)
      throw BinaryNotFound()
    }
    return path
  }

  struct BinaryNotFound: Error {}

  /// The environment every test runs hmaml in: nothing inherited but PATH, so no NO_COLOR,
  /// history file or TERM leaks in from the developer's shell.
  ///
  /// INTEGRATION: drop `HMAML_TOY_SESSION` once HMRuntime's interpreter is wired in.
  static func environment(home: String, extra: [String: String] = [:]) -> [String: String] {
    var environment: [String: String] = [
      "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin",
      "HOME": home,
      "LANG": "C.UTF-8",

    ]
    environment.merge(extra) { _, new in new }
    return environment
  }
}

/// A scratch directory removed when the value goes away.
final class TemporaryDirectory {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory
      .appendingPathComponent("hmaml-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
    path = base.path
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  /// Writes `contents` to `name` inside the directory and returns its path.
  func write(_ name: String, _ contents: String) throws -> String {
    let file = (path as NSString).appendingPathComponent(name)
    try contents.write(toFile: file, atomically: true, encoding: .utf8)
    return file
  }

  func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }
}

/// The hm snippets the front-end tests type, in one place so that moving from the toy stand-in to
/// the real language is a local change. Expected outputs are chosen so they never occur in the
/// typed text (the terminal echoes it).
enum Snippets {
  static let defineAlpha = "let alpha = 41"
  static let useAlpha = "alpha * 3"
  static let useAlphaResult = "123"
  static let functionLines = ["fn twice(a) {", "  a * 2", "}"]
  static let callFunction = "twice(2101)"
  static let callFunctionResult = "4202"
  static let defineVelocity = "let velocity = 9876"
  static let velocityPrefix = "velo"
  static let velocityValue = "9876"
  /// A value with two members sharing the prefix `w`.
  static let defineRecord = "let rec = {width: 3031, weight: 4042}"
  static let recordPrefix = "rec.w"
  static let memberNames = ["width", "weight"]
  static let widthValue = "3031"
  static let endlessLoop = "while true {}"
  static let runtimeError = "1 // 0"
  static let helpTopic = "print"
  static let helpExpected = "print("
  static let printSum = "print(40 + 2)"
  static let printSumOutput = "42"
  static let syntaxError = "let = )"
}
