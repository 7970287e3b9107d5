import HMRL

/// Conversions between hm values (lists, records, tensors) and HMRL's Swift types. Every
/// RLError becomes a language error named after the hm primitive
/// (`kl: p sums to 0.9, expected 1 within 1e-09`).
enum RLValues {
  static let mdpLike = ValueKind.oneOf([.object("mdp"), .object("maze"), .object("bandit")])
  static let policyLike = ValueKind.oneOf([.object("policy"), .list])

  /// Runs `body`, turning HMRL's errors into language errors named after the primitive.
  static func run<T>(_ call: NativeCall, _ body: () throws -> T) throws -> T {
    do { return try body() }
    catch let e as RLError { throw call.error(e.message) }
  }

  /// The tabular MDP of an mdp, a maze or a bandit.
  static func mdp(_ v: Value, _ call: NativeCall) throws -> TabularMDP {
    guard v.tag == .object else { throw call.error("expected an mdp or a maze, got \(v.typeNameWithArticle)") }
    switch v.nativeObject.payload {
    case let m as MDPBox: return m.mdp
    case let m as MazeBox: return m.maze.mdp
    case let b as BanditBox: return try run(call) { try b.bandit.tabularMDP() }
    default: throw call.error("expected an mdp or a maze, got \(v.typeNameWithArticle)")
    }
  }

  /// A tabular policy from a policy object or nested lists π[s][a].
  static func policy(_ v: Value, _ call: NativeCall, _ what: String = "policy") throws -> TabularPolicy {
    if v.tag == .object, let p = v.nativeObject.payload as? PolicyBox { return p.policy }
    guard v.tag == .list else { throw call.error("\(what) must be a policy or a list of lists π[s][a], got \(v.typeNameWithArticle)") }
    let table = try matrix(v, call, what)
    return try run(call) { try TabularPolicy(table) }
  }

  static func number(_ v: Value, _ call: NativeCall, _ what: String) throws -> Double {
    if v.isNumber { return v.number }
    throw call.error("\(what) must be a number, got \(v.typeNameWithArticle)")
  }

  /// A list of numbers (or a 1-D tensor).
  static func vector(_ v: Value, _ call: NativeCall, _ what: String) throws -> [Double] {
    if let t = TensorConversion.tensor(of: v) {
      guard t.rank == 1 else { throw call.error("\(what) must be a 1-D tensor or a list of numbers, got shape \(t.shape)") }
      return t.toArray()
    }
    guard v.tag == .list else { throw call.error("\(what) must be a list of numbers, got \(v.typeNameWithArticle)") }
    return try v.listObject.items.enumerated().map { i, x in
      guard x.isNumber else { throw call.error("\(what)[\(i)] must be a number, got \(x.typeNameWithArticle)") }
      return x.number
    }
  }

  /// A list of lists of numbers (or a 2-D tensor); rows may differ in length only if `ragged`.
  static func matrix(_ v: Value, _ call: NativeCall, _ what: String, ragged: Bool = false) throws -> [[Double]] {
    if let t = TensorConversion.tensor(of: v) {
      guard t.rank == 2 else { throw call.error("\(what) must be a 2-D tensor or a list of lists, got shape \(t.shape)") }
      let flat = t.toArray(), n = t.shape[1]
      return (0..<t.shape[0]).map { Array(flat[$0 * n ..< ($0 + 1) * n]) }
    }
    guard v.tag == .list else { throw call.error("\(what) must be a list of lists of numbers, got \(v.typeNameWithArticle)") }
    var rows: [[Double]] = []
    for (i, row) in v.listObject.items.enumerated() {
      rows.append(try vector(row, call, "\(what)[\(i)]"))
      if !ragged, rows.count > 1, rows[i].count != rows[0].count {
        throw call.error("\(what)[\(i)] has \(rows[i].count) entries, expected \(rows[0].count) like \(what)[0]")
      }
    }
    return rows
  }

