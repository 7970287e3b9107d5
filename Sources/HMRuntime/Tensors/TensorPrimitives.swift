import HMTensor

/// Tensor constructors, methods and properties in hm.
enum TensorPrimitives {
  static let tensorKind = ValueKind.object("tensor")
  static let tensorLike = ValueKind.oneOf([.object("tensor"), .number, .list])

  static func method(_ name: String, _ params: [ParameterSpec] = [], returns: String = "a tensor", doc: String, example: String,
                     _ body: @escaping (NativeCall, Tensor) throws -> Value) -> Primitive {
    Primitive(name, on: .object("tensor"), params, returns: returns, category: "tensors", doc: doc, example: example) { call in
      guard let t = TensorConversion.tensor(of: call.receiver) else { throw call.error("not a tensor") }
      return try body(call, t)
    }
  }

  static func unary(_ name: String, _ doc: String, _ f: @escaping (Tensor) throws -> Tensor) -> Primitive {
    method(name, doc: doc, example: "tensor([0.5, 1.0]).\(name)()") { c, t in c.vm.makeTensor(try f(t)) }
  }

  static func property(_ name: String, returns: String, doc: String, example: String, _ body: @escaping (NativeCall, Tensor) throws -> Value) -> Primitive {
    Primitive(name, on: .property("tensor"), [], returns: returns, category: "tensors", doc: doc, example: example) { call in
      guard let t = TensorConversion.tensor(of: call.receiver) else { throw call.error("not a tensor") }
      return try body(call, t)
    }
  }

  /// The axis parameter of reductions: nil reduces everything.
  static let axisParameters = [ParameterSpec("axis", .optional(.oneOf([.int, .list])), default: .nil, doc: "axis or axes to reduce; nil for all"),
                               ParameterSpec("keepdims", .bool, default: .bool(false))]

  static func axes(_ v: Value) throws -> [Int]? {
    if v.isNil { return nil }
    if v.tag == .int { return [v.int] }
    return try v.listObject.items.map { guard $0.tag == .int else { throw RuntimeError("axes must be ints") }; return $0.int }
  }

  static func reduction(_ name: String, _ doc: String, _ f: @escaping (Tensor, [Int]?, Bool) throws -> Tensor) -> Primitive {
    method(name, axisParameters, doc: doc, example: "tensor([[1, 2], [3, 4]]).\(name)(axis: 1)") { c, t in
      c.vm.makeTensor(try f(t, try axes(c[0]), c.bool(1)))
    }
  }

  static func comparison(_ name: String, _ doc: String, _ f: @escaping (Tensor, Tensor) throws -> Tensor) -> Primitive {
    method(name, [ParameterSpec("other", tensorLike)], doc: doc, example: "tensor([1, 2, 3]).\(name)(2)") { c, t in
      c.vm.makeTensor(try f(t, try TensorConversion.operand(c[0], like: t)))
    }
  }

  static func stream(_ call: NativeCall) -> RandomStream {
    if call.isGiven(call.argumentCount - 1) { return RandomStream(seed: UInt64(truncatingIfNeeded: call.int(call.argumentCount - 1))) }
    let s = call.state
    s.tensorDraws += 1
    return RandomStream(seed: s.seed, stream: [0x7E45, s.tensorDraws])
  }

  static let dtypeParameter = ParameterSpec("dtype", .string, default: .string("float32"), doc: "\"float32\" or \"float64\"")

