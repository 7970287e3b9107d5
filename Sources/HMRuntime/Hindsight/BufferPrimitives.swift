import HMRL
import HMTensor

/// The trajectory buffer R (the note's §II, Algorithm 1 lines 9–10) as an hm value.
final class BufferBox: NativeObject {
  var buffer: TrajectoryBuffer
  init(_ buffer: TrajectoryBuffer) { self.buffer = buffer }
  var typeName: String { "buffer" }
  func describe(width: Int) -> String {
    "<buffer \(buffer.count)/\(buffer.capacity) trajectories, eviction \(buffer.eviction.rawValue)>"
  }
}

enum BufferPrimitives {
  static func box(_ c: NativeCall) throws -> BufferBox {
    guard c.receiver.tag == .object, let b = c.receiver.nativeObject.payload as? BufferBox else { throw c.error("not a buffer") }
    return b
  }

  /// An entry as a record: task, features, return, length, sequence and its steps.
  static func record(_ e: TrajectoryBuffer.Entry, _ vm: VM) -> Value {
    let t = e.trajectory
    func rows(_ flat: [Double], _ width: Int) -> Value {
      vm.heap.makeList(stride(from: 0, to: flat.count, by: max(1, width)).map { i in
        vm.heap.makeList(flat[i..<min(flat.count, i + width)].map { Value($0) })
      })
    }
    return vm.heap.makeMap([
      ("task", Value(t.taskIndex)), ("features", vm.heap.makeList(t.features.map { Value($0) })),
      ("return", Value(t.undiscountedReturn)), ("length", Value(t.length)), ("sequence", Value(e.sequence)),
      ("observations", rows(t.observations, t.observationSize)), ("actions", rows(t.actions, t.actionSize)),
      ("rewards", vm.heap.makeList(t.rewards.map { Value($0) })), ("log_probs", vm.heap.makeList(t.logProbs.map { Value($0) })),
    ])
  }

  static let example = "let pi = gaussian_mlp(2, 2, hidden: [8])\nlet batch = sample(navigation2d(goal: [0.1, 0.1]), pi, pi.init(), episodes: 8)\nlet R = buffer(capacity: 100)\nR.insert(batch, top_quantile: 0.5)"

