import HMTensor

/// `grad(f)` and `value_and_grad(f)` over hm functions. Gradients are always built with
/// `createGraph`, so they are themselves differentiable: `grad` of a function that calls `grad`
/// gives second derivatives (MAML's meta-gradient through an inner step).
enum Differentiation {
  /// Marks the differentiated argument: tensors become variables (unless already part of an
  /// outer differentiation, which must see through), numbers become float64 scalar variables,
  /// lists of tensors become lists of variables.
  static func prepare(_ v: Value, _ vm: VM) throws -> (value: Value, inputs: [Tensor], shape: Shape) {
    if let t = TensorConversion.tensor(of: v) {
      let x = t.requiresGrad ? t : t.variable()
      return (vm.makeTensor(x), [x], .tensor)
    }
    if v.isNumber {
      let x = Tensor(scalar: v.number, dtype: .float64).variable()
      return (vm.makeTensor(x), [x], .number)
    }
    if v.tag == .list {
      var xs: [Tensor] = []
      for item in v.listObject.items {
        guard let t = TensorConversion.tensor(of: item) else {
          throw RuntimeError("grad: a list argument must hold tensors, got \(item.typeNameWithArticle)")
        }
        xs.append(t.requiresGrad ? t : t.variable())
      }
      return (vm.heap.makeList(xs.map { vm.makeTensor($0) }), xs, .list)
    }
    if v.tag == .map {
      var xs: [Tensor] = []
      var names: [String] = []
      for (k, item) in v.mapObject.entries {
        guard let name = k.string, let t = TensorConversion.tensor(of: item) else {
          throw RuntimeError("grad: a record argument must map names to tensors (a parameter record)")
        }
        names.append(name)
        xs.append(t.requiresGrad ? t : t.variable())
      }
      return (vm.heap.makeMap(zip(names, xs).map { ($0, vm.makeTensor($1)) }), xs, .record(names))
    }
    throw RuntimeError("grad: can differentiate with respect to a tensor, a number, a list of tensors or a parameter record, not \(v.typeNameWithArticle)")
  }

  enum Shape { case tensor, number, list, record([String]) }

  /// Runs f with argument `argnum` differentiable; returns (value, gradient) as hm values.
  static func evaluate(_ f: Value, _ call: NativeCall, argnum: Int) throws -> (Value, Value) {
    let vm = call.vm
    var args = call.rest
    guard argnum >= 0 && argnum < args.count else {
      throw RuntimeError("grad: argument \(argnum) to differentiate, but the function was called with \(args.count)")
    }
    let (marked, inputs, shape) = try prepare(args[argnum], vm)
    args[argnum] = marked
    let result = try vm.withRoots(args + [f]) { try vm.call(f, args) }
    let output: Tensor
    if let t = TensorConversion.tensor(of: result) { output = t }
    else if result.isNumber { output = Tensor(scalar: result.number, dtype: .float64) }
    else { throw RuntimeError("grad: the function must return a scalar (tensor or number), got \(result.typeNameWithArticle)") }
    guard output.count == 1 else {
      throw RuntimeError("grad: the function must return a scalar, got a tensor of shape \(output.shape)")
    }
    let scalarOutput = output.rank == 0 ? output : try output.reshaped([])
    let grads = try gradients(of: scalarOutput, wrt: inputs, createGraph: true)
    let g: Value
    switch shape {
    case .tensor: g = vm.makeTensor(grads[0])
    case .number: g = Value(grads[0].scalar ?? 0)  // a number in, a number out (nested grads see tensors)
    case .list: g = vm.heap.makeList(grads.map { vm.makeTensor($0) })
    case .record(let names): g = vm.heap.makeMap(zip(names, grads).map { ($0, vm.makeTensor($1)) })
    }
    return (result, g)
  }

  static func differentiated(_ f: Value, _ vm: VM, argnum: Int, withValue: Bool) -> Value {
    let name = withValue ? "value_and_grad" : "grad"
    let native = NativeFunction(name: "\(name) of \(vm.repr(f))", signature: Signature([], variadic: "args"),
                                captures: [f]) { call in
      let (value, g) = try evaluate(f, call, argnum: argnum)
      return withValue ? call.vm.heap.makeList([value, g]) : g
    }
    return vm.heap.makeNative(native)
  }

  static let all: [Primitive] = [
    Primitive("grad", [ParameterSpec("f", .function, doc: "a function returning a scalar"),
                       ParameterSpec("argnum", .int, default: .int(0), doc: "which argument to differentiate")],
              returns: "a function computing the gradient", category: "autodiff",
              doc: "The gradient function of f: grad(f)(x, ...) is ∂f/∂x for the argument at `argnum` (a tensor, a number, or a list of tensors such as parameters, giving a list of gradients). The gradients are differentiable, so grad composes: grad(fn(x) => grad(f)(x).sum())(x) gives second derivatives. f must return a scalar.",
              example: "let f = fn(x) => (x * x * x).sum()\nlet g = grad(f)\nprint(g(tensor([1.0, 2.0])))   # 3x²\nprint(grad(fn(x) => g(x).sum())(tensor([1.0, 2.0])))   # 6x") { call in
      differentiated(call[0], call.vm, argnum: call.int(1), withValue: false)
    },
    Primitive("value_and_grad", [ParameterSpec("f", .function), ParameterSpec("argnum", .int, default: .int(0))],
              returns: "a function returning [value, gradient]", category: "autodiff",
              doc: "Like grad, but the function it returns gives [f(x, ...), ∂f/∂x] from one evaluation.",
              example: "let vg = value_and_grad(fn(w) => (w * w).sum())\nlet r = vg(tensor([3.0]))\nprint(r[0], r[1])") { call in
      differentiated(call[0], call.vm, argnum: call.int(1), withValue: true)
    },
  ]
}
