#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading program text from a file, with the operating system's reason on failure.
enum SourceFile {
  /// The text of the file at `path` (invalid UTF-8 becomes U+FFFD, which the lexer reports).
  /// - Throws: `CLIError.unreadableFile` naming the reason ("No such file or directory",
  ///   "Is a directory", "Permission denied").
  static func read(_ path: String) throws -> String {
    guard let file = fopen(path, "rb") else {
      throw CLIError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, file) }
      bytes.append(contentsOf: chunk[0..<count])
      if count < chunk.count { break }
    }
    if ferror(file) != 0 {
      throw CLIError.unreadableFile(path: path, reason: String(cString: strerror(errno)))
    }
    return String(decoding: bytes, as: UTF8.self)
  }
}
