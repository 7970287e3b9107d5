/// The script-level random module (`random.uniform()` …): one seeded generator per interpreter,
/// seeded by `--seed N` (default 0) or `random.seed(n)`. Numeric work in native primitives uses
/// its own per-task streams; this is for script logic (shuffles, choices).
enum RandomPrimitives {
  static let all: [Primitive] = [
    Primitive("random.seed", [ParameterSpec("seed", .int)], category: "random",
              doc: "Restarts the script's generator from `seed` (non-negative): the same seed gives the same draws.",
              example: "random.seed(3)") { c in
      guard c.int(0) >= 0 else { throw c.error("seed must be non-negative") }
      c.state.seed = UInt64(c.int(0)); c.state.random = ScriptRandom(seed: UInt64(c.int(0))); return .nil
    },
    Primitive("random.uniform", [ParameterSpec("low", .number, default: .float(0)), ParameterSpec("high", .number, default: .float(1))],
              returns: "a float", category: "random", doc: "A float drawn uniformly from [low, high).",
              example: "random.uniform(-0.5, 0.5)") { c in
      let u = c.state.random.uniform()
      return Value(c.double(0) + (c.double(1) - c.double(0)) * u)
    },
    Primitive("random.normal", [ParameterSpec("mean", .number, default: .float(0)), ParameterSpec("std", .number, default: .float(1))],
              returns: "a float", category: "random", doc: "A float from the normal distribution N(mean, std²).",
              example: "random.normal(0, 0.1)") { c in
      Value(c.double(0) + c.double(1) * c.state.random.normal())
    },
    Primitive("random.int", [ParameterSpec("low", .int), ParameterSpec("high", .int)], returns: "an int", category: "random",
              doc: "An int drawn uniformly from low to high inclusive.", example: "random.int(1, 6)") { c in
      let lo = c.int(0), hi = c.int(1)
      guard lo <= hi else { throw c.error("low (\(lo)) is above high (\(hi))") }
      let span = UInt64(bitPattern: Int64(hi &- lo)) &+ 1
      let r = span == 0 ? c.state.random.next() : UInt64.random(in: 0..<span, using: &c.state.random)
      return Value(lo &+ Int(truncatingIfNeeded: r))
    },
    Primitive("random.choice", [ParameterSpec("items", .list)], returns: "an element", category: "random",
              doc: "An element drawn uniformly; an empty list is an error.", example: "random.choice([\"a\", \"b\"])") { c in
      let items = c[0].listObject.items
      guard !items.isEmpty else { throw c.error("cannot choose from an empty list") }
      return items[Int.random(in: 0..<items.count, using: &c.state.random)]
    },
    Primitive("random.shuffle", [ParameterSpec("items", .list)], category: "random",
              doc: "Shuffles the list in place (Fisher–Yates).", example: "let xs = [1, 2, 3]\nrandom.shuffle(xs)") { c in
      c[0].listObject.items.shuffle(using: &c.state.random); return .nil
    },
  ]
}
