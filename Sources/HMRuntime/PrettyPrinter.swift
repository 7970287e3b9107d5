/// Values as the REPL shows them: one line when it fits the terminal width, otherwise lists and
/// records broken one element per line (indented), and long lists summarised.
extension Interpreter {
  public func prettyPrint(_ v: Value, width: Int = 100) -> String {
    var out = ""
    layout(v, indent: 0, width: max(20, width), depth: 0, into: &out)
    return out
  }

  private func layout(_ v: Value, indent: Int, width: Int, depth: Int, into out: inout String) {
    let flat = vm.repr(v, width: width - indent)
    if flat.count + indent <= width || depth > 8 || (v.tag != .list && v.tag != .map) {
      out += flat
      return
    }
    let pad = String(repeating: " ", count: indent + 2)
    if v.tag == .list {
      let items = v.listObject.items
      out += "[\n"
      let shown = items.count > 40 ? Array(items.prefix(20)) : items
      for (i, x) in shown.enumerated() {
        out += pad
        layout(x, indent: indent + 2, width: width, depth: depth + 1, into: &out)
        out += i < shown.count - 1 || items.count > shown.count ? ",\n" : "\n"
      }
      if items.count > shown.count { out += pad + "... \(items.count - shown.count) more (\(items.count) in all)\n" }
      out += String(repeating: " ", count: indent) + "]"
    } else {
      let entries = v.mapObject.entries
      out += "{\n"
      for (i, e) in entries.enumerated() {
        let key = e.key.string.flatMap { s in s.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) && !(s.first?.isNumber ?? true) ? s : nil } ?? vm.repr(e.key)
        out += pad + key + ": "
        layout(e.value, indent: indent + 2, width: width, depth: depth + 1, into: &out)
        out += i < entries.count - 1 ? ",\n" : "\n"
      }
      out += String(repeating: " ", count: indent) + "}"
    }
  }
}
