/// The globals every module of a VM starts with — natives, namespaces, the prelude's functions —
/// in definition order.
///
/// Modules share the one table and bind a builtin into a slot of their own when code first
/// names it (`Module.slot(for:)`), so a new module costs nothing per builtin: copying ~300 of
/// them into every module was a sixth of `hmaml -e 1` (callgrind).
final class BuiltinTable {
  private(set) var names: [String] = []
  private var values: [String: Value] = [:]

  subscript(name: String) -> Value? { values[name] }

  func contains(_ name: String) -> Bool { values[name] != nil }

  /// Defines or redefines `name`.
  func define(_ name: String, _ value: Value) {
    if values.updateValue(value, forKey: name) == nil { names.append(name) }
  }

  /// Every builtin value (garbage-collection roots).
  func forEachValue(_ body: (Value) -> Void) {
    for v in values.values { body(v) }
  }
}
