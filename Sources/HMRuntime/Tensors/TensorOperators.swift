import HMTensor

/// Tensor operators, indexing and iteration, installed as the VM's object hooks.
enum TensorOperators {
  static func install(into vm: VM) {
    let previous = vm.objectHooks
    vm.objectHooks.binary = { [unowned vm] op, x, y in
      let a: Tensor, b: Tensor
      switch (TensorConversion.tensor(of: x), TensorConversion.tensor(of: y)) {
      case (let tx?, let ty?): a = tx; b = ty
      case (let tx?, nil): a = tx; b = try TensorConversion.operand(y, like: tx)
      case (nil, let ty?): a = try TensorConversion.operand(x, like: ty); b = ty
      case (nil, nil): return try previous.binary?(op, x, y)
      }
      let r: Tensor
      switch op {
      case .add: r = try a + b
      case .subtract: r = try a - b
      case .multiply: r = try a * b
      case .divide: r = try a / b
      case .power: r = try a.pow(b)
      case .matmul: r = try a.matmul(b)
      case .equal: return Value(a === b || (a.shape == b.shape && a.toArray() == b.toArray()))
      case .notEqual: return Value(!(a === b || (a.shape == b.shape && a.toArray() == b.toArray())))
      case .floorDivide, .modulo, .less, .lessEqual:
        throw RuntimeError("'\(op.rawValue)' is not defined on tensors; use methods such as t.lt(x), t.le(x) or floor(t / x)")
      }
      return vm.makeTensor(r)
    }
    vm.objectHooks.negate = { [unowned vm] x in
      guard let t = TensorConversion.tensor(of: x) else { return try previous.negate?(x) }
      return vm.makeTensor(-1.0 * t)
    }
    vm.objectHooks.getIndex = { [unowned vm] x, indices in
      guard let t = TensorConversion.tensor(of: x) else { return try previous.getIndex?(x, indices) }
      return vm.makeTensor(try index(t, indices))
    }
    vm.objectHooks.iterate = { [unowned vm] x in
      guard let t = TensorConversion.tensor(of: x) else { return try previous.iterate?(x) }
      guard t.rank > 0 else { throw RuntimeError("cannot iterate over a scalar tensor") }
      return try (0..<t.shape[0]).map { vm.makeTensor(try t.index($0, axis: 0)) }
    }
    vm.objectHooks.length = { x in
      guard let t = TensorConversion.tensor(of: x) else { return try previous.length?(x) }
      guard t.rank > 0 else { throw RuntimeError("len of a scalar tensor") }
      return t.shape[0]
    }
  }

  /// `t[i]`, `t[i, j]`, `t[:, 0]`, `t[1:3, ::2]`: ints select (and drop) an axis, slices keep it.
  static func index(_ t: Tensor, _ indices: [Value]) throws -> Tensor {
    guard indices.count <= t.rank else {
      throw RuntimeError("index: \(indices.count) indices for a tensor of rank \(t.rank) (shape \(t.shape))")
    }
    var specs: [SliceSpec] = []
    var drop: [Int] = []
    for (axis, v) in indices.enumerated() {
      if v.tag == .int {
        var i = v.int
        if i < 0 { i += t.shape[axis] }
        guard i >= 0 && i < t.shape[axis] else {
          throw RuntimeError("index: index \(v.int) is out of range for axis \(axis) with size \(t.shape[axis])")
        }
        specs.append(SliceSpec(i, i + 1)); drop.append(axis)
      } else if v.tag == .object, let s = v.nativeObject.payload as? Slice {
        specs.append(SliceSpec(s.lower, s.upper, step: s.step ?? 1))
      } else {
        throw RuntimeError("index: tensor indices must be ints or slices, got \(v.typeNameWithArticle)")
      }
    }
    var r = try t.slice(specs)
    for axis in drop.reversed() { r = try r.squeezed(axis) }
    return r
  }
}
