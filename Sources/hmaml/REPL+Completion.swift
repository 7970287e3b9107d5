#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

extension REPL {
  /// The commands Tab completes after a leading `:`.
  static let commandNames = [":help", ":load", ":quit", ":reset", ":time", ":vars"]

  /// Tab at the REPL: command names after a leading `:`, file paths after `:load `, and
  /// everything else (names, `.members`, also after `?` and `:time `) from the session.
  static func completions(forLine line: String, cursor: Int,
                          session: LanguageSession) -> Completions {
    let before = String(decoding: line.utf8.prefix(max(0, cursor)), as: UTF8.self)
    let leading = before.utf8.prefix { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }.count
    let trimmed = String(decoding: before.utf8.dropFirst(leading), as: UTF8.self)
    if trimmed.hasPrefix(":") && !trimmed.contains(" ") {
      return Completions(replaceFrom: leading,
                         candidates: commandNames.filter { $0.hasPrefix(trimmed) })
    }
    if trimmed.hasPrefix(":load ") {
      let argumentStart = trimmed.utf8.dropFirst(":load ".utf8.count)
        .prefix { $0 == UInt8(ascii: " ") }.count + ":load ".utf8.count
      let partial = String(decoding: trimmed.utf8.dropFirst(argumentStart), as: UTF8.self)
      return Completions(replaceFrom: leading + argumentStart, candidates: pathCompletions(of: partial))
    }
    return session.completions(forLine: line, cursor: cursor)
  }

  /// Paths starting with `partial` (relative to the working directory, `~` expanded when
  /// listing); directories end with `/`. Hidden files only when `partial`'s name starts with `.`.
  static func pathCompletions(of partial: String) -> [String] {
    let slash = partial.lastIndex(of: "/")
    let directoryPart = slash.map { String(partial[...$0]) } ?? ""
    let namePrefix = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
    let directory = directoryPart.isEmpty ? "." : PathText.expandingTilde(directoryPart)
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: directory)
    } catch {
      return []  // an unreadable or missing directory offers nothing: Tab beeps
    }
    return names.filter { $0.hasPrefix(namePrefix) && (namePrefix.hasPrefix(".") || !$0.hasPrefix(".")) }
      .sorted()
      .map { name in
        let full = PathText.appending(directory, name)
        var info = stat()
        let isDirectory = stat(full, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
        return directoryPart + name + (isDirectory ? "/" : "")
      }
  }
}
