#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

/// `import "name"`: the importing script's folder first, then `HMAML_PATH` (`searchPath`), then
/// the bundled stdlib. A module runs once in its own namespace; importing yields a record of its
/// top-level names. Cycles are errors.
extension VM {
  func importModule(_ path: String, from importer: Module) throws(RuntimeError) -> Value {
    let file = path.hasSuffix(".hm") ? path : path + ".hm"
    var candidates: [String] = []
    if file.hasPrefix("/") { candidates = [file] } else {
      if let dir = importer.directory { candidates.append(Paths.join(dir, file)) }
      candidates += searchPath.map { Paths.join($0, file) }
    }
    var key: String?
    var text: String?
    // Diagnostics name the file as found (`scripts/lib/util.hm`), not as imported (`lib/util`).
    var shownName = path
    for c in candidates where FileManager.default.fileExists(atPath: c) {
      let resolved = Paths.standardize(c)
      key = resolved
      shownName = resolved
      if let cached = importCache[resolved] { return cached }
      guard let t = try? String(contentsOfFile: resolved, encoding: .utf8) else {
        throw RuntimeError("import: cannot read '\(resolved)' (not UTF-8 text?)")
      }
      text = t
      break
    }
    if text == nil, let bundled = bundledModule(path) {
      key = "<stdlib>/" + file
      if let cached = importCache[key!] { return cached }
      text = bundled
    }
    guard let text, let key else {
      throw RuntimeError("import: no module '\(path)'",
                         notes: ["searched: " + (candidates + ["the bundled stdlib"]).joined(separator: ", ")])
    }
    if importsInProgress.contains(key) {
      throw RuntimeError("import cycle: " + (importsInProgress + [key]).joined(separator: " → "))
    }
    importsInProgress.append(key)
    defer { importsInProgress.removeLast() }
    let directory = key.hasPrefix("<stdlib>") ? nil : Paths.directory(of: key)
    let module = makeModule(name: key, directory: directory)
    let source = Source(name: key.hasPrefix("<stdlib>") ? key : shownName, text: text)
    switch compile(source, module: module) {
    case .failure(let d):
      throw RuntimeError("import: '\(path)' does not compile:\n" + d.rendered())
    case .success(let closure):
      _ = try call(Value(closure, .closure), [])
    }
    let exports = MapObject()
    for name in module.definedNames where !isBuiltin(name) || module.value(of: name)?.bits != builtins[name]?.bits {
      if let v = module.value(of: name) { try exports.set(heap.intern(name), v) }
    }
    let record = heap.makeMap(exports)
    importCache[key] = record
    return record
  }
}
