/// Path arithmetic for imports (FoundationEssentials has no NSString path methods).
enum Paths {
  static func join(_ directory: String, _ name: String) -> String {
    if name.hasPrefix("/") || directory.isEmpty { return name }
    return directory.hasSuffix("/") ? directory + name : directory + "/" + name
  }

  static func directory(of path: String) -> String {
    guard let slash = path.lastIndex(of: "/") else { return "." }
    return slash == path.startIndex ? "/" : String(path[..<slash])
  }

  /// Removes `.` and `..` components and doubled slashes.
  static func standardize(_ path: String) -> String {
    let absolute = path.hasPrefix("/")
    var parts: [Substring] = []
    for c in path.split(separator: "/") {
      if c == "." || c.isEmpty { continue }
      if c == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
      if c == ".." && absolute { continue }
      parts.append(c)
    }
    let joined = parts.joined(separator: "/")
    return absolute ? "/" + joined : (joined.isEmpty ? "." : joined)
  }
}