  /// P[s][a][s'] from three nested lists.
  static func cube(_ v: Value, _ call: NativeCall, _ what: String) throws -> [[[Double]]] {
    guard v.tag == .list else { throw call.error("\(what) must be nested lists P[s][a][s'], got \(v.typeNameWithArticle)") }
    return try v.listObject.items.enumerated().map { i, x in try matrix(x, call, "\(what)[\(i)]") }
  }

  /// A list of state indices.
  static func states(_ v: Value, _ call: NativeCall, _ what: String = "states") throws -> [Int] {
    let items: [Value]
    switch v.tag {
    case .list: items = v.listObject.items
    case .range: let r = v.rangeObject; return (0..<r.count).map { r.element($0) }
    default: throw call.error("\(what) must be a list of state indices, got \(v.typeNameWithArticle)")
    }
    return try items.enumerated().map { i, x in
      guard x.tag == .int else { throw call.error("\(what)[\(i)] must be an int, got \(x.typeNameWithArticle)") }
      return x.int
    }
  }

  static func base(_ call: NativeCall, _ i: Int) throws -> LogBase {
    let v = call[i]
    if v.tag == .string {
      switch v.string ?? "" {
      case "e", "natural", "nats": return .natural
      case "2", "bits": return .two
      default: break
      }
    } else if v.isNumber {
      if v.number == 2 { return .two }
    }
    throw call.error("base must be \"e\" (nats, the default) or 2 (bits), got \(call.vm.repr(v))")
  }

  static func aggregation(_ call: NativeCall, _ i: Int) throws -> StepAggregation {
    switch call.string(i) {
    case "sum": return .sum
    case "mean": return .averageOverSteps
    default: throw call.error("aggregate must be \"sum\" or \"mean\", got \(quote(call.string(i)))")
    }
  }

  /// The generator of a primitive with an optional `seed:` parameter: its own stream for an
  /// explicit seed, else the script's generator (so `--seed N` reproduces the run).
  static func withGenerator<T>(_ call: NativeCall, seedIndex i: Int, _ body: (inout ScriptRandom) throws -> T) throws -> T {
    if call.isGiven(i) {
      guard call.int(i) >= 0 else { throw call.error("seed must be non-negative, got \(call.int(i))") }
      var g = ScriptRandom(seed: UInt64(call.int(i)))
      return try run(call) { try body(&g) }
    }
    let state = call.state
    return try run(call) { try body(&state.random) }
  }

  static let seedParameter = ParameterSpec("seed", .optional(.int), default: .nil,
                                           doc: "a seed for this call; by default the script's generator (`--seed N`)")
  static let baseParameter = ParameterSpec("base", .oneOf([.string, .number]), default: .string("e"),
                                           doc: "\"e\" for nats (default) or 2 for bits")

  // MARK: hm values out

  static func list(_ xs: [Double], _ vm: VM) -> Value { vm.heap.makeList(xs.map { Value($0) }) }
  static func list(_ xs: [Int], _ vm: VM) -> Value { vm.heap.makeList(xs.map { Value($0) }) }
  static func list(_ xs: [Bool], _ vm: VM) -> Value { vm.heap.makeList(xs.map { Value($0) }) }
  static func matrix(_ xs: [[Double]], _ vm: VM) -> Value { vm.heap.makeList(xs.map { list($0, vm) }) }
  static func record(_ entries: [(String, Value)], _ vm: VM) -> Value { vm.heap.makeMap(entries) }

  static func estimate(_ e: MonteCarloEstimate, _ vm: VM) -> Value {
    record([("value", Value(e.value)), ("std_error", Value(e.standardError)), ("samples", Value(e.sampleCount))], vm)
  }

  static func policyTable(_ p: TabularPolicy, _ vm: VM) -> Value {
    let a = p.actionCount
    return vm.heap.makeList((0..<p.stateCount).map { s in list(Array(p.probabilities[s * a ..< (s + 1) * a]), vm) })
  }

  static func makePolicy(_ p: TabularPolicy, _ vm: VM) -> Value { vm.heap.makeObject(PolicyBox(p)) }
}
