/// The globals every module of a VM starts with — natives, namespaces, the prelude's functions —
/// in definition order.
///
/// Modules share the one table and bind a builtin into a slot of their own when code first
/// names it (`Module.slot(for:)`), so a new module costs nothing per builtin: copying ~300 of
/// them into every module was a sixth of `hmaml -e 1` (callgrind). Names can also be promised
/// before they exist (`defineLater`): the prelude is compiled when code first names one of its
/// functions, not at every start.
final class BuiltinTable {
  private var definedInOrder: [String] = []
  private var values: [String: Value] = [:]
  /// Groups of names that a loader defines when one of them is first looked up.
  private var promises: [(names: Set<String>, ordered: [String], load: () -> Bool)] = []

  /// Every name, defined or promised.
  var names: [String] {
    definedInOrder + promises.flatMap(\.ordered).filter { values[$0] == nil }
  }

  /// The value of `name`, running its promise's loader first when it has one.
  subscript(name: String) -> Value? {
    if let v = values[name] { return v }
    guard let i = promises.firstIndex(where: { $0.names.contains(name) }) else { return nil }
    // Withdrawn while it runs: the loaded code's own names are its globals, not these.
    let promise = promises.remove(at: i)
    if !promise.load() { promises.append(promise) }
    return values[name]
  }

  func contains(_ name: String) -> Bool {
    values[name] != nil || promises.contains { $0.names.contains(name) }
  }

  /// Defines or redefines `name`.
  func define(_ name: String, _ value: Value) {
    if values.updateValue(value, forKey: name) == nil { definedInOrder.append(name) }
  }

  /// Promises `names`, which `load` defines (returning false when it failed, to be retried at
  /// the next lookup).
  func defineLater(_ names: [String], by load: @escaping () -> Bool) {
    promises.append((Set(names), names, load))
  }

  /// Every builtin value (garbage-collection roots).
  func forEachValue(_ body: (Value) -> Void) {
    for v in values.values { body(v) }
  }
}