  static let all: [Primitive] = [
    Primitive("buffer", [ParameterSpec("capacity", .int, default: .int(10_000)),
                         ParameterSpec("eviction", .string, default: .string("lowest_return"), doc: "\"lowest_return\" (evict the worst, oldest among equals) or \"oldest\" (FIFO)")],
              returns: "an empty buffer", category: "hindsight",
              doc: "The buffer R of (task, trajectory) entries kept for guided training (the note's §II). When full, an insertion evicts per `eviction`; a trajectory worse than every entry does not enter a full lowest_return buffer. Behaviour log-probabilities are stored with every step.",
              example: "let R = buffer(capacity: 1000)\nprint(R)") { c in
      guard let e = TrajectoryBuffer.Eviction(rawValue: c.string(1)) else { throw c.error("eviction must be \"lowest_return\" or \"oldest\"") }
      return c.vm.heap.makeObject(BufferBox(try TrajectoryBuffer(capacity: c.int(0), eviction: e)))
    },
    Primitive("insert", on: .object("buffer"), [ParameterSpec("batch", .object("batch")),
                                               ParameterSpec("delta", .optional(.number), default: .nil, doc: "Algorithm 1: insert the batch when L = −mean return < δ"),
                                               ParameterSpec("top_quantile", .optional(.number), default: .nil, doc: "or: insert the episodes at or above this quantile of the batch's returns")],
              returns: "the number of trajectories inserted", category: "hindsight",
              doc: "Applies the insertion criterion to a sampled batch τ′ (exactly one of delta and top_quantile).",
              example: example + "\nprint(R.size > 0)") { c in
      let b = try box(c)
      guard c[0].tag == .object, let batch = c[0].nativeObject.payload as? BatchBox else { throw c.error("not a batch") }
      let criterion: TrajectoryBuffer.Criterion
      switch (c[1].isNil, c[2].isNil) {
      case (false, true): criterion = .lossBelow(c[1].number)
      case (true, false): criterion = .topQuantile(c[2].number)
      default: throw c.error("give exactly one of delta and top_quantile")
      }
      return Value(try b.buffer.insert(batch.batch, criterion: criterion))
    },
    Primitive("sample", on: .object("buffer"), [ParameterSpec("k", .int),
                                               ParameterSpec("task", .optional(.oneOf([.int, .function])), default: .nil, doc: "a task index, or a predicate fn(entry) => bool"),
                                               ParameterSpec("seed", .optional(.int), default: .nil)],
              returns: "a list of entry records", category: "hindsight",
              doc: "k entries drawn uniformly without replacement, optionally only those of one task or satisfying a predicate (fewer when fewer qualify).",
              example: example + "\nprint(len(R.sample(2, task: 0)))") { c in
      let b = try box(c)
      var rng = RandomStream(seed: c.isGiven(2) ? UInt64(truncatingIfNeeded: c[2].int) : c.state.seed, stream: [0xB0FF])
      let vm = c.vm, filter = c[1]
      let picked = try b.buffer.sample(c.int(0), where: { e in
        if filter.isNil { return true }
        if filter.tag == .int { return e.taskIndex == filter.int }
        return try vm.call(filter, [record(e, vm)]).isTruthy
      }, using: &rng)
      return vm.heap.makeList(picked.map { record($0, vm) })
    },
    Primitive("ranked", on: .object("buffer"), [ParameterSpec("k", .int), ParameterSpec("score", .function, doc: "fn(entry) => number, e.g. a Siamese similarity to the new task")],
              returns: "a list of entry records", category: "hindsight",
              doc: "The k entries with the highest score (the more recent first among ties).",
              example: example + "\nprint(len(R.ranked(1, fn(e) => e.return)))") { c in
      let b = try box(c), vm = c.vm, score = c[1]
      let top = try b.buffer.ranked(c.int(0)) { e in
        let v = try vm.call(score, [record(e, vm)])
        guard v.isNumber else { throw RuntimeError("ranked: the score must return a number, got \(v.typeNameWithArticle)") }
        return v.number
      }
      return vm.heap.makeList(top.map { record($0, vm) })
    },
    Primitive("stats", on: .object("buffer"), [], returns: "a record", category: "hindsight",
              doc: "{size, per_task: {task: count}, mean_return, min_return, max_return}.",
              example: example + "\nprint(R.stats().size)") { c in
      let s = try box(c).buffer.statistics, vm = c.vm
      let perTask = MapObject()
      for task in s.perTask.keys.sorted() { try perTask.set(Value(task), Value(s.perTask[task] ?? 0)) }
      return vm.heap.makeMap([("size", Value(s.count)), ("per_task", vm.heap.makeMap(perTask)),
                              ("mean_return", Value(s.meanReturn)), ("min_return", Value(s.minReturn)), ("max_return", Value(s.maxReturn))])
    },
    Primitive("size", on: .property("buffer"), [], returns: "an int", category: "hindsight", doc: "The number of trajectories held.",
              example: "print(buffer().size)") { c in Value(try box(c).buffer.count) },
    Primitive("save", on: .object("buffer"), [ParameterSpec("path", .string)], category: "hindsight",
              doc: "Writes the buffer atomically in its documented JSON format (docs/hindsight.md).",
              example: example + "\nR.save(\"/tmp/hm_doc_buffer.json\")") { c in
      try box(c).buffer.save(to: c.string(0)); return .nil
    },
    Primitive("load_buffer", [ParameterSpec("path", .string)], returns: "a buffer", category: "hindsight",
              doc: "Reads a buffer file, validating its format, shapes and numbers.",
              example: "buffer(capacity: 5).save(\"/tmp/hm_doc_empty_buffer.json\")\nprint(load_buffer(\"/tmp/hm_doc_empty_buffer.json\"))") { c in
      c.vm.heap.makeObject(BufferBox(try TrajectoryBuffer.load(from: c.string(0))))
    },
  ]
}