  static let all: [Primitive] = [
    Primitive("tensor", [ParameterSpec("data", tensorLike, doc: "a number or (nested, rectangular) lists of numbers"), dtypeParameter],
              returns: "a tensor", category: "tensors",
              doc: "A tensor from nested lists (the tensor literal of hm): tensor([[1, 2], [3, 4]]) has shape [2, 2]. float32 unless dtype says float64.",
              example: "tensor([[1, 2], [3, 4]], dtype: \"float64\")") { c in
      c.vm.makeTensor(try TensorConversion.make(c[0], dtype: try TensorConversion.dtype(c.string(1))))
    },
    Primitive("zeros", [ParameterSpec("shape", .oneOf([.int, .list])), dtypeParameter], returns: "a tensor", category: "tensors",
              doc: "A tensor of zeros.", example: "zeros([2, 3])") { c in
      c.vm.makeTensor(try Tensor.zeros(try TensorConversion.shape(c[0], "zeros"), dtype: try TensorConversion.dtype(c.string(1))))
    },
    Primitive("ones", [ParameterSpec("shape", .oneOf([.int, .list])), dtypeParameter], returns: "a tensor", category: "tensors",
              doc: "A tensor of ones.", example: "ones(3)") { c in
      c.vm.makeTensor(try Tensor.ones(try TensorConversion.shape(c[0], "ones"), dtype: try TensorConversion.dtype(c.string(1))))
    },
    Primitive("full", [ParameterSpec("shape", .oneOf([.int, .list])), ParameterSpec("value", .number), dtypeParameter], returns: "a tensor", category: "tensors",
              doc: "A tensor filled with `value`.", example: "full([2, 2], 0.5)") { c in
      c.vm.makeTensor(try Tensor.full(try TensorConversion.shape(c[0], "full"), c.double(1), dtype: try TensorConversion.dtype(c.string(2))))
    },
    Primitive("arange", [ParameterSpec("start", .number), ParameterSpec("stop", .optional(.number), default: .nil),
                         ParameterSpec("step", .number, default: .float(1)), dtypeParameter], returns: "a 1-D tensor", category: "tensors",
              doc: "Evenly spaced values in [start, stop) (numpy's arange); with one argument, [0, start).",
              example: "arange(0, 1, step: 0.25)") { c in
      let (a, b) = c[1].isNil ? (0.0, c.double(0)) : (c.double(0), c[1].number)
      return c.vm.makeTensor(try Tensor.arange(a, b, step: c.double(2), dtype: try TensorConversion.dtype(c.string(3))))
    },
    Primitive("eye", [ParameterSpec("n", .int), dtypeParameter], returns: "an n×n tensor", category: "tensors",
              doc: "The identity matrix.", example: "eye(3)") { c in
      c.vm.makeTensor(try Tensor.eye(c.int(0), dtype: try TensorConversion.dtype(c.string(1))))
    },
    Primitive("rand", [ParameterSpec("shape", .oneOf([.int, .list])), ParameterSpec("low", .number, default: .float(0)),
                       ParameterSpec("high", .number, default: .float(1)), dtypeParameter,
                       ParameterSpec("seed", .optional(.int), default: .nil, doc: "a seed for this draw; by default the next stream of the run's seed")],
              returns: "a tensor", category: "tensors",
              doc: "Uniform samples in [low, high) from a counter-based (Philox) stream: the same seed gives the same numbers on any thread count.",
              example: "rand([2, 2], seed: 1)") { c in
      var rng = stream(c)
      return c.vm.makeTensor(try Tensor.uniform(try TensorConversion.shape(c[0], "rand"), low: c.double(1), high: c.double(2),
                                                dtype: try TensorConversion.dtype(c.string(3)), using: &rng))
    },
    Primitive("randn", [ParameterSpec("shape", .oneOf([.int, .list])), ParameterSpec("mean", .number, default: .float(0)),
                        ParameterSpec("std", .number, default: .float(1)), dtypeParameter,
                        ParameterSpec("seed", .optional(.int), default: .nil)],
              returns: "a tensor", category: "tensors",
              doc: "Normal samples N(mean, std²) from a counter-based (Philox) stream.", example: "randn([3], std: 0.1, seed: 7)") { c in
      var rng = stream(c)
      return c.vm.makeTensor(try Tensor.normal(try TensorConversion.shape(c[0], "randn"), mean: c.double(1), std: c.double(2),
                                               dtype: try TensorConversion.dtype(c.string(3)), using: &rng))
    },
    Primitive("concat", [ParameterSpec("tensors", .list), ParameterSpec("axis", .int, default: .int(0))], returns: "a tensor", category: "tensors",
              doc: "Joins tensors along an existing axis.", example: "concat([ones(2), zeros(3)])") { c in
      c.vm.makeTensor(try Tensor.concat(try c[0].listObject.items.map { try TensorConversion.make($0) }, axis: c.int(1)))
    },
    Primitive("stack", [ParameterSpec("tensors", .list), ParameterSpec("axis", .int, default: .int(0))], returns: "a tensor", category: "tensors",
              doc: "Joins same-shape tensors along a new axis.", example: "stack([ones(2), zeros(2)])") { c in
      c.vm.makeTensor(try Tensor.stack(try c[0].listObject.items.map { try TensorConversion.make($0) }, axis: c.int(1)))
    },
    Primitive("where", [ParameterSpec("condition", tensorLike), ParameterSpec("a", tensorLike), ParameterSpec("b", tensorLike)],
              returns: "a tensor", category: "tensors",
              doc: "Elementwise a where condition is non-zero, else b (broadcasting); the gradient flows only to the chosen branch.",
              example: "let x = tensor([-1.0, 2.0])\nwhere(x.gt(0), x, 0)") { c in
      let cond = try TensorConversion.make(c[0])
      let a = try TensorConversion.make(c[1]), b = try TensorConversion.operand(c[2], like: a)
      return c.vm.makeTensor(try Tensor.where(cond, a, b))
    },
    Primitive("one_hot", [ParameterSpec("indices", tensorLike), ParameterSpec("depth", .int), dtypeParameter], returns: "a tensor", category: "tensors",
              doc: "One-hot rows: shape of indices + [depth].", example: "one_hot(tensor([0, 2]), 3)") { c in
      c.vm.makeTensor(try Tensor.oneHot(try TensorConversion.make(c[0]), depth: c.int(1), dtype: try TensorConversion.dtype(c.string(2))))
    },
    property("shape", returns: "a list of ints", doc: "The dimensions.", example: "zeros([2, 3]).shape") { c, t in
      c.vm.heap.makeList(t.shape.map { Value($0) })
    },
    property("dtype", returns: "a string", doc: "\"float32\" or \"float64\".", example: "ones(1).dtype") { c, t in c.vm.heap.makeString(t.dtype.rawValue) },
    property("rank", returns: "an int", doc: "The number of axes.", example: "zeros([2, 3]).rank") { _, t in Value(t.rank) },
    property("size", returns: "an int", doc: "The number of elements.", example: "zeros([2, 3]).size") { _, t in Value(t.count) },
    property("T", returns: "a tensor", doc: "The transpose of the last two axes.", example: "tensor([[1, 2]]).T") { c, t in c.vm.makeTensor(try t.transposed()) },
    method("item", returns: "a float", doc: "The value of a one-element tensor as a float.", example: "tensor([2.5]).item()") { _, t in Value(try t.item()) },
    method("tolist", returns: "nested lists of floats", doc: "The values as nested lists.", example: "eye(2).tolist()") { c, t in TensorConversion.toValue(t, c.vm) },
    method("reshape", [ParameterSpec("shape", .oneOf([.int, .list]), doc: "the new shape; one entry may be -1")],
           doc: "The same values in a new shape.", example: "arange(6).reshape([2, 3])") { c, t in
      c.vm.makeTensor(try t.reshaped(try TensorConversion.shape(c[0], "reshape")))
    },
    method("flatten", doc: "The values as a 1-D tensor.", example: "eye(2).flatten()") { c, t in c.vm.makeTensor(t.flattened()) },
    method("transpose", [ParameterSpec("a", .int, default: .int(-2)), ParameterSpec("b", .int, default: .int(-1))],
           doc: "Swaps two axes (the last two by default).", example: "zeros([2, 3]).transpose().shape") { c, t in
      c.vm.makeTensor(try t.transposed(c.int(0), c.int(1)))
    },
    method("permute", [ParameterSpec("axes", .list)], doc: "Reorders the axes.", example: "zeros([2, 3, 4]).permute([2, 0, 1]).shape") { c, t in
      c.vm.makeTensor(try t.permuted(try TensorConversion.shape(c[0], "permute")))
    },
    method("unsqueeze", [ParameterSpec("axis", .int)], doc: "Inserts an axis of size 1.", example: "ones(3).unsqueeze(0).shape") { c, t in c.vm.makeTensor(try t.unsqueezed(c.int(0))) },
    method("squeeze", [ParameterSpec("axis", .int)], doc: "Removes an axis of size 1.", example: "ones([1, 3]).squeeze(0).shape") { c, t in c.vm.makeTensor(try t.squeezed(c.int(0))) },
    method("to", [ParameterSpec("dtype", .string)], doc: "Converts to another dtype (differentiably).", example: "ones(2).to(\"float64\")") { c, t in
      c.vm.makeTensor(t.to(try TensorConversion.dtype(c.string(0))))
    },
    method("detach", doc: "The same values, cut from differentiation (a constant).", example: "ones(2).detach()") { c, t in c.vm.makeTensor(t.detached()) },
    method("matmul", [ParameterSpec("other", tensorLike)], doc: "Batched matrix product (also `a @ b`).", example: "eye(2).matmul(ones([2, 1]))") { c, t in
      c.vm.makeTensor(try t.matmul(try TensorConversion.operand(c[0], like: t)))
    },
    method("pow", [ParameterSpec("exponent", tensorLike)], doc: "Elementwise power (also `t ** e`).", example: "tensor([2.0, 3.0]).pow(2)") { c, t in
      c.vm.makeTensor(try t.pow(try TensorConversion.operand(c[0], like: t)))
    },
    method("clamp", [ParameterSpec("min", .number, default: .float(-.infinity)), ParameterSpec("max", .number, default: .float(.infinity))],
           doc: "Values limited to [min, max].", example: "tensor([-2.0, 0.5, 3.0]).clamp(min: -1, max: 1)") { c, t in
      c.vm.makeTensor(try t.clamp(min: c.double(0), max: c.double(1)))
    },
    method("gather", [ParameterSpec("axis", .int), ParameterSpec("indices", tensorLike)],
           doc: "Picks elements along `axis` at `indices` (e.g. the log-probabilities of taken actions).",
           example: "tensor([[0.1, 0.9], [0.7, 0.3]]).gather(1, tensor([[1], [0]]))") { c, t in
      c.vm.makeTensor(try t.gather(axis: c.int(0), indices: try TensorConversion.make(c[1])))
    },
    method("softmax", [ParameterSpec("axis", .int, default: .int(-1))], doc: "Softmax along an axis.", example: "tensor([1.0, 2.0]).softmax()") { c, t in
      c.vm.makeTensor(try t.softmax(axis: c.int(0)))
    },
    method("log_softmax", [ParameterSpec("axis", .int, default: .int(-1))], doc: "Log-softmax along an axis (stable).", example: "tensor([1.0, 2.0]).log_softmax()") { c, t in
      c.vm.makeTensor(try t.logSoftmax(axis: c.int(0)))
    },
    reduction("sum", "Sum of the elements, over all axes or the given ones.") { try $0.sum(axes: $1, keepdims: $2) },
    reduction("mean", "Mean of the elements, over all axes or the given ones.") { try $0.mean(axes: $1, keepdims: $2) },
    reduction("max", "Maximum, over all axes or the given ones (NaN propagates).") { try $0.max(axes: $1, keepdims: $2) },
    reduction("min", "Minimum, over all axes or the given ones.") { try $0.min(axes: $1, keepdims: $2) },
    reduction("logsumexp", "log Σ exp, computed stably.") { try $0.logsumexp(axes: $1, keepdims: $2) },
    unary("exp", "Elementwise eˣ.") { $0.exp() },
    unary("log", "Elementwise natural logarithm (log 0 = -inf).") { $0.log() },
    unary("tanh", "Elementwise tanh.") { $0.tanh() },
    unary("sigmoid", "Elementwise 1 / (1 + e⁻ˣ).") { $0.sigmoid() },
    unary("relu", "Elementwise max(x, 0).") { $0.relu() },
    unary("softplus", "Elementwise log(1 + eˣ), stable.") { $0.softplus() },
    unary("sqrt", "Elementwise square root.") { $0.sqrt() },
    unary("abs", "Elementwise absolute value.") { $0.abs() },
    unary("square", "Elementwise x².") { $0.square() },
    unary("sin", "Elementwise sine.") { $0.sin() },
    unary("cos", "Elementwise cosine.") { $0.cos() },
    comparison("lt", "Elementwise x < other as 0/1 (not differentiable).") { try $0.less($1) },
    comparison("le", "Elementwise x <= other as 0/1.") { try $0.lessEqual($1) },
    comparison("gt", "Elementwise x > other as 0/1.") { try $0.greater($1) },
    comparison("ge", "Elementwise x >= other as 0/1.") { try $0.greaterEqual($1) },
    comparison("eq", "Elementwise x == other as 0/1.") { try $0.equal($1) },
    comparison("maximum", "Elementwise maximum.") { try $0.maximum($1) },
    comparison("minimum", "Elementwise minimum.") { try $0.minimum($1) },
  ]
}
